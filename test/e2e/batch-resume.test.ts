import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RecordedRequest } from '../support/fake-server.js';
import { runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';
import { jsonLines } from '../support/json-lines.js';

useHarness();

const lastUser = (req: RecordedRequest) => req.body.messages.at(-1).content as string;
const readOut = async () => jsonLines(await readFile(join(sandbox.home, 'out.jsonl'), 'utf8'));
const writePrompts = (ids: string[]) => writeFile(join(sandbox.home, 'p.jsonl'), ids.map((id) => JSON.stringify({ id, prompt: id })).join('\n'));

/** A port nothing listens on: connecting is refused at once. */
async function deadPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('gpt batch --resume retries what failed for a reason worth retrying', () => {
  it('sends again exactly the items that met a 500 or a cut connection, replaces their lines, and exits 8 while a lasting failure is left', async () => {
    server.setDefault((req) => {
      const prompt = lastUser(req);
      if (prompt === 'p3') return { kind: 'error', status: 500, message: 'the model crashed' };
      if (prompt === 'p5') return { kind: 'destroy' };
      if (prompt === 'p7') return { kind: 'error', status: 400, message: 'bad value' };
      return { kind: 'reply' };
    });
    const ids = Array.from({ length: 10 }, (_, i) => `p${i}`);
    await writePrompts(ids);
    const first = await runGpt(sandbox, ['batch', 'p.jsonl', '-o', 'out.jsonl', '--max-retries', '0']);
    expect(first.exitCode).toBe(8);
    expect((await readOut()).filter((x) => x.error).map((x) => [x.id, x.error.exit_code])).toEqual([
      ['p3', 5],
      ['p5', 5],
      ['p7', 4],
    ]);

    // The server is back: a resumed run sends those two again, not the 400 nor what succeeded.
    server.reset();
    const resumed = await runGpt(sandbox, ['batch', 'p.jsonl', '-o', 'out.jsonl', '--resume']);
    expect(server.chatRequests().map(lastUser).sort()).toEqual(['p3', 'p5']);
    expect(resumed.stderr).toMatch(/^gpt: resuming: 8 items already in out\.jsonl$/m);
    expect(resumed.stderr).toMatch(/^gpt: resuming: sending again 2 items that failed for a reason worth retrying/m);
    // The 400 is still in the file: not a success for a nightly job.
    expect(resumed.exitCode).toBe(8);
    expect(resumed.stderr).toMatch(/^gpt: 1 item failed in an earlier run — their result lines have an "error"/m);
    const lines = await readOut();
    expect(lines.map((x) => x.id).sort()).toEqual([...ids].sort()); // one line per id
    expect(lines.filter((x) => x.error).map((x) => x.id)).toEqual(['p7']);
    expect(lines.find((x) => x.id === 'p3').reply).toBe('echo: p3');

    // Nothing worth retrying left: a resumed run sends nothing and still exits 8.
    server.reset();
    const again = await runGpt(sandbox, ['batch', 'p.jsonl', '-o', 'out.jsonl', '--resume']);
    expect([again.exitCode, server.chatRequests().length]).toEqual([8, 0]);

    // The user removes the line of the 400: resumed, it is sent, and the run succeeds.
    const text = await readFile(join(sandbox.home, 'out.jsonl'), 'utf8');
    await writeFile(
      join(sandbox.home, 'out.jsonl'),
      text
        .split('\n')
        .filter((l) => !l.includes('"p7"'))
        .join('\n'),
    );
    const fixed = await runGpt(sandbox, ['batch', 'p.jsonl', '-o', 'out.jsonl', '--resume']);
    expect(fixed.exitCode).toBe(0);
    expect(server.chatRequests().map(lastUser)).toEqual(['p7']);
    expect((await readOut()).filter((x) => x.error)).toEqual([]);
  });
});

describe('gpt batch when the server is gone', () => {
  it('stops sending after a few items in a row cannot connect, exits 5, and --resume sends the rest', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `p${i}`);
    await writePrompts(ids);
    const dead = `http://127.0.0.1:${await deadPort()}/v1`;
    const r = await runGpt(sandbox, ['batch', 'p.jsonl', '-o', 'out.jsonl', '-j', '4', '--max-retries', '0'], { env: { OPENAI_BASE_URL: dead } });
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toMatch(
      /^gpt: cannot connect to http:\/\/127\.0\.0\.1:\d+\/v1: 5 items in a row, so the rest were not sent — check the server; gpt batch p\.jsonl -o out\.jsonl --resume sends the rest$/m,
    );
    const written = await readOut();
    expect(written.length).toBeLessThan(5);
    expect(written.every((x) => x.error.exit_code === 5)).toBe(true);

    const resumed = await runGpt(sandbox, ['batch', 'p.jsonl', '-o', 'out.jsonl', '--resume']);
    expect(resumed.exitCode).toBe(0);
    expect(server.chatRequests().map(lastUser).sort()).toEqual([...ids].sort());
    const all = await readOut();
    expect(all.map((x) => x.id).sort()).toEqual([...ids].sort());
    expect(all.every((x) => x.reply === `echo: ${x.id}`)).toBe(true);
  });
});
