import { setMaxListeners } from 'node:events';
import { ExitCode, GptError } from '../core/errors.js';
import type { BatchItem } from './item.js';
import { AimdLimiter, type Outcome, type Permit } from './limiter.js';
import { ReorderBuffer, type HoldLimits } from './order.js';
import { errorRecord, type ResultRecord } from './record.js';

/**
 * Sends one item. Its own failure comes back as a record with `error`; a throw (a refused
 * key, an interrupt) stops the whole batch.
 */
export type SendItem = (item: BatchItem, signal: AbortSignal) => Promise<ResultRecord>;

export interface LocalRunOptions {
  /** Most requests in flight; fewer while the server keeps answering 429. */
  concurrency: number;
  /**
   * Ctrl-C: stop sending; what is in flight is not written, so --resume sends it again, and
   * what finished is, though the output then has gaps where those items would be.
   */
  signal: AbortSignal;
  /** How much may be held back for ordering (HOLD_LIMITS unless a test makes it small). */
  hold?: HoldLimits;
  /** Called when an item that was read is done with, sent or not (--max-cost settles its estimate). */
  finished?: (item: BatchItem) => void;
}

/**
 * A slow item holds back the output, never the sending: results that finish after it are
 * held in memory until it is done, up to 10,000 items or 32 M characters of replies (about
 * 64 MiB), and only then does sending wait for it. At -j 16 and 100 ms a reply, 10,000
 * items is a minute of sending; a slow item takes at most --timeout, with retries.
 */
export const HOLD_LIMITS: HoldLimits = { items: 10_000, chars: 32 * 1024 * 1024 };

/** A held result's weight: its text, and a little for the rest of the record. */
const resultChars = (record: ResultRecord) => (record.reply?.length ?? 0) + (record.error?.message.length ?? 0) + 256;

/**
 * Runs items concurrently and passes their results to `emit` in input order (a run that
 * stops also passes on the results held behind an unfinished item). Items are
 * read from `items` only as they are started. Items of one thread run one after another.
 */
export async function runLocal(
  items: AsyncIterable<BatchItem> | Iterable<BatchItem>,
  options: LocalRunOptions,
  send: SendItem,
  emit: (record: ResultRecord) => void,
): Promise<void> {
  const limiter = new AimdLimiter(options.concurrency);
  const hold = options.hold ?? HOLD_LIMITS;
  const ordered = new ReorderBuffer(emit, resultChars);
  const stop = new AbortController();
  setMaxListeners(0, stop.signal); // one listener per item in flight
  stop.signal.addEventListener('abort', () => ordered.release(), { once: true });
  const onInterrupt = () => stop.abort(options.signal.reason);
  if (options.signal.aborted) onInterrupt();
  options.signal.addEventListener('abort', onInterrupt, { once: true });
  /** Per thread, whether its latest item so far succeeded (resolved when it has finished). */
  const threads = new Map<string, Promise<boolean>>();
  const running = new Set<Promise<unknown>>();
  let fatal: { error: unknown } | undefined;
  let writeFailed = false;
  const stopAll = (error: unknown) => {
    if (fatal) return;
    fatal = { error };
    stop.abort(error);
  };
  /** Passes a result on; a result that cannot be written (a full disk) stops the batch. */
  const deliver = (index: number, record: ResultRecord) => {
    try {
      ordered.put(index, record);
    } catch (error) {
      writeFailed = true;
      stopAll(error);
    }
  };

  /** Runs one item: with the slot `taken` for it, or after its thread's `before` item, taking a slot then. */
  const runItem = async (index: number, item: BatchItem, start: { taken: Permit } | { before: Promise<boolean> }): Promise<boolean> => {
    if ('before' in start && !(await start.before) && !stop.signal.aborted) {
      deliver(
        index,
        errorRecord(
          item.id,
          item.model ?? null,
          new GptError(
            ExitCode.batchItemsFailed,
            `not sent: an earlier item of thread '${item.thread}' failed`,
            "fix that item, then run the thread's items again",
          ),
        ),
      );
      return false;
    }
    if (stop.signal.aborted) {
      if ('taken' in start) limiter.release(start.taken, 'failed');
      return false;
    }
    const permit = 'taken' in start ? start.taken : await limiter.acquire();
    let outcome: Outcome = 'failed';
    // A signal per item: the SDK adds a listener to the signal it is given and never removes it.
    const itemAbort = new AbortController();
    const forward = () => itemAbort.abort(stop.signal.reason);
    stop.signal.addEventListener('abort', forward, { once: true });
    try {
      if (stop.signal.aborted) return false;
      const record = await send(item, itemAbort.signal);
      outcome = !record.error ? 'ok' : record.error.status === 429 ? 'rateLimited' : 'failed';
      deliver(index, record);
      return outcome === 'ok';
    } catch (error) {
      stopAll(error);
      return false;
    } finally {
      stop.signal.removeEventListener('abort', forward);
      limiter.release(permit, outcome);
    }
  };

  try {
    let index = 0;
    for await (const item of items) {
      // Start an item only while what is held back for ordering stays within bounds,
      await ordered.room(index, hold);
      if (stop.signal.aborted) break;
      const thread = item.thread;
      const before = thread === undefined ? undefined : threads.get(thread);
      // and, unless it waits for its thread, once a request slot is free: the input is read
      // no faster than it is sent.
      const start = before ? { before } : { taken: await limiter.acquire() };
      const task = runItem(index++, item, start);
      running.add(task);
      if (options.finished) void task.finally(() => options.finished!(item));
      void task.finally(() => running.delete(task));
      if (thread !== undefined) {
        threads.set(thread, task);
        void task.finally(() => {
          if (threads.get(thread) === task) threads.delete(thread);
        });
      }
    }
  } catch (error) {
    // The input could not be read further: finish what is in flight, then report it.
    fatal ??= { error };
  } finally {
    await Promise.allSettled([...running]);
    options.signal.removeEventListener('abort', onInterrupt);
    // Stopped behind an unfinished item: its followers' results are written all the same.
    if (!writeFailed) {
      try {
        ordered.flush();
      } catch (error) {
        fatal ??= { error };
      }
    }
  }
  if (fatal) throw fatal.error;
  if (options.signal.aborted) throw options.signal.reason;
}
