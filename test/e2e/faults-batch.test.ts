import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { type RecordedRequest } from '../support/fake-server.js';
import { GPT_BIN, TEST_KEY, runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';
import { jsonLines } from '../support/json-lines.js';

useHarness();

const write = async (name: string, text: string | Buffer) => {
  const file = join(sandbox.home, name);
  await writeFile(file, text);
  return file;
};
const readOut = (name = 'out.jsonl') => readFile(join(sandbox.home, name), 'utf8');
const lastUser = (req: RecordedRequest) => req.body.messages.at(-1).content as string;
const promptsFile = (ids: string[]) => ids.map((id) => JSON.stringify({ id, prompt: id })).join('\n');
const itemIds = (n: number) => Array.from({ length: n }, (_, i) => `item-${i}`);

describe('gpt batch: SIGINT and SIGTERM during a local run', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s exits %i, leaves only whole lines of finished items, and --resume finishes with every id once', async (signal, exitCode) => {
    // Streamed replies that take a while, of different lengths, so results finish out of
    // order and the signal lands while items are mid-stream and others are held back.
    server.setDefault((req) => ({ kind: 'reply', chunkDelayMs: 10 + (Number(lastUser(req).slice(5)) % 3) * 15 }));
    const ids = itemIds(40);
    await write('p.jsonl', promptsFile(ids));
    const out = join(sandbox.home, 'out.jsonl');
    const child = execa('node', [GPT_BIN, 'batch', 'p.jsonl', '-o', 'out.jsonl', '-j', '4'], {
      env: sandbox.env,
      extendEnv: false,
      cwd: sandbox.home,
      input: '',
      reject: false,
      timeout: 15_000,
    });
    // Signal once a few results are in the file (polling for that state, not timing anything).
    while ((await readFile(out, 'utf8').catch(() => '')).split('\n').length < 4) {
      if (child.exitCode !== null) throw new Error(`gpt batch ended before it was signalled: ${child.exitCode}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    child.kill(signal);
    const stopped = await child;
    expect(stopped.exitCode).toBe(exitCode);
    expect(stopped.stderr).toMatch(new RegExp(`^gpt: ${signal === 'SIGINT' ? 'interrupted' : 'terminated'}$`, 'm'));
    expect(stopped.stderr).toMatch(/items have no result yet — gpt batch p\.jsonl -o out\.jsonl --resume sends the rest/);

    const text = await readOut();
    expect(text.endsWith('\n')).toBe(true); // no line cut short
    const first = jsonLines(text);
    expect(first.length).toBeGreaterThanOrEqual(3);
    expect(first.length).toBeLessThan(ids.length);
    // Whole results of finished items, in input order, no partial reply; gaps only where
    // items were in flight (those finished behind them are written, not lost).
    expect(first).toEqual(
      first.map((x) => ({ id: x.id, reply: `echo: ${x.id}`, model: 'gpt-5.4-mini', finish_reason: 'stop', usage: expect.any(Object), cost: null })),
    );
    expect(first.map((x) => x.id)).toEqual(ids.filter((id) => first.some((x) => x.id === id)));

    server.requests.length = 0;
    const resumed = await runGpt(sandbox, ['batch', 'p.jsonl', '-o', 'out.jsonl', '--resume', '-j', '4']);
    expect(resumed.exitCode).toBe(0);
    const sentAgain = server.chatRequests().map(lastUser);
    expect(sentAgain.sort()).toEqual(ids.filter((id) => !first.some((x) => x.id === id)).sort());
    const all = jsonLines(await readOut());
    expect(new Set(all.map((x) => x.id)).size).toBe(all.length); // no id twice
    expect(all.map((x) => x.id).sort()).toEqual([...ids].sort()); // and none lost
    expect(all.every((x) => x.reply === `echo: ${x.id}`)).toBe(true);
  });
});

describe('gpt batch: a server that keeps answering 429', () => {
  const tooMany = { kind: 'error', status: 429, message: 'Rate limit reached', headers: { 'retry-after-ms': '1' } } as const;

  it('finishes: every item fails after the SDK retries, lines in input order, exit 8, a summary', async () => {
    server.setDefault(tooMany);
    const ids = itemIds(12);
    await write('p.jsonl', promptsFile(ids));
    const r = await runGpt(sandbox, ['batch', 'p.jsonl', '-o', 'out.jsonl', '-j', '4', '--max-retries', '1']);
    expect(r.exitCode).toBe(8);
    const results = jsonLines(await readOut());
    expect(results.map((x) => x.id)).toEqual(ids);
    for (const x of results) {
      expect(x).toMatchObject({ reply: null, error: { message: 'rate limited by the API (429): Rate limit reached', exit_code: 5, status: 429 } });
    }
    expect(server.chatRequests()).toHaveLength(24); // one retry each, no more
    expect(r.stderr).toMatch(/^gpt: 12 items: 0 done, 12 failed, 0 tokens, \d+\.\ds$/m);
    expect(r.stderr).toMatch(/^gpt: 12 of 12 items failed — 12 were rate limited \(429\): lower -j or raise --max-retries$/m);
  });

  it('finishes with every item done when the 429s give way within the retries', async () => {
    const seen = new Map<string, number>();
    server.setDefault((req) => {
      const n = (seen.get(lastUser(req)) ?? 0) + 1;
      seen.set(lastUser(req), n);
      return n <= 2 ? tooMany : { kind: 'reply' };
    });
    const ids = itemIds(12);
    await write('p.jsonl', promptsFile(ids));
    const r = await runGpt(sandbox, ['batch', 'p.jsonl', '-j', '4', '--max-retries', '2']);
    expect(r.exitCode).toBe(0);
    expect(jsonLines(r.stdout).map((x) => [x.id, x.reply])).toEqual(ids.map((id) => [id, `echo: ${id}`]));
    expect(server.chatRequests()).toHaveLength(36);
    expect(r.stderr).toMatch(/^gpt: 12 items: 12 done, 0 failed, \d+ tokens, \d+\.\ds\n$/);
  });

  it('keeps the items that got through when only some keep being refused', async () => {
    server.setDefault((req) => (Number(lastUser(req).slice(5)) % 2 ? tooMany : { kind: 'reply' }));
    const ids = itemIds(10);
    await write('p.jsonl', promptsFile(ids));
    const r = await runGpt(sandbox, ['batch', 'p.jsonl', '-j', '3', '--max-retries', '0']);
    expect(r.exitCode).toBe(8);
    expect(jsonLines(r.stdout).map((x) => [x.id, x.error?.status ?? 'ok'])).toEqual(ids.map((id, i) => [id, i % 2 ? 429 : 'ok']));
    expect(r.stderr).toMatch(/^gpt: 10 items: 5 done, 5 failed/m);
  });
});

describe('gpt batch and gpt ask on one thread at once', () => {
  it('keeps every turn of both: 8 batch items and 8 parallel asks', async () => {
    server.setDefault({ kind: 'reply', firstByteDelayMs: 15 });
    const batchItems = Array.from({ length: 8 }, (_, i) => ({ id: `b${i}`, prompt: `batch ${i}`, thread: 'shared' }));
    // Items of other threads and of none in between, so the batch runs them alongside.
    batchItems.splice(3, 0, { id: 'other', prompt: 'elsewhere', thread: 'other' } as never);
    batchItems.splice(6, 0, { id: 'loose', prompt: 'no thread' } as never);
    await write('p.jsonl', batchItems.map((x) => JSON.stringify(x)).join('\n'));
    const asks = Array.from({ length: 8 }, (_, i) => runGpt(sandbox, ['ask', '--thread', 'shared', `ask ${i}`], { timeout: 60_000 }));
    const [batch, ...askRuns] = await Promise.all([runGpt(sandbox, ['batch', 'p.jsonl', '-q'], { timeout: 60_000 }), ...asks]);
    expect(batch.exitCode).toBe(0);
    expect(askRuns.map((r) => r.exitCode)).toEqual(Array(8).fill(0));
    const thread = YAML.parse(await readFile(join(sandbox.threadsDir, 'shared.yaml'), 'utf8'));
    const users: string[] = thread.messages.filter((m: { role: string }) => m.role === 'user').map((m: { content: string }) => m.content);
    const asked = Array.from({ length: 8 }, (_, i) => `ask ${i}`);
    const batched = Array.from({ length: 8 }, (_, i) => `batch ${i}`);
    expect([...users].sort()).toEqual([...asked, ...batched]);
    // Whole turns: each question followed by its own reply.
    expect(thread.messages).toHaveLength(32);
    for (let i = 0; i < thread.messages.length; i += 2) {
      expect(thread.messages[i + 1]).toMatchObject({ role: 'assistant', content: `echo: ${thread.messages[i].content}` });
    }
    // The batch's items of the thread ran one after another, in input order.
    expect(users.filter((u) => u.startsWith('batch'))).toEqual(batched);
  }, 60_000);
});

interface BadInput {
  name: string;
  file: string;
  text: string | Buffer;
  error: RegExp;
  exitCode?: number;
  args?: string[];
}

// The other bad inputs are refused in-process (test/commands/bad-input.test.ts); these, by the command line.
const badInputs: BadInput[] = [
  {
    name: '-j 0',
    file: 'p.txt',
    text: 'x\n',
    args: ['-j', '0'],
    exitCode: 2,
    error: /^gpt: option '-j, --concurrency <n>' argument '0' is invalid\. --concurrency must be a whole number from 1 to 256\./,
  },
  { name: '-j abc', file: 'p.txt', text: 'x\n', args: ['-j', 'abc'], exitCode: 2, error: /^gpt: option '-j, --concurrency <n>' argument 'abc' is invalid/ },
];

describe.each(badInputs)('gpt batch with $name', ({ file, text, error, exitCode = 6, args = [] }) => {
  it('is refused before anything is sent, with one clear line, and -o FILE is neither created nor changed', async () => {
    await write(file, text);
    const fresh = await runGpt(sandbox, ['batch', file, '-o', 'new.jsonl', ...args], { timeout: 10_000 });
    expect(fresh.exitCode).toBe(exitCode);
    expect(fresh.stderr).toMatch(error);
    expect(fresh.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    await expect(stat(join(sandbox.home, 'new.jsonl'))).rejects.toThrow(/ENOENT/);

    // An earlier run's results, overwritten by a run that goes ahead, survive a refused one;
    // with --resume too, even when its last line was cut short.
    const earlier = '{"id":"old","reply":"kept","model":"m","finish_reason":"stop","usage":null}\n{"id":"cut","rep';
    await write('out.jsonl', earlier);
    for (const resume of [[], ['--resume']]) {
      const again = await runGpt(sandbox, ['batch', file, '-o', 'out.jsonl', ...resume, ...args], { timeout: 10_000 });
      expect(again.exitCode).toBe(exitCode);
      expect(again.stderr).toMatch(error);
      expect(await readOut()).toBe(earlier);
    }
    expect(server.chatRequests()).toHaveLength(0);
  });
});

describe('gpt batch: large and empty inputs', () => {
  it.each([
    ['p.jsonl', (prompt: string) => `{"id": "small", "prompt": "hi"}\n${JSON.stringify({ id: 'big', prompt })}\n`],
    ['p.txt', (prompt: string) => `hi\n${prompt}\n`],
  ])('%s: sends a line of 10 MB whole, without hanging or crashing', async (file, text) => {
    server.setDefault({ kind: 'reply', text: 'ok' });
    const prompt = 'whale '.repeat(1_666_667).slice(0, 10_000_000);
    await write(file, text(prompt));
    const r = await runGpt(sandbox, ['batch', file, '-o', 'out.jsonl']);
    expect(r.exitCode).toBe(0);
    expect(jsonLines(await readOut()).map((x) => x.reply)).toEqual(['ok', 'ok']);
    const sent = server.chatRequests().map(lastUser);
    expect(sent.map((p) => p.length).sort((a, b) => a - b)).toEqual([2, 10_000_000]);
    expect(sent.find((p) => p.length > 2)).toBe(prompt);
  });
});

describe('gpt batch: the API key', () => {
  it('appears in no result file, stdout or stderr, with --verbose too, even when the server echoes it', async () => {
    server.setDefault((req) =>
      lastUser(req) === 'bad' ? { kind: 'error', status: 400, message: `Invalid key ${TEST_KEY} for this model` } : { kind: 'reply' },
    );
    await write('p.txt', 'good\nbad\n');
    const toFile = await runGpt(sandbox, ['batch', 'p.txt', '-o', 'out.jsonl', '--verbose', '--max-retries', '0']);
    const toStdout = await runGpt(sandbox, ['batch', 'p.txt', '--verbose', '--max-retries', '0']);
    server.setDefault({ kind: 'error', status: 401, message: `Incorrect API key provided: ${TEST_KEY}` });
    const refused = await runGpt(sandbox, ['batch', 'p.txt', '-o', 'refused.jsonl', '--verbose']);
    expect([toFile.exitCode, toStdout.exitCode, refused.exitCode]).toEqual([8, 8, 3]);
    const outputs = [
      await readOut(),
      toFile.stdout,
      toFile.stderr,
      toStdout.stdout,
      toStdout.stderr,
      refused.stdout,
      refused.stderr,
      await readOut('refused.jsonl'),
    ];
    for (const text of outputs) expect(text).not.toContain(TEST_KEY);
    // The error is still there to read, with the key's last characters to tell which key it was.
    expect(jsonLines(await readOut())[1].error.message).toBe('the API rejected the request (400): Invalid key [redacted …CRET] for this model');
    expect(refused.stderr).toContain('the API refused the key (401): Incorrect API key provided: [redacted …CRET]');
    expect(toFile.stderr).toContain('gpt[debug]');
    // It was sent to the server, where it belongs.
    expect(server.chatRequests()[0]!.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
  });
});
