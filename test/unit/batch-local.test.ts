import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ExitCode, GptError } from '../../src/core/errors.js';
import type { BatchItem } from '../../src/batch/item.js';
import { AimdLimiter } from '../../src/batch/limiter.js';
import { runLocal, type SendItem } from '../../src/batch/local.js';
import { ReorderBuffer } from '../../src/batch/order.js';
import { errorRecord, type ResultRecord } from '../../src/batch/record.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const items = (n: number, extra: (i: number) => Partial<BatchItem> = () => ({})): BatchItem[] =>
  Array.from({ length: n }, (_, i) => ({ id: `i${i}`, line: i + 1, prompt: `p${i}`, ...extra(i) }));
const ok = (item: BatchItem, text = `echo ${item.prompt}`): ResultRecord => ({
  id: item.id,
  reply: text,
  model: 'm',
  finish_reason: 'stop',
  usage: null,
  cost: null,
});
const never = new AbortController().signal;

describe('ReorderBuffer', () => {
  it('passes results on in index order, as soon as all before them are there', async () => {
    const out: string[] = [];
    const buffer = new ReorderBuffer<string>((v) => out.push(v));
    buffer.put(2, 'c');
    buffer.put(1, 'b');
    expect(out).toEqual([]);
    expect(buffer.held).toBe(2);
    const reached = buffer.room(3, { items: 1, chars: Infinity }); // once all before 3 are passed on
    buffer.put(0, 'a');
    expect(out).toEqual(['a', 'b', 'c']);
    await reached;
    expect(() => buffer.put(1, 'again')).toThrow();
  });
});

describe('AimdLimiter', () => {
  it('halves the limit on a 429 once per round, and grows it back by one per round of successes', async () => {
    let now = 0;
    const limiter = new AimdLimiter(8, () => now);
    const permits = await Promise.all(Array.from({ length: 8 }, () => limiter.acquire()));
    now = 1;
    limiter.release(permits[0]!, 'rateLimited');
    expect(limiter.current).toBe(4);
    limiter.release(permits[1]!, 'rateLimited'); // sent before the cut: no second cut
    expect(limiter.current).toBe(4);
    for (const p of permits.slice(2)) limiter.release(p, 'ok');
    expect(limiter.current).toBe(5);
    now = 2;
    const late = await limiter.acquire();
    limiter.release(late, 'rateLimited');
    expect(limiter.current).toBe(2);
  });

  it('hands out slots first come, first served, never more than the limit', async () => {
    const limiter = new AimdLimiter(2);
    const a = await limiter.acquire();
    await limiter.acquire();
    const order: string[] = [];
    const c = limiter.acquire().then(() => order.push('c'));
    const d = limiter.acquire().then(() => order.push('d'));
    await sleep(1);
    expect(order).toEqual([]); // both slots are taken
    limiter.release(a, 'ok');
    await c;
    await sleep(1);
    expect(order).toEqual(['c']); // the freed slot went to c, and d still waits
    void d;
  });
});

