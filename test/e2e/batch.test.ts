import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { type RecordedRequest } from '../support/fake-server.js';
import { GPT_BIN, runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

const write = async (name: string, text: string) => {
  const file = join(sandbox.home, name);
  await writeFile(file, text);
  return file;
};
const jsonLines = (text: string) => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const lastUser = (req: RecordedRequest) => req.body.messages.at(-1).content as string;
const sentPrompts = () => server.chatRequests().map(lastUser).sort();

describe('gpt batch: input formats', () => {
  it('runs JSON Lines: one result line per item, in input order, with reply, model, finish reason and usage', async () => {
    await write('p.jsonl', [
      '{"id": "whale", "prompt": "biggest animal?", "model": "m-2", "temperature": 0.2, "max_tokens": 50}',
      '{"prompt": "second", "system": "be brief"}',
      '{"id": "chat", "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}, {"role": "user", "content": "again"}]}',
    ].join('\n'));
    const r = await runGpt(sandbox, ['batch', 'p.jsonl']);
    expect(r.exitCode).toBe(0);
    const results = jsonLines(r.stdout);
    expect(results[0]).toEqual({ id: 'whale', reply: 'echo: biggest animal?', model: 'm-2', finish_reason: 'stop', usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 } });
    expect(results.map((x) => [x.id, x.reply])).toEqual([['whale', 'echo: biggest animal?'], ['2', 'echo: second'], ['chat', 'echo: again']]);
    const bodies = Object.fromEntries(server.chatRequests().map((q) => [lastUser(q), q.body]));
    expect(bodies['biggest animal?']).toMatchObject({ model: 'm-2', temperature: 0.2, max_tokens: 50 });
    expect(bodies['second'].messages).toEqual([{ role: 'system', content: 'be brief' }, { role: 'user', content: 'second' }]);
    expect(bodies['again'].messages).toHaveLength(3);
    expect(r.stderr).toMatch(/^gpt: 3 items: 3 done, 0 failed, 67 tokens, \d+\.\ds\n$/);
  });

  it('runs YAML (strings and objects) and plain text, and reads stdin with -', async () => {
    await write('p.yaml', '- first\n- id: two\n  prompt: second\n');
    const yaml = await runGpt(sandbox, ['batch', 'p.yaml', '-q']);
    expect(jsonLines(yaml.stdout).map((x) => [x.id, x.reply])).toEqual([['1', 'echo: first'], ['two', 'echo: second']]);
    expect(yaml.stderr).toBe('');

    await write('p.txt', 'alpha\n\nbeta\n');
    const text = await runGpt(sandbox, ['batch', 'p.txt', '-q']);
    expect(jsonLines(text.stdout).map((x) => [x.id, x.reply])).toEqual([['1', 'echo: alpha'], ['3', 'echo: beta']]);

    const piped = await runGpt(sandbox, ['batch', '-', '--format', 'text', '-q'], { input: 'one\ntwo\n' });
    expect(jsonLines(piped.stdout).map((x) => x.reply)).toEqual(['echo: one', 'echo: two']);
    const pipedJson = await runGpt(sandbox, ['batch', '-', '-q'], { input: '{"prompt":"j"}\n' });
    expect(jsonLines(pipedJson.stdout).map((x) => x.reply)).toEqual(['echo: j']);
  });

  it('keeps input order however the replies arrive', async () => {
    // The first items answer last.
    server.setDefault((req) => ({ kind: 'reply', firstByteDelayMs: (10 - Number(lastUser(req).slice(1))) * 20 }));
    await write('p.txt', Array.from({ length: 10 }, (_, i) => `p${i}`).join('\n'));
    const r = await runGpt(sandbox, ['batch', 'p.txt', '-j', '10', '-q']);
    expect(jsonLines(r.stdout).map((x) => x.reply)).toEqual(Array.from({ length: 10 }, (_, i) => `echo: p${i}`));
  });

  it('wraps prompts in a template (from the flag or a file)', async () => {
    await write('p.jsonl', '{"prompt": "cat", "lang": "French"}\n{"prompt": "dog", "lang": "German"}\n');
    const r = await runGpt(sandbox, ['batch', 'p.jsonl', '-q', '--template', 'Translate to {{lang}}: {{prompt}}']);
    expect(r.exitCode).toBe(0);
    expect(jsonLines(r.stdout).map((x) => x.reply)).toEqual(['echo: Translate to French: cat', 'echo: Translate to German: dog']);

    await write('t.txt', 'Q{{id}}: {{prompt}}\n');
    await write('p.txt', 'why?\n');
    const fromFile = await runGpt(sandbox, ['batch', 'p.txt', '-q', '--template-file', 't.txt']);
    expect(jsonLines(fromFile.stdout)[0].reply).toBe('echo: Q1: why?');

    const noPrompt = await runGpt(sandbox, ['batch', 'p.txt', '--template', 'Translate: {{text}}']);
    expect(noPrompt.exitCode).toBe(2);
    expect(noPrompt.stderr).toMatch(/the template \(--template\) has no \{\{prompt\}\}/);
  });
});

