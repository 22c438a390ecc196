import { mkdtemp, readFile, rm, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatchItem } from '../../src/batch/item.js';
import type { ResultRecord } from '../../src/batch/record.js';
import { collectResults, waitForBatches, writeRequestFiles } from '../../src/batch/remote.js';
import { pickUp } from '../../src/batch/remote-run.js';
import { cutUnfinishedLine, readDoneIds } from '../../src/batch/resume.js';
import { createProgress, duration, progressLine } from '../../src/io/progress.js';
import { customIdOf, type BatchClient, type RemoteBatch } from '../../src/llm/batch-client.js';
import { parseResultLine, requestLine } from '../../src/llm/openai-batch.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpt-batch-unit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const items = (n: number): BatchItem[] => Array.from({ length: n }, (_, i) => ({ id: `r${i}`, line: i + 1, prompt: `p${i}` }));
const line = (item: BatchItem) => requestLine(item.id, { model: 'm', messages: [{ role: 'user', content: item.prompt! }], fields: {}, streamUsage: false });
const context = { timeoutMs: 1000 };

function batch(id: string, fields: Partial<RemoteBatch> = {}): RemoteBatch {
  return {
    id,
    status: 'completed',
    total: 0,
    completed: 0,
    failed: 0,
    inputFileId: `in-${id}`,
    outputFileId: `out-${id}`,
    errorFileId: null,
    errors: [],
    createdAt: new Date(0),
    ...fields,
  };
}