describe('runLocal', () => {
  it('writes results in input order though they finish out of order, within the concurrency', async () => {
    let inFlight = 0;
    let most = 0;
    const send: SendItem = async (item) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await sleep(Number(item.id.slice(1)) % 3 === 0 ? 15 : 1);
      inFlight--;
      return ok(item);
    };
    const out: ResultRecord[] = [];
    await runLocal(items(30), { concurrency: 4, signal: never }, send, (r) => out.push(r));
    expect(out.map((r) => r.id)).toEqual(items(30).map((i) => i.id));
    expect(most).toBe(4);
  });

  it('keeps sending while one slow item is pending, and still writes in input order', async () => {
    let started = 0;
    let inFlight = 0;
    let most = 0;
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const send: SendItem = async (item) => {
      started++;
      most = Math.max(most, ++inFlight);
      await (item.id === 'i0' ? slow : sleep(1));
      inFlight--;
      return ok(item);
    };
    const out: string[] = [];
    const run = runLocal(items(300), { concurrency: 4, signal: never }, send, (r) => out.push(r.id));
    for (let waited = 0; started < 300 && waited < 2000; waited += 5) await sleep(5);
    expect(started).toBe(300); // every item is sent while i0 is still pending
    expect(out).toEqual([]); // held back for ordering
    expect(most).toBe(4);
    release();
    await run;
    expect(out).toEqual(items(300).map((i) => i.id));
  });

  it('holds back no more than its limits: then sending waits for the slow item', async () => {
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    const send: SendItem = async (item) => {
      started.push(item.id);
      if (item.id === 'i0') await slow;
      return ok(item, 'x'.repeat(100));
    };
    const byCount = runLocal(items(50), { concurrency: 2, signal: never, hold: { items: 10, chars: Infinity } }, send, () => {});
    await sleep(20);
    expect(started).toHaveLength(10); // i0 and the 9 after it
    release();
    await byCount;
    expect(started).toHaveLength(50);

    started.length = 0;
    let releaseAgain!: () => void;
    const slowAgain = new Promise<void>((resolve) => (releaseAgain = resolve));
    const sendAgain: SendItem = async (item) => {
      started.push(item.id);
      if (item.id === 'i0') await slowAgain;
      return ok(item, 'x'.repeat(1000));
    };
    // Each held result weighs its reply and 256 for the rest: three pass 3,000 characters.
    const byChars = runLocal(items(50), { concurrency: 2, signal: never, hold: { items: 1000, chars: 3000 } }, sendAgain, () => {});
    await sleep(20);
    expect(started.length).toBeGreaterThanOrEqual(4);
    expect(started.length).toBeLessThanOrEqual(5); // i0, three held, and at most one in flight
    releaseAgain();
    await byChars;
    expect(started).toHaveLength(50);
  });

  it('runs the items of one thread one after another, and fails the rest of a thread after a failure', async () => {
    const log: string[] = [];
    const send: SendItem = async (item) => {
      log.push(`start ${item.id}`);
      await sleep(item.id === 'i0' ? 20 : 1);
      log.push(`end ${item.id}`);
      return item.id === 'i3' ? errorRecord(item.id, 'm', new GptError(ExitCode.apiRejected, 'no')) : ok(item);
    };
    const input = items(6, (i) => (i % 3 === 0 ? { thread: 'notes' } : {}));
    const out: ResultRecord[] = [];
    await runLocal(input, { concurrency: 4, signal: never }, send, (r) => out.push(r));
    expect(log.indexOf('start i3')).toBeGreaterThan(log.indexOf('end i0'));
    expect(log.indexOf('start i1')).toBeLessThan(log.indexOf('end i0')); // others do not wait
    expect(out.map((r) => r.id)).toEqual(['i0', 'i1', 'i2', 'i3', 'i4', 'i5']);
    expect(out[3]!.error?.status).toBeNull();
  });

  it('stops at an error that every item would hit, keeping what finished before it', async () => {
    const send: SendItem = async (item, signal) => {
      if (item.id === 'i0') return ok(item);
      if (item.id === 'i2') throw new GptError(ExitCode.config, 'the API refused the key');
      await sleep(30);
      if (signal.aborted) throw new GptError(ExitCode.interrupted, 'interrupted');
      return ok(item);
    };
    const out: ResultRecord[] = [];
    await expect(runLocal(items(50), { concurrency: 4, signal: never }, send, (r) => out.push(r))).rejects.toThrow('refused the key');
    expect(out.map((r) => r.id)).toEqual(['i0']);
  });

  it('stops when a result cannot be written', async () => {
    const send: SendItem = async (item) => ok(item);
    const full = new GptError(ExitCode.storage, 'cannot write out.jsonl (ENOSPC)');
    let written = 0;
    await expect(
      runLocal(
        items(20, (i) => (i === 3 ? { thread: 't' } : {})),
        { concurrency: 2, signal: never },
        send,
        () => {
          if (++written === 3) throw full;
        },
      ),
    ).rejects.toBe(full);
    expect(written).toBe(3);
  });

  it('stops sending when interrupted, and does not write what was in flight', async () => {
    const interrupt = new AbortController();
    const sent: string[] = [];
    const send: SendItem = async (item, signal) => {
      sent.push(item.id);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, item.id === 'i0' ? 1 : 10_000);
        signal.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        });
      });
      if (signal.aborted) throw new GptError(ExitCode.interrupted, 'interrupted');
      return ok(item);
    };
    const out: ResultRecord[] = [];
    const run = runLocal(items(20), { concurrency: 3, signal: interrupt.signal }, send, (r) => out.push(r));
    await sleep(20);
    interrupt.abort(new GptError(ExitCode.interrupted, 'interrupted'));
    await expect(run).rejects.toThrow('interrupted');
    expect(out.map((r) => r.id)).toEqual(['i0']);
    expect(sent.length).toBe(4);
  });

  it('when stopped behind a slow item, still writes the results held for it, in input order', async () => {
    const interrupt = new AbortController();
    const send: SendItem = async (item, signal) => {
      if (item.id !== 'i0') return ok(item);
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      throw new GptError(ExitCode.interrupted, 'interrupted');
    };
    const out: string[] = [];
    const run = runLocal(items(20), { concurrency: 3, signal: interrupt.signal }, send, (r) => out.push(r.id));
    await sleep(20);
    expect(out).toEqual([]);
    interrupt.abort(new GptError(ExitCode.interrupted, 'interrupted'));
    await expect(run).rejects.toThrow('interrupted');
    expect(out).toEqual(
      items(20)
        .slice(1)
        .map((i) => i.id),
    ); // all but the one in flight
  });

  it('sends fewer at once while the server keeps answering 429', async () => {
    let inFlight = 0;
    const seen: number[] = [];
    const send: SendItem = async (item) => {
      inFlight++;
      seen.push(inFlight);
      await sleep(2);
      inFlight--;
      const n = Number(item.id.slice(1));
      return n < 16 ? errorRecord(item.id, 'm', new GptError(ExitCode.network, 'rate limited', undefined, { status: 429 })) : ok(item);
    };
    await runLocal(items(60), { concurrency: 8, signal: never }, send, () => {});
    // In flight as each item started: 8 at first, down to 1 after the 429s, then back up.
    expect(Math.max(...seen.slice(0, 8))).toBe(8);
    expect(Math.max(...seen.slice(14, 18))).toBe(1);
    expect(Math.max(...seen.slice(-4))).toBe(8);
  });

  it('holds no more than the window of replies: memory stays flat over 40,000 items of 2 KB', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const reply = 'x'.repeat(2048);
    const send: SendItem = async (item) => {
      await new Promise((resolve) => setImmediate(resolve));
      return ok(item, `${reply}${item.id}`);
    };
    async function* many(n: number) {
      for (let i = 0; i < n; i++) yield { id: `i${i}`, line: i + 1, prompt: 'p' };
    }
    let written = 0;
    let heapAtStart = 0;
    let heapLater = 0;
    await runLocal(many(40_000), { concurrency: 16, signal: never }, send, () => {
      written++;
      if (written === 2_000) {
        gc();
        heapAtStart = process.memoryUsage().heapUsed;
      }
      if (written === 39_000) {
        gc();
        heapLater = process.memoryUsage().heapUsed;
      }
    });
    expect(written).toBe(40_000);
    // 38,000 replies of 2 KB would be ~78 MB; allow noise of a few MB.
    expect(heapLater - heapAtStart).toBeLessThan(8 * 1024 * 1024);
  });
});
