import { join } from 'node:path';
import type { Progress } from '../io/progress.js';
import { customIdOf, type BatchClient, type RemoteBatch, type RequestOutcome } from '../llm/batch-client.js';
import type { ResultRecord } from './record.js';
import { collectResults, waitForBatches, type RequestFile } from './remote.js';

/** One batch to pick up, and where the order of its requests can be read. */
export interface BatchPart {
  id: string;
  /** The request file's lines (kept locally, or downloaded again). */
  requestLines(): AsyncIterable<string>;
}

/** What is known of a request file from an earlier run that stopped: its upload, its batch. */
export interface SubmittedPart {
  fileId?: string;
  batchId?: string;
}

/** Told of each upload and batch as soon as the API returns it, before anything else can fail. */
export interface SubmitRecord {
  uploaded(part: number, fileId: string): Promise<void>;
  /** `found`: the API already had it, made from this upload by a run that stopped before recording it. */
  created(part: number, batch: RemoteBatch, found?: boolean): Promise<void>;
}

/**
 * Creates a batch for each request file, uploading it first, and returns the batch ids in file
 * order. A file already uploaded (`known[i].fileId`) is not uploaded again, and a batch the API
 * already made from it is taken rather than paid for twice; a file that already has its batch
 * (`known[i].batchId`) is left as it is.
 */
export async function submitFiles(client: BatchClient, files: RequestFile[], name: string, known: SubmittedPart[], record: SubmitRecord): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, file] of files.entries()) {
    const existing = known[i]?.batchId;
    if (existing) {
      ids.push(existing);
      continue;
    }
    const part = files.length > 1 ? `-${i + 1}-of-${files.length}` : '';
    let fileId = known[i]?.fileId;
    if (!fileId) {
      fileId = await client.upload(file.path, `gpt-batch${part}.jsonl`);
      await record.uploaded(i, fileId);
    } else {
      const found = await client.batchOfFile(fileId);
      if (found) {
        await record.created(i, found, true);
        ids.push(found.id);
        continue;
      }
    }
    const batch = await client.create(fileId, { created_by: 'gpt batch', input: name.slice(-500), part: `${i + 1}/${files.length}` });
    await record.created(i, batch);
    ids.push(batch.id);
  }
  return ids;
}

export interface PickUpContext {
  client: BatchClient;
  parse(line: string): RequestOutcome;
  intervalMs: number;
  signal: AbortSignal;
  progress: Progress;
  /** A status change, for stderr (CI logs see the batch move without a progress bar). */
  onStatus(batch: RemoteBatch): void | Promise<void>;
  write(record: ResultRecord): void;
  /** A folder for temporary files. */
  scratch: string;
}

export interface PartOutcome {
  batch: RemoteBatch;
  written: number;
  /** Expired, cancelled, or the whole batch failed: no result was written for these. */
  notRun: number;
}

/** Polls until every part has ended, then writes their results, part after part, each in request order. */
export async function pickUp(parts: BatchPart[], context: PickUpContext): Promise<PartOutcome[]> {
  const seen = new Map<string, string>();
  const ended = await waitForBatches(
    context.client,
    parts.map((p) => p.id),
    {
      intervalMs: context.intervalMs,
      signal: context.signal,
      async onCheck(batches) {
        const sum = (key: 'total' | 'completed' | 'failed') => batches.reduce((n, b) => n + b[key], 0);
        const statuses = [...new Set(batches.map((b) => b.status))].join(', ');
        context.progress.update({ done: sum('completed') + sum('failed'), total: sum('total'), failed: sum('failed'), label: statuses });
        for (const b of batches) {
          if (seen.get(b.id) !== b.status) await context.onStatus(b);
          seen.set(b.id, b.status);
        }
      },
    },
  );
  context.progress.stop();
  const outcomes: PartOutcome[] = [];
  for (const [i, batch] of ended.entries()) {
    const part = parts[i]!;
    if (batch.status === 'failed') {
      let requests = 0;
      for await (const _line of part.requestLines()) requests++;
      outcomes.push({ batch, written: 0, notRun: requests });
      continue;
    }
    const order = mapLines(part.requestLines(), customIdOf);
    const { written, notRun } = await collectResults(batch, context.client, context.parse, order, join(context.scratch, `${batch.id}.results`), context.write);
    outcomes.push({ batch, written, notRun });
  }
  return outcomes;
}

async function* mapLines<T>(lines: AsyncIterable<string>, map: (line: string) => T): AsyncGenerator<T> {
  for await (const line of lines) if (line.trim() !== '') yield map(line);
}
