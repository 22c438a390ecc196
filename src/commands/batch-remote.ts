import { resolve } from 'node:path';
import { ExitCode, GptError, usageError } from '../core/errors.js';
import type { BatchItem } from '../batch/item.js';
import { fileSink, streamSink, type ResultSink } from '../batch/output.js';
import { writeRequestFiles } from '../batch/remote.js';
import { pickUp, submitFiles, type BatchPart, type PartOutcome } from '../batch/remote-run.js';
import { cutUnfinishedLine, readDoneIds } from '../batch/resume.js';
import { readLines, type BatchInput } from '../batch/source.js';
import { thousands } from '../io/progress.js';
import type { BatchClient, RemoteBatch } from '../llm/openai-batch.js';
import { DEFAULT_POLL_SECONDS, RunReport, remoteLine, withScratch, type BatchOptions } from './batch.js';
import type { Deps } from './deps.js';

// The --remote path of `gpt batch`, and `gpt batch status|results|cancel`: OpenAI's Batch API.

export async function runRemote(items: AsyncIterable<BatchItem>, input: BatchInput, options: BatchOptions, deps: Deps, sink: ResultSink, run: RunReport) {
  const { createBatchClient, requestLine } = await import('../llm/openai-batch.js');
  await withScratch(async (scratch) => {
    const files = await writeRequestFiles(items, remoteLine(requestLine, deps), scratch, input.name);
    if (files.length === 0) {
      deps.warn('gpt: nothing to send');
      return;
    }
    const client = createBatchClient(deps.settings);
    const batches = await submitFiles(client, files, input.name, (batch, file) =>
      deps.warn(`gpt: created batch ${batch.id} (${file.requests} request${file.requests === 1 ? '' : 's'})`));
    const ids = batches.map((b) => b.id);
    if (!options.wait) {
      deps.out(`${ids.join('\n')}\n`);
      deps.warn(`gpt: pick up the results later with: gpt batch results ${ids.join(' ')} -o FILE`);
      return;
    }
    const parts = batches.map((batch, i): BatchPart => ({ id: batch.id, requestLines: () => readLines(files[i]!.path, 'the request file') }));
    await pickUpAndReport(client, parts, options.pollInterval, deps, sink, run, () => {
      const keep = options.output ? ` -o ${options.output}${options.resume ? ' --resume' : ''}` : '';
      return `gpt batch results ${ids.join(' ')}${keep}`;
    });
  });
}

async function pickUpAndReport(
  client: BatchClient,
  parts: BatchPart[],
  pollSeconds: number | undefined,
  deps: Deps,
  sink: ResultSink,
  run: RunReport,
  pickUpLater: () => string,
): Promise<void> {
  const { parseResultLine } = await import('../llm/openai-batch.js');
  let outcomes: PartOutcome[];
  try {
    outcomes = await withScratch((scratch) => pickUp(parts, {
      client,
      parse: (line) => parseResultLine(line, deps.settings),
      intervalMs: (pollSeconds ?? DEFAULT_POLL_SECONDS) * 1000,
      signal: deps.signal,
      progress: run.progress,
      onStatus: (batch) => {
        if (!deps.terminal.decorate) deps.warn(`gpt: batch ${batch.id}: ${progressText(batch)}`);
      },
      write: run.writer(sink),
      scratch,
    }));
  } catch (error) {
    run.progress.stop();
    if (deps.signal.aborted) deps.warn(`gpt: the batch goes on running on the server; pick up its results with: ${pickUpLater()}`);
    throw error;
  }
  for (const { batch, written, notRun } of outcomes) {
    if (batch.status === 'failed') deps.warn(`gpt: batch ${batch.id} failed: ${batch.errors.join('; ') || 'no reason given'}`);
    else if (notRun > 0) deps.warn(`gpt: batch ${batch.id} ${batch.status}: ${written} of ${written + notRun} requests have results; ${notRun} did not run`);
  }
  run.summary();
  if (outcomes.every((o) => o.batch.status === 'failed')) {
    const first = outcomes[0]!.batch;
    throw new GptError(ExitCode.apiRejected, `the Batch API refused the batch: ${first.errors[0] ?? first.status}`, 'check the model name and the options');
  }
  const notRun = outcomes.reduce((n, o) => n + o.notRun, 0);
  if (notRun > 0 && run.tally.failed === 0) {
    throw new GptError(ExitCode.batchItemsFailed, `${notRun} of ${run.total} items did not run`, run.resumeHint);
  }
  run.checkFailures();
}

