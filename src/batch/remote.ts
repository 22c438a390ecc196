import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { badInputError } from '../core/errors.js';
import { hasEnded, type BatchClient, type RemoteBatch, type RequestOutcome } from '../llm/batch-client.js';
import type { BatchItem } from './item.js';
import { errorRecord, replyRecord, type ResultRecord } from './record.js';
import { resultLine } from './output.js';

/** The Batch API takes at most this much in one input file. */
export const API_LIMITS = { requests: 50_000, bytes: 200 * 1000 * 1000 } as const;
export type FileLimits = { requests: number; bytes: number };

export interface RequestFile {
  path: string;
  requests: number;
  bytes: number;
  /** Of the file's bytes: what the batch journal knows a submission by. */
  sha256: string;
}

/**
 * Writes the items as request files in `dir`, starting a new file whenever the next line
 * would pass a limit. A single request larger than a whole file is refused.
 */
export async function writeRequestFiles(
  items: AsyncIterable<BatchItem> | Iterable<BatchItem>,
  toLine: (item: BatchItem) => string | Promise<string>,
  dir: string,
  name: string,
  limits: FileLimits = API_LIMITS,
): Promise<RequestFile[]> {
  const files: RequestFile[] = [];
  let fd: number | undefined;
  let current: RequestFile | undefined;
  let hash: Hash | undefined;
  const finish = () => {
    if (current && hash) current.sha256 = hash.digest('hex');
  };
  try {
    for await (const item of items) {
      const line = `${await toLine(item)}\n`;
      const bytes = Buffer.byteLength(line);
      if (bytes > limits.bytes) {
        throw badInputError(
          `${name}:${item.line}: this request is larger than a batch file may be (${limits.bytes} bytes)`,
          'shorten it, or run it without --remote',
        );
      }
      if (!current || current.requests + 1 > limits.requests || current.bytes + bytes > limits.bytes) {
        if (fd !== undefined) closeSync(fd);
        finish();
        current = { path: join(dir, `requests-${files.length + 1}.jsonl`), requests: 0, bytes: 0, sha256: '' };
        hash = createHash('sha256');
        files.push(current);
        fd = openSync(current.path, 'w', 0o600);
      }
      writeSync(fd!, line);
      hash!.update(line);
      current.requests++;
      current.bytes += bytes;
    }
    finish();
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return files;
}

export interface PollOptions {
  /** Wait before the second check; it grows by POLL_GROWTH up to MAX_POLL_MS (or this, if larger). */
  intervalMs: number;
  signal: AbortSignal;
  onCheck(batches: RemoteBatch[]): void | Promise<void>;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export const POLL_GROWTH = 1.2;
export const MAX_POLL_MS = 5 * 60_000;

/** Checks at once, then again after each wait, until every batch has ended. */
export async function waitForBatches(client: BatchClient, ids: string[], options: PollOptions): Promise<RemoteBatch[]> {
  const sleep = options.sleep ?? abortableSleep;
  const ceiling = Math.max(options.intervalMs, MAX_POLL_MS);
  let wait = options.intervalMs;
  let batches = await Promise.all(ids.map((id) => client.retrieve(id)));
  await options.onCheck(batches);
  while (!batches.every(hasEnded)) {
    await sleep(wait, options.signal);
    wait = Math.min(ceiling, wait * POLL_GROWTH);
    batches = await Promise.all(batches.map((b) => (hasEnded(b) ? b : client.retrieve(b.id))));
    await options.onCheck(batches);
  }
  return batches;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface CollectedResults {
  written: number;
  /** Requests that never ran (expired or cancelled first): not written, so --resume sends them. */
  notRun: number;
}

/**
 * Writes an ended batch's results in the order of its requests (`order`: their custom_ids),
 * though the API writes them in any order. Records are first spooled to `spool` (a private
 * temporary file) with only an index in memory, then copied out in order.
 */
export async function collectResults(
  batch: RemoteBatch,
  client: BatchClient,
  parse: (line: string) => RequestOutcome,
  order: AsyncIterable<string>,
  spool: string,
  write: (record: ResultRecord) => void,
): Promise<CollectedResults> {
  const index = new Map<string, { offset: number; length: number }>();
  const fd = openSync(spool, 'w+', 0o600);
  try {
    let offset = 0;
    for (const fileId of [batch.outputFileId, batch.errorFileId]) {
      if (!fileId) continue;
      for await (const line of client.lines(fileId)) {
        const outcome = parse(line);
        if (outcome.kind === 'notRun') continue;
        const record = outcome.kind === 'reply' ? replyRecord(outcome.customId, outcome.reply) : errorRecord(outcome.customId, null, outcome.error);
        const bytes = Buffer.from(resultLine(record));
        writeSync(fd, bytes, 0, bytes.length, offset);
        index.set(outcome.customId, { offset, length: bytes.length });
        offset += bytes.length;
      }
    }
    let written = 0;
    const copy = (at: { offset: number; length: number }) => {
      const bytes = Buffer.alloc(at.length);
      readSync(fd, bytes, 0, at.length, at.offset);
      write(JSON.parse(bytes.toString('utf8')) as ResultRecord);
      written++;
    };
    let requests = 0;
    for await (const id of order) {
      requests++;
      const at = index.get(id);
      if (!at) continue;
      index.delete(id);
      copy(at);
    }
    const notRun = requests - written;
    for (const at of index.values()) copy(at); // answers to ids not in the request file, if any
    return { written, notRun };
  } finally {
    closeSync(fd);
  }
}