const output = (customId: string, text: string) =>
  JSON.stringify({
    custom_id: customId,
    response: {
      status_code: 200,
      request_id: 'req_1',
      body: {
        model: 'm-1',
        choices: [{ message: { content: text }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
      },
    },
    error: null,
  });

/** A BatchClient over files in memory; batches end after `polls` retrieves. */
function fakeClient(files: Record<string, string[]>, polls = 0, ended: Record<string, Partial<RemoteBatch>> = {}): BatchClient & { retrieves: number } {
  const client = {
    retrieves: 0,
    upload: async () => 'file',
    create: async () => batch('b'),
    cancel: async (id: string) => batch(id, { status: 'cancelling' }),
    async retrieve(id: string) {
      client.retrieves++;
      return client.retrieves <= polls ? batch(id, { status: 'in_progress', total: 4, completed: 1 }) : batch(id, ended[id]);
    },
    async *lines(fileId: string) {
      yield* files[fileId] ?? [];
    },
    batchOfFile: async () => undefined,
  };
  return client;
}

describe('request files', () => {
  it('writes one request line per item, with its id as custom_id', async () => {
    const [file] = await writeRequestFiles(items(2), line, dir, 'p.jsonl');
    const lines = (await readFile(file!.path, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({
      custom_id: 'r0',
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'm', messages: [{ role: 'user', content: 'p0' }] },
    });
    expect(customIdOf(JSON.stringify(lines[1]))).toBe('r1');
    expect((await stat(file!.path)).mode & 0o777).toBe(0o600);
  });

  it('starts a new file at the request limit and at the byte limit', async () => {
    const byCount = await writeRequestFiles(items(5), line, dir, 'p.jsonl', { requests: 2, bytes: 1e9 });
    expect(byCount.map((f) => f.requests)).toEqual([2, 2, 1]);
    const size = Buffer.byteLength(`${line(items(1)[0]!)}\n`);
    const byBytes = await writeRequestFiles(items(5), line, join(dir), 'p.jsonl', { requests: 100, bytes: size * 2 + 1 });
    expect(byBytes.map((f) => f.requests)).toEqual([2, 2, 1]);
    expect(byBytes.every((f) => f.bytes <= size * 2 + 1)).toBe(true);
  });

  it('refuses one request larger than a whole file, naming its line', async () => {
    await expect(writeRequestFiles(items(1), line, dir, 'p.jsonl', { requests: 10, bytes: 20 })).rejects.toThrow(
      /^p\.jsonl:1: this request is larger than a batch file may be/,
    );
  });

  it('splits by the bytes of whole lines when requests carry attachments inline (an async line, a data URL of 1 MiB each)', async () => {
    const image = Buffer.alloc(768 * 1024, 7); // 1 MiB once in base64
    const withImage = async (item: BatchItem) => {
      await new Promise((resolve) => setImmediate(resolve));
      const sent = [{ ref: { path: 'a.png', mime: 'image/png' }, url: `data:image/png;base64,${image.toString('base64')}` }];
      // Non-ASCII text too: the limit is in bytes, not characters.
      return requestLine(item.id, { model: 'm', messages: [{ role: 'user', content: 'é'.repeat(1000), attachments: sent }], fields: {}, streamUsage: false });
    };
    const size = Buffer.byteLength(`${await withImage(items(1)[0]!)}\n`);
    expect(size).toBeGreaterThan(1024 * 1024 + 2000);
    const files = await writeRequestFiles(items(5), withImage, dir, 'p.jsonl', { requests: 100, bytes: size * 2 + 1 });
    expect(files.map((f) => f.requests)).toEqual([2, 2, 1]);
    for (const file of files) expect((await stat(file.path)).size).toBe(file.bytes);
    expect(files.every((f) => f.bytes <= size * 2 + 1)).toBe(true);
    const [first] = (await readFile(files[0]!.path, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(first.body.messages[0].content[1]).toEqual({ type: 'image_url', image_url: { url: `data:image/png;base64,${image.toString('base64')}` } });
    // One byte less than two lines: a file each.
    expect((await writeRequestFiles(items(2), withImage, dir, 'p.jsonl', { requests: 100, bytes: size * 2 - 1 })).map((f) => f.requests)).toEqual([1, 1]);
  });

  it('writes nothing for no items', async () => {
    expect(await writeRequestFiles([], line, dir, 'p.jsonl')).toEqual([]);
  });
});

describe('result lines', () => {
  it('reads a reply, an API error, and a request that never ran', () => {
    const reply = parseResultLine(output('a', 'hello'), context);
    expect(reply).toEqual({
      customId: 'a',
      kind: 'reply',
      reply: { text: 'hello', model: 'm-1', finishReason: 'stop', usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }, requestId: 'req_1' },
    });
    const failed = parseResultLine(
      JSON.stringify({ custom_id: 'b', response: { status_code: 400, body: { error: { message: 'bad model' } } }, error: null }),
      context,
    );
    expect(failed.kind === 'error' && [failed.error.status, failed.error.exitCode, failed.error.message]).toEqual([
      400,
      4,
      'the API rejected the request (400): bad model',
    ]);
    const expired = parseResultLine(JSON.stringify({ custom_id: 'c', response: null, error: { code: 'batch_expired', message: 'late' } }), context);
    expect(expired).toEqual({ customId: 'c', kind: 'notRun' });
    const other = parseResultLine(JSON.stringify({ custom_id: 'd', response: null, error: { code: 'x', message: 'odd' } }), context);
    expect(other.kind === 'error' && other.error.message).toMatch(/did not run this request: odd/);
    expect(() => parseResultLine('{nope', context)).toThrow(/not JSON/);
  });
});

describe('collecting results', () => {
  it('writes results in request order though the API wrote them in another, and counts what did not run', async () => {
    const client = fakeClient({
      'out-b': [output('r2', 'two'), output('r0', 'zero')],
      'err-b': [
        JSON.stringify({ custom_id: 'r1', response: { status_code: 500, body: { error: { message: 'boom' } } } }),
        JSON.stringify({ custom_id: 'r3', response: null, error: { code: 'batch_expired' } }),
      ],
    });
    async function* order() {
      yield* ['r0', 'r1', 'r2', 'r3'];
    }
    const out: ResultRecord[] = [];
    const result = await collectResults(
      batch('b', { status: 'expired', errorFileId: 'err-b' }),
      client,
      (l) => parseResultLine(l, context),
      order(),
      join(dir, 'spool'),
      (r) => out.push(r),
    );
    expect(result).toEqual({ written: 3, notRun: 1 });
    expect(out.map((r) => [r.id, r.reply, r.error?.status ?? null])).toEqual([
      ['r0', 'zero', null],
      ['r1', null, 500],
      ['r2', 'two', null],
    ]);
  });

  it('polls at once, then after growing waits, until every batch has ended', async () => {
    const client = fakeClient({}, 3);
    const waits: number[] = [];
    const checks: string[][] = [];
    const ended = await waitForBatches(client, ['b'], {
      intervalMs: 100,
      signal: new AbortController().signal,
      onCheck: (batches) => void checks.push(batches.map((b) => b.status)),
      sleep: async (ms) => void waits.push(ms),
    });
    expect(ended[0]!.status).toBe('completed');
    expect(checks).toEqual([['in_progress'], ['in_progress'], ['in_progress'], ['completed']]);
    expect(waits).toEqual([100, 120, 144]);
  });

  it('picks up several batches, writing them one after another', async () => {
    const client = fakeClient({ 'out-b1': [output('a', 'A')], 'out-b2': [output('b', 'B')] });
    const out: ResultRecord[] = [];
    const statuses: string[] = [];
    const outcomes = await pickUp(
      [
        {
          id: 'b1',
          requestLines: async function* () {
            yield JSON.stringify({ custom_id: 'a' });
          },
        },
        {
          id: 'b2',
          requestLines: async function* () {
            yield JSON.stringify({ custom_id: 'b' });
          },
        },
      ],
      {
        client,
        parse: (l) => parseResultLine(l, context),
        intervalMs: 1,
        signal: new AbortController().signal,
        progress: { update() {}, stop() {} },
        onStatus: (b) => void statuses.push(`${b.id} ${b.status}`),
        write: (r) => out.push(r),
        scratch: dir,
      },
    );
    expect(out.map((r) => r.reply)).toEqual(['A', 'B']);
    expect(outcomes.map((o) => [o.batch.id, o.written, o.notRun])).toEqual([
      ['b1', 1, 0],
      ['b2', 1, 0],
    ]);
    expect(statuses).toEqual(['b1 completed', 'b2 completed']);
  });
});

describe('resume', () => {
  it('reads the ids already written, and finds a line a killed run left unfinished without changing the file', async () => {
    const file = join(dir, 'out.jsonl');
    const text = '{"id":"a","reply":"x"}\n\n{"id":7}\n{"id":"c","rep';
    await writeFile(file, text);
    const done = await readDoneIds(file);
    expect([...done.ids]).toEqual(['a', '7']);
    expect(done.unfinishedAt).toBe(text.indexOf('{"id":"c"'));
    expect(await readFile(file, 'utf8')).toBe(text);
    await cutUnfinishedLine(file, done.unfinishedAt!);
    expect(await readFile(file, 'utf8')).toBe('{"id":"a","reply":"x"}\n\n{"id":7}\n');
    expect((await readDoneIds(file)).unfinishedAt).toBeUndefined();
    await writeFile(file, '{"id":"only","rep');
    expect(await readDoneIds(file)).toEqual({ ids: new Set(), retry: new Set(), failedKept: 0, unfinishedAt: 0 });
  });

  it('treats a missing file as empty, and refuses a line that is not a result', async () => {
    expect((await readDoneIds(join(dir, 'none.jsonl'))).ids.size).toBe(0);
    const file = join(dir, 'out.jsonl');
    await writeFile(file, '{"id":"a"}\nnot json\n');
    await expect(readDoneIds(file)).rejects.toThrow(/out\.jsonl:2: not a result line/);
  });
});

describe('progress line', () => {
  it('shows done/total, percent, rate, ETA and failures', () => {
    expect(progressLine({ done: 250, total: 1000, failed: 2 }, 10)).toBe(`[${'█'.repeat(6)}${'░'.repeat(18)}] 250/1,000 25% · 25/s · ETA 0:30 · 2 failed`);
    expect(progressLine({ done: 0, total: 3, failed: 0, label: 'validating' }, 0)).toBe(`validating [${'░'.repeat(24)}] 0/3 0%`);
    expect(duration(3725)).toBe('1:02:05');
  });

  it('redraws one line in place, at most every 100 ms, and clears it at the end', () => {
    const written: string[] = [];
    let now = 0;
    const stream = { columns: 0, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
    const progress = createProgress(true, stream, () => now);
    progress.update({ done: 1, total: 10, failed: 0 });
    now = 50;
    progress.update({ done: 2, total: 10, failed: 0 }); // too soon: skipped
    now = 150;
    progress.update({ done: 3, total: 10, failed: 1 });
    progress.stop();
    expect(written).toHaveLength(3);
    expect(written[1]).toMatch(/^\r\[.*\] 3\/10 30% · 20\/s · ETA 0:00 · 1 failed\x1b\[K$/); // full width when columns is unknown
    expect(written[2]).toBe('\r\x1b[K');
  });

  it('draws nothing when off (no terminal, NO_COLOR, --quiet)', () => {
    const written: string[] = [];
    const stream = { columns: 80, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
    const progress = createProgress(false, stream, () => 1_000);
    progress.update({ done: 1, total: 2, failed: 0 });
    progress.update({ done: 2, total: 2, failed: 1 });
    progress.stop();
    expect(written).toEqual([]);
  });
});