function progressText(batch: RemoteBatch): string {
  return `${batch.status}, ${thousands(batch.completed)} of ${thousands(batch.total)} done, ${thousands(batch.failed)} failed`;
}

export interface BatchIdsOptions {
  ids: string[];
  json?: boolean;
  output?: string;
  resume?: boolean;
  pollInterval?: number;
}

/** `gpt batch status ID...`: one line per batch on stdout (or JSON Lines). */
export async function runBatchStatus(options: BatchIdsOptions, deps: Deps): Promise<void> {
  const client = await batchClient(deps);
  for (const id of options.ids) printBatch(await client.retrieve(id), options, deps);
}

/** `gpt batch cancel ID...`: the batch stops; what already ran keeps its results. */
export async function runBatchCancel(options: BatchIdsOptions, deps: Deps): Promise<void> {
  const client = await batchClient(deps);
  for (const id of options.ids) printBatch(await client.cancel(id), options, deps);
}

/** `gpt batch results ID... -o FILE`: waits for the batches to end, then writes their results. */
export async function runBatchResults(options: BatchIdsOptions, deps: Deps): Promise<void> {
  if (options.resume && options.output === undefined) throw usageError('--resume needs -o FILE');
  const client = await batchClient(deps);
  const output = options.output === undefined ? undefined : resolve(deps.cwd, options.output);
  const resumed = options.resume && output ? await readDoneIds(output) : undefined;
  if (resumed?.unfinishedAt !== undefined) await cutUnfinishedLine(output!, resumed.unfinishedAt);
  const done = resumed?.ids ?? new Set<string>();
  const base = output ? fileSink(output, options.resume ?? false) : streamSink(deps.out);
  const sink: ResultSink = { write: (record) => void (done.has(record.id) || base.write(record)), close: () => base.close() };
  const parts = options.ids.map((id): BatchPart => ({
    id,
    async *requestLines() {
      yield* client.lines((await client.retrieve(id)).inputFileId);
    },
  }));
  const total = (await Promise.all(options.ids.map((id) => client.retrieve(id)))).reduce((n, b) => n + b.total, 0);
  const run = new RunReport(total, 'run their input again with -o FILE --resume to send the rest', deps);
  try {
    await pickUpAndReport(client, parts, options.pollInterval, deps, sink, run, () => `gpt batch results ${options.ids.join(' ')}`);
  } finally {
    sink.close();
  }
}

export async function batchClient(deps: Deps): Promise<BatchClient> {
  const { createBatchClient } = await import('../llm/openai-batch.js');
  return createBatchClient(deps.settings);
}

function printBatch(batch: RemoteBatch, options: BatchIdsOptions, deps: Deps): void {
  if (options.json) {
    deps.out(`${JSON.stringify(batchJson(batch))}\n`);
    return;
  }
  const errors = batch.errors.length > 0 ? ` — ${batch.errors.join('; ')}` : '';
  deps.out(`${batch.id}: ${progressText(batch)}${errors}\n`);
}

/** The `--json` shape of a batch (documented in README). */
function batchJson(batch: RemoteBatch) {
  return {
    id: batch.id,
    status: batch.status,
    total: batch.total,
    completed: batch.completed,
    failed: batch.failed,
    input_file_id: batch.inputFileId,
    output_file_id: batch.outputFileId,
    error_file_id: batch.errorFileId,
    errors: batch.errors,
    created_at: batch.createdAt.toISOString(),
  };
}
