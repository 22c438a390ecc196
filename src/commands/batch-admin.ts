import type { ResultSink } from '../batch/output.js';
import type { BatchPart } from '../batch/remote-run.js';
import { hasEnded, type RemoteBatch } from '../llm/batch-client.js';
import type { Submission } from '../store/batch-journal.js';
import { checkResumeHasOutput } from './batch-options.js';
import { openResults, readResults, resultsFile } from './batch-output.js';
import { journalNotes, journalOf, notesFor, pickUpAndReport, progressText, timestamp } from './batch-remote.js';
import { RunReport } from './batch-report.js';
import type { Deps } from './deps.js';

// `gpt batch status|results|cancel|list`: batches already submitted, by id or from the journal.

export interface BatchIdsOptions {
  ids: string[];
  json?: boolean;
  output?: string;
  resume?: boolean;
  pollInterval?: number;
}

/** `gpt batch status ID...`: one line per batch on stdout (or JSON Lines). */
export async function runBatchStatus(options: BatchIdsOptions, deps: Deps): Promise<void> {
  const client = await deps.batchClient();
  const notes = await notesFor(deps);
  for (const id of options.ids) {
    const batch = await client.retrieve(id);
    await notes.status(batch);
    printBatch(batch, options, deps);
  }
}

/** `gpt batch cancel ID...`: the batch stops; what already ran keeps its results. Running its input again submits it anew. */
export async function runBatchCancel(options: BatchIdsOptions, deps: Deps): Promise<void> {
  const client = await deps.batchClient();
  const notes = await notesFor(deps);
  for (const id of options.ids) {
    const batch = await client.cancel(id);
    await notes.status(batch);
    await notes.cancelled(id);
    printBatch(batch, options, deps);
  }
}

export interface BatchListOptions {
  json?: boolean;
  /** Ask the API for the status of the batches that have not ended (needs the key). */
  refresh?: boolean;
}

/** `gpt batch list`: the batches submitted from here, from the journal; offline unless --refresh. */
export async function runBatchList(options: BatchListOptions, deps: Deps): Promise<void> {
  const journal = journalOf(deps);
  let submissions = await journal.read();
  if (options.refresh) {
    const client = await deps.batchClient();
    const going = submissions
      .flatMap((sub) => (sub.state === 'done' ? [] : sub.parts))
      .flatMap((part) => (part.batchId && !hasEnded({ status: part.status ?? 'validating' }) ? [part.batchId] : []));
    const notes = journalNotes(journal, new Set(going), deps);
    for (const id of going) await notes.status(await client.retrieve(id));
    submissions = await journal.read();
  }
  const rows = listed(submissions);
  if (rows.length === 0 && !options.json) deps.note(`gpt: no batches submitted from here yet (the journal is ${journal.file})`);
  for (const row of rows) {
    deps.out(
      options.json
        ? `${JSON.stringify(row)}\n`
        : `${row.id}  ${(row.results_written ? 'done' : row.status).padEnd(11)}  ${timestamp(new Date(row.created_at))}  ${row.input}${row.output ? ` -> ${row.output}` : ''}\n`,
    );
  }
}

/** A row of `gpt batch list` (its `--json` shape, documented in README): one per batch, or per upload that has none yet. */
function listed(submissions: Submission[]) {
  return submissions.flatMap((sub) =>
    sub.parts.map((part) => ({
      /** The batch id; before the batch was created, the uploaded file's id. */
      id: part.batchId ?? part.fileId ?? '-',
      /** As last seen here (`validating`, `in_progress`, `completed`, `expired`...), or `uploaded`, `not sent`. */
      status: part.batchId ? (part.status ?? 'validating') : part.fileId ? 'uploaded' : 'not sent',
      created_at: sub.createdAt.toISOString(),
      input: sub.input,
      output: sub.output,
      endpoint: sub.endpoint,
      requests: part.requests,
      sha256: part.sha256,
      results_written: sub.state === 'done',
    })),
  );
}

/** `gpt batch results ID... -o FILE`: waits for the batches to end, then writes their results. */
export async function runBatchResults(options: BatchIdsOptions, deps: Deps): Promise<void> {
  checkResumeHasOutput(options);
  const client = await deps.batchClient();
  const output = resultsFile(options.output, deps.cwd);
  const resumed = await readResults(output, options.resume);
  // The batches have run: nothing is sent again, so every line in the file stays (but a cut last one).
  const base = await openResults(output, resumed && { ...resumed, retry: new Set() }, deps);
  const done = resumed?.ids ?? new Set<string>();
  const sink: ResultSink = { write: (record) => void (done.has(record.id) || base.write(record)), close: () => base.close() };
  const batches = await Promise.all(options.ids.map((id) => client.retrieve(id)));
  const parts = batches.map((batch): BatchPart => ({ id: batch.id, requestLines: () => client.lines(batch.inputFileId) }));
  const total = batches.reduce((n, b) => n + b.total, 0);
  const run = new RunReport(total, 'run their input again with -o FILE --resume to send the rest', deps, !output);
  try {
    const notes = await notesFor(deps, output?.path ?? null);
    await pickUpAndReport(client, parts, options.pollInterval, deps, sink, run, notes, () => `gpt batch results ${options.ids.join(' ')}`);
  } finally {
    sink.close();
  }
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