describe('gpt batch: bad input is refused before anything is sent', () => {
  it.each([
    ['p.jsonl', [...Array.from({ length: 6 }, (_, i) => `{"prompt": "p${i}"}`), '{"prompt": "broken"'].join('\n'), /^gpt: p\.jsonl:7: not valid JSON/],
    ['p.yaml', '- a\n- b\n- [unclosed\n', /^gpt: p\.yaml:\d: not valid YAML/],
    ['p.jsonl', '{"prompt": "a"}\n{"id": "x", "model": "m"}\n', /^gpt: p\.jsonl:2: the item has neither `prompt` nor `messages`/],
    ['p.jsonl', '{"id": "a", "prompt": "x"}\n{"id": "a", "prompt": "y"}\n', /^gpt: p\.jsonl:2: duplicate id 'a' \(also on line 1\)/],
    ['p.jsonl', '{"prompt": "x", "thread": ".hidden"}\n', /^gpt: p\.jsonl:1: invalid thread name '\.hidden'/],
  ])('%s: %s', async (name, text, message) => {
    await write(name, text);
    const r = await runGpt(sandbox, ['batch', name]);
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(server.chatRequests()).toHaveLength(0);
  });

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

  it('--dry-run checks the input and prints the count and estimated tokens, sending nothing', async () => {
    await write('p.jsonl', '{"prompt": "12345678"}\n{"prompt": "abcd", "system": "wxyz"}\n');
    const r = await runGpt(sandbox, ['batch', 'p.jsonl', '--dry-run']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('items: 2\nestimated input tokens: 4\n');
    const remote = await runGpt(sandbox, ['batch', 'p.jsonl', '--dry-run', '--remote']);
    expect(remote.stdout).toBe('items: 2\nestimated input tokens: 4\nbatches: 1\n');
    expect(server.requests).toHaveLength(0);
  });
});

describe('gpt batch: failures, resume, threads', () => {
  it('keeps going when one item fails: its line has the error, the exit code is 8', async () => {
    server.setDefault((req) => (lastUser(req) === 'bad'
      ? { kind: 'error', status: 400, message: 'unsupported value' }
      : { kind: 'reply' }));
    await write('p.txt', 'good\nbad\nfine\n');
    const r = await runGpt(sandbox, ['batch', 'p.txt']);
    expect(r.exitCode).toBe(8);
    const results = jsonLines(r.stdout);
    expect(results.map((x) => x.reply)).toEqual(['echo: good', null, 'echo: fine']);
    expect(results[1]).toMatchObject({ id: '2', model: 'gpt-5.4-mini', finish_reason: null, usage: null,
      error: { message: 'the API rejected the request (400): unsupported value', exit_code: 4, status: 400 } });
    expect(r.stderr).toMatch(/gpt: 3 items: 2 done, 1 failed, \d+ tokens/);
    expect(r.stderr).toMatch(/gpt: 1 of 3 items failed — /);
  });

  it('says so when items failed because the server kept answering 429', async () => {
    server.setDefault((req) => (lastUser(req) === 'busy'
      ? { kind: 'error', status: 429, message: 'slow down', headers: { 'retry-after-ms': '1' } }
      : { kind: 'reply' }));
    await write('p.txt', 'busy\nfine\n');
    const r = await runGpt(sandbox, ['batch', 'p.txt', '--max-retries', '1']);
    expect(r.exitCode).toBe(8);
    expect(jsonLines(r.stdout)[0].error).toMatchObject({ status: 429, exit_code: 5 });
    expect(server.chatRequests().filter((q) => lastUser(q) === 'busy')).toHaveLength(2); // the SDK retried once
    expect(r.stderr).toMatch(/gpt: 1 of 2 items failed — 1 was rate limited \(429\): lower -j or raise --max-retries/);
  });

  it('stops the whole batch when the key is refused', async () => {
    server.setDefault({ kind: 'error', status: 401, message: 'bad key' });
    await write('p.txt', Array.from({ length: 20 }, (_, i) => `p${i}`).join('\n'));
    const r = await runGpt(sandbox, ['batch', 'p.txt', '-j', '2']);
    expect(r.exitCode).toBe(3);
    expect(server.chatRequests().length).toBeLessThanOrEqual(2);
  });

  it('writes -o FILE privately, line by line; after a killed run --resume sends only what is missing', async () => {
    server.setDefault({ kind: 'reply', firstByteDelayMs: 40 });
    const ids = Array.from({ length: 30 }, (_, i) => `item-${i}`);
    await write('p.jsonl', ids.map((id) => JSON.stringify({ id, prompt: id })).join('\n'));
    const out = join(sandbox.home, 'out.jsonl');
    const child = execa('node', [GPT_BIN, 'batch', 'p.jsonl', '-o', 'out.jsonl', '-j', '2'], {
      env: sandbox.env, extendEnv: false, cwd: sandbox.home, input: '', reject: false, timeout: 15_000,
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

  it('continues threads: items of one thread run in order, each with the turns before it', async () => {
    server.setDefault((req) => ({ kind: 'reply', firstByteDelayMs: lastUser(req) === 'first' ? 100 : 0 }));
    await write('p.jsonl', [
      '{"id": "a", "prompt": "first", "thread": "notes"}',
      '{"id": "b", "prompt": "unrelated"}',
      '{"id": "c", "prompt": "second", "thread": "notes"}',
      '{"id": "d", "prompt": "elsewhere", "thread": "other.yaml"}',
    ].join('\n'));
    const r = await runGpt(sandbox, ['batch', 'p.jsonl', '-q', '--allow-paths']); // other.yaml is a path
    expect(r.exitCode).toBe(0);
    const second = server.chatRequests().find((q) => lastUser(q) === 'second')!;
    expect(second.body.messages).toEqual([
      { role: 'user', content: 'first' }, { role: 'assistant', content: 'echo: first' }, { role: 'user', content: 'second' },
    ]);
    const thread = YAML.parse(await readFile(join(sandbox.threadsDir, 'notes.yaml'), 'utf8'));
    expect(thread.messages.map((m: { content: string }) => m.content)).toEqual(['first', 'echo: first', 'second', 'echo: second']);
    expect(YAML.parse(await readFile(join(sandbox.home, 'other.yaml'), 'utf8')).messages).toHaveLength(2);
    // Items without a thread are not kept as conversations.
    expect(await readdir(sandbox.threadsDir)).toEqual(['notes.yaml']);
  });
});

describe('gpt batch: the results file', () => {
  it('is made private even when it existed before with wider permissions', async () => {
    await write('p.txt', 'one\n');
    const out = join(sandbox.home, 'out.jsonl');
    await writeFile(out, 'old\n', { mode: 0o644 });
    const r = await runGpt(sandbox, ['batch', 'p.txt', '-o', 'out.jsonl']);
    expect(r.exitCode).toBe(0);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(jsonLines(await readFile(out, 'utf8')).map((x) => x.reply)).toEqual(['echo: one']);
  });
});
