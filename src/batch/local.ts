import { setMaxListeners } from 'node:events';
import { ExitCode, GptError } from '../core/errors.js';
import type { BatchItem } from './item.js';
import { AimdLimiter, type Outcome } from './limiter.js';
import { ReorderBuffer } from './order.js';
import { errorRecord, type ResultRecord } from './record.js';

/**
 * Sends one item. Its own failure comes back as a record with `error`; a throw (a refused
 * key, an interrupt) stops the whole batch.
 */
export type SendItem = (item: BatchItem, signal: AbortSignal) => Promise<ResultRecord>;

export interface LocalRunOptions {
  /** Most requests in flight; fewer while the server keeps answering 429. */
  concurrency: number;
  /** Ctrl-C: stop sending; what is in flight is not written, so --resume sends it again. */
  signal: AbortSignal;
}

/**
 * How far ahead of the first unwritten item the runner may start items, in multiples of
 * the concurrency: it bounds the results held back for ordering when one item is slow.
 */
const WINDOW_PER_SLOT = 4;

/**
 * Runs items concurrently and passes their results to `emit` in input order. Items are
 * read from `items` only as they are started. Items of one thread run one after another.
 */
export async function runLocal(
  items: AsyncIterable<BatchItem> | Iterable<BatchItem>,
  options: LocalRunOptions,
  send: SendItem,
  emit: (record: ResultRecord) => void,
): Promise<void> {
  const limiter = new AimdLimiter(options.concurrency);
  const window = options.concurrency * WINDOW_PER_SLOT;
  const ordered = new ReorderBuffer(emit);
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
      stopAll(error);
    }
  };

  const runItem = async (index: number, item: BatchItem, before: Promise<boolean> | undefined): Promise<boolean> => {
    if (before && !(await before) && !stop.signal.aborted) {
      deliver(index, errorRecord(item.id, item.model ?? null, new GptError(ExitCode.batchItemsFailed,
        `not sent: an earlier item of thread '${item.thread}' failed`, 'fix that item, then run the thread\'s items again')));
      return false;
    }
    if (stop.signal.aborted) return false;
    const permit = await limiter.acquire();
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
      // Start an item only while the results held back for ordering stay within the window.
      await ordered.reached(index - window + 1);
      if (stop.signal.aborted) break;
      const thread = item.thread;
      const task = runItem(index++, item, thread === undefined ? undefined : threads.get(thread));
      running.add(task);
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
  }
  if (fatal) throw fatal.error;
  if (options.signal.aborted) throw options.signal.reason;
}
