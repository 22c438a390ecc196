// What a batch run does is tested in-process (test/commands/batch.test.ts); here, what only a
// process shows: the command line, the SDK's retries against a server, a run killed mid-way.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { type RecordedRequest } from '../support/fake-server.js';
import { GPT_BIN, runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';
import { jsonLines } from '../support/json-lines.js';

useHarness();

const write = async (name: string, text: string) => {
  const file = join(sandbox.home, name);
  await writeFile(file, text);
  return file;
};
const lastUser = (req: RecordedRequest) => req.body.messages.at(-1).content as string;
const sentPrompts = () => server.chatRequests().map(lastUser).sort();

describe('gpt batch: usage mistakes', () => {
  it('reports a missing file and usage mistakes', async () => {
    const missing = await runGpt(sandbox, ['batch', 'nope.jsonl']);
    expect([missing.exitCode, missing.stderr]).toEqual([6, 'gpt: cannot read nope.jsonl (ENOENT) — check the path and its permissions\n']);
    await write('p.txt', 'x\n');
    expect((await runGpt(sandbox, ['batch', 'p.txt', '--resume'])).stderr).toMatch(/--resume needs -o FILE/);
    expect((await runGpt(sandbox, ['batch', 'p.txt', '-j', '0'])).exitCode).toBe(2);
    expect((await runGpt(sandbox, ['batch', 'p.txt', '--no-wait'])).exitCode).toBe(2);
    expect((await runGpt(sandbox, ['batch'])).exitCode).toBe(2);
    expect(server.chatRequests()).toHaveLength(0);
  });

  it('--dry-run checks the input and prints the count and exact input tokens, sending nothing', async () => {
    await write('p.jsonl', '{"prompt": "12345678"}\n{"prompt": "abcd", "system": "wxyz"}\n');
    const { encodeChat } = await import('gpt-tokenizer/encoding/o200k_base');
    const tokens =
      encodeChat([{ role: 'user', content: '12345678' }], 'gpt-4o').length +
      encodeChat(
        [
          { role: 'system', content: 'wxyz' },
          { role: 'user', content: 'abcd' },
        ],
        'gpt-4o',
      ).length;
    const r = await runGpt(sandbox, ['batch', 'p.jsonl', '--dry-run']);
    expect(r.exitCode).toBe(0);
    const unknown = 'estimated cost: unknown (no price for a model on this endpoint; models: in the config can give one)';
    expect(r.stdout).toBe(`items: 2\ninput tokens: ${tokens} (exact)\n${unknown}\n`);
    const remote = await runGpt(sandbox, ['batch', 'p.jsonl', '--dry-run', '--remote']);
    expect(remote.stdout).toBe(`items: 2\ninput tokens: ${tokens} (exact)\n${unknown}\nbatches: 1\n`);
    expect(server.requests).toHaveLength(0);
  });
});

describe("gpt batch: the SDK's retries, and a killed run", () => {
  it('says so when items failed because the server kept answering 429', async () => {
    server.setDefault((req) =>
      lastUser(req) === 'busy' ? { kind: 'error', status: 429, message: 'slow down', headers: { 'retry-after-ms': '1' } } : { kind: 'reply' },
    );
    await write('p.txt', 'busy\nfine\n');
    const r = await runGpt(sandbox, ['batch', 'p.txt', '--max-retries', '1']);
    expect(r.exitCode).toBe(8);
    expect(jsonLines(r.stdout)[0].error).toMatchObject({ status: 429, exit_code: 5 });
    expect(server.chatRequests().filter((q) => lastUser(q) === 'busy')).toHaveLength(2); // the SDK retried once
    expect(r.stderr).toMatch(/gpt: 1 of 2 items failed — 1 was rate limited \(429\): lower -j or raise --max-retries/);
  });

  it('writes -o FILE privately, line by line; after a killed run --resume sends only what is missing', async () => {
    server.setDefault({ kind: 'reply', firstByteDelayMs: 40 });
    const ids = Array.from({ length: 30 }, (_, i) => `item-${i}`);
    await write('p.jsonl', ids.map((id) => JSON.stringify({ id, prompt: id })).join('\n'));
    const out = join(sandbox.home, 'out.jsonl');
    const child = execa('node', [GPT_BIN, 'batch', 'p.jsonl', '-o', 'out.jsonl', '-j', '2'], {
      env: sandbox.env,
      extendEnv: false,
      cwd: sandbox.home,
      input: '',
      reject: false,
      timeout: 15_000,
    });
    // Kill it once some results are in the file.
    for (let i = 0; i < 200 && (await readFile(out, 'utf8').catch(() => '')).split('\n').length < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    child.kill('SIGTERM');
    const killed = await child;
    expect(killed.exitCode).toBe(143);
    expect(killed.stderr).toMatch(/items have no result yet — gpt batch p\.jsonl -o out\.jsonl --resume sends the rest/);
    const first = jsonLines(await readFile(out, 'utf8'));
    expect(first.length).toBeGreaterThanOrEqual(5);
    expect(first.length).toBeLessThan(30);
    expect(first.map((x) => x.id)).toEqual(ids.filter((id) => first.some((x) => x.id === id))); // in input order
    expect((await stat(out)).mode & 0o777).toBe(0o600);

    server.requests.length = 0;
    const resumed = await runGpt(sandbox, ['batch', 'p.jsonl', '-o', 'out.jsonl', '--resume']);
    expect(resumed.exitCode).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`resuming: ${first.length} items already in out\\.jsonl`));
    expect(sentPrompts()).toEqual(ids.filter((id) => !first.some((x) => x.id === id)).sort());
    const all = jsonLines(await readFile(out, 'utf8'));
    expect(all.map((x) => x.id).sort()).toEqual([...ids].sort());
    expect(all.every((x) => x.reply === `echo: ${x.id}`)).toBe(true);
  });
});
