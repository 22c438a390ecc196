import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ExitCode, GptError, badInputError, formatError } from '../core/errors.js';
import type { BatchItem } from '../batch/item.js';
import { itemRequest } from '../batch/request.js';
import type { ResultSink } from '../batch/output.js';
import { writeRequestFiles, type RequestFile } from '../batch/remote.js';
import { pickUp, submitFiles, type BatchPart, type PartOutcome } from '../batch/remote-run.js';
import { readLines, type BatchInput } from '../batch/source.js';
import { thousands } from '../io/progress.js';
import { hasEnded, type BatchClient, type RemoteBatch } from '../llm/batch-client.js';
import { chatRequest } from '../llm/client.js';
import { DEFAULT_POLL_SECONDS, itemPathRules, type BatchOptions } from './batch-options.js';
import type { ItemPathRules } from '../batch/item-paths.js';
import { sentOf } from './attachments.js';
import { loadItemContext, promptWithFiles } from './batch-context.js';
import { RunReport } from './batch-report.js';
import { BatchJournal, type Submission } from '../store/batch-journal.js';
import type { Deps } from './deps.js';

// The --remote path of `gpt batch`: OpenAI's Batch API. Picking batches up and the journal's
// notes serve `gpt batch status|results|cancel|list` too (batch-admin.ts).

export async function runRemote(items: AsyncIterable<BatchItem>, input: BatchInput, options: BatchOptions, deps: Deps, sink: ResultSink, run: RunReport) {
  const { requestLine } = await import('../llm/openai-batch.js');
  await withScratch(async (scratch) => {
    const files = await writeRequestFiles(items, remoteLine(requestLine, deps, itemPathRules(options, deps), options.maxFilesSize), scratch, input.name);
    if (files.length === 0) {
      deps.note('gpt: nothing to send');
      return;
    }
    const client = await deps.batchClient();
    const journal = journalOf(deps);
    const submission = await openSubmission(journal, files, options, deps);
    const { ids, picked } = await send(journal, submission.id, client, files, input.name, deps);
    if (!options.wait) {
      deps.out(`${ids.join('\n')}\n`);
      deps.note(`gpt: pick up the results later by running the same command without --no-wait, or with: gpt batch results ${ids.join(' ')} -o FILE`);
      return;
    }
    const parts = ids.map((id, i): BatchPart => ({ id, requestLines: () => readLines(files[i]!.path, 'the request file') }));
    await gone(picked, () =>
      pickUpAndReport(client, parts, options.pollInterval, deps, sink, run, journalNotes(journal, new Set(ids), deps), () => {
        const keep = options.output ? ` -o ${options.output}${options.resume ? ' --resume' : ''}` : '';
        return `gpt batch results ${ids.join(' ')}${keep}`;
      }),
    );
  });
}

/**
 * The journal's open submission of these very requests, to pick up (another run's that is still
 * sending it too); or a new one, recorded before anything is uploaded.
 */
async function openSubmission(journal: BatchJournal, files: RequestFile[], options: BatchOptions, deps: Deps): Promise<Submission> {
  const key = {
    input: options.file === '-' ? 'stdin' : resolve(deps.cwd, options.file),
    endpoint: endpointOf(deps),
    fingerprint: createHash('sha256')
      .update(files.map((f) => f.sha256).join('\n'))
      .digest('hex'),
  };
  const output = options.output === undefined ? null : resolve(deps.cwd, options.output);
  const parts = files.map((f) => ({ sha256: f.sha256, requests: f.requests }));
  const opened = await journal.openOrBegin(key, { ...key, output, parts }, { anew: options.newBatch });
  if (opened.picked) {
    const earlier = opened.submission;
    const ids = earlier.parts.flatMap((p) => (p.batchId ? [p.batchId] : []));
    const what = ids.length > 0 ? `batch${ids.length > 1 ? 'es' : ''} ${ids.join(', ')}` : 'the upload';
    deps.note(`gpt: picking up ${what} created ${timestamp(earlier.createdAt)} for this input (--new-batch submits it anew)`);
  }
  return opened.submission;
}

export const journalOf = (deps: Deps) => new BatchJournal(deps.paths.stateDir, { now: deps.now, warn: deps.warn });

/**
 * Uploads and creates what the submission lacks, holding its lock: a run that picked up another's
 * submission still being sent waits, then finds its batches. `picked`: a file or batch came from
 * the journal (an earlier run's).
 */
async function send(journal: BatchJournal, sub: string, client: BatchClient, files: RequestFile[], name: string, deps: Deps) {
  return journal.sending(
    sub,
    async (now) => {
      const picked = now.parts.some((p) => p.fileId !== undefined);
      const ids = await finishedWhenInterrupted(deps, () =>
        gone(picked, () =>
          submitFiles(client, files, name, now.parts, {
            uploaded: (part, fileId) => journal.uploaded(sub, part, fileId),
            async created(part, batch, found) {
              try {
                await journal.created(sub, part, batch.id, batch.status);
              } catch (error) {
                // The batch exists and is paid for: say its id and go on rather than lose it.
                deps.err(`gpt: batch ${batch.id} was created but is not in the journal: ${(error as GptError).message}\n`);
              }
              const requests = files[part]!.requests;
              const what = `batch ${batch.id} (${requests} request${requests === 1 ? '' : 's'})`;
              deps.note(found ? `gpt: found ${what}, created from this upload by a run that stopped before recording it` : `gpt: created ${what}`);
            },
          }),
        ),
      );
      return { ids, picked };
    },
    deps.signal,
  );
}

/**
 * Uploads and batch creations are finished and recorded, not abandoned, when Ctrl-C comes: a
 * batch created but not recorded would be paid for again by the next run. Says why nothing stops yet.
 */
async function finishedWhenInterrupted<T>(deps: Deps, work: () => Promise<T>): Promise<T> {
  const onInterrupt = () => deps.note('gpt: finishing the upload or batch creation under way, so that it is recorded (a second Ctrl-C leaves now)');
  deps.signal.addEventListener('abort', onInterrupt, { once: true });
  try {
    return await work();
  } finally {
    deps.signal.removeEventListener('abort', onInterrupt);
  }
}

/** A batch or file picked up from the journal that the API no longer has (deleted, or too old): say how to start again. */
async function gone<T>(picked: boolean, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!picked || !(error instanceof GptError) || error.status !== 404) throw error;
    throw new GptError(error.exitCode, `${error.message} (picked up from the journal of an earlier run)`, 'run again with --new-batch to submit anew', {
      cause: error,
      status: 404,
    });
  }
}

/** The base URL the batches live on: the same requests sent elsewhere are another submission. */
function endpointOf(deps: Deps): string {
  return (deps.settings.connection.baseURL ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
}

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** `2026-11-29T18:03:12Z` */
export const timestamp = (date: Date) => date.toISOString().replace(/\.\d+Z$/, 'Z');

/** What the journal is told while batches are picked up; it only adds to the record, so it never fails a run. */
export interface Notes {
  status(batch: RemoteBatch): Promise<void>;
  /** The batch's results have been written. */
  done(id: string): Promise<void>;
  cancelled(id: string): Promise<void>;
}

/**
 * Notes for the batches of `ids` that the journal knows; a failure to write is said once.
 * `output`: where the results go (null: stdout), when not where the submission said.
 */
export function journalNotes(journal: BatchJournal, ids: Set<string>, deps: Deps, output?: string | null): Notes {
  let warned = false;
  const note = async (work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      if (!warned) deps.warn(formatError(error as GptError));
      warned = true;
    }
  };
  const noteIfKnown = async (id: string, work: () => Promise<void>) => {
    if (ids.has(id)) await note(work);
  };
  return {
    status: (batch) => noteIfKnown(batch.id, () => journal.status(batch.id, batch.status)),
    done: (id) => noteIfKnown(id, () => journal.done(id, output)),
    cancelled: (id) => noteIfKnown(id, () => journal.cancelled(id)),
  };
}

/** Notes for the batches the journal knows (`gpt batch status|results|cancel` may be given others). */
export async function notesFor(deps: Deps, output?: string | null): Promise<Notes> {
  const journal = journalOf(deps);
  const known = await journal.read().catch(() => [] as Submission[]);
  const ids = known.flatMap((sub) => sub.parts.flatMap((p) => (p.batchId ? [p.batchId] : [])));
  return journalNotes(journal, new Set(ids), deps, output);
}

export async function pickUpAndReport(
  client: BatchClient,
  parts: BatchPart[],
  pollSeconds: number | undefined,
  deps: Deps,
  sink: ResultSink,
  run: RunReport,
  notes: Notes,
  pickUpLater: () => string,
): Promise<void> {
  const { parseResultLine } = await import('../llm/openai-batch.js');
  let outcomes: PartOutcome[];
  try {
    outcomes = await withScratch((scratch) =>
      pickUp(parts, {
        client,
        parse: (line) => parseResultLine(line, deps.settings.connection),
        intervalMs: (pollSeconds ?? DEFAULT_POLL_SECONDS) * 1000,
        signal: deps.signal,
        progress: run.progress,
        onStatus: async (batch) => {
          await notes.status(batch);
          // How a batch ended is told once, below, in our counts: the API's may differ (some count requests that never ran as failed).
          if (!deps.terminal.decorate && !hasEnded(batch)) deps.note(`gpt: batch ${batch.id}: ${progressText(batch)}`);
        },
        write: run.writer(sink),
        scratch,
      }),
    );
  } catch (error) {
    run.progress.stop();
    if (deps.signal.aborted) deps.note(`gpt: the batch goes on running on the server; run the same command again to pick up its results, or: ${pickUpLater()}`);
    throw error;
  }
  for (const { batch } of outcomes) await notes.done(batch.id);
  reportOutcomes(outcomes, run, deps);
}

/**
 * One account of how the batches ended: a line for each that did not complete, then the summary
 * (done, failed, did not run), then the error to exit with, saying how to send the rest.
 */
function reportOutcomes(outcomes: PartOutcome[], run: RunReport, deps: Deps): void {
  for (const { batch, notRun, written } of outcomes) {
    if (batch.status === 'failed') deps.warn(`gpt: batch ${batch.id} failed: ${batch.errors.join('; ') || 'no reason given'}`);
    else if (notRun > 0) deps.warn(`gpt: batch ${batch.id} ${batch.status}: ${notRun} of its ${written + notRun} requests did not run`);
  }
  const notRun = outcomes.reduce((n, o) => n + o.notRun, 0);
  run.summary(notRun);
  if (outcomes.every((o) => o.batch.status === 'failed')) {
    const first = outcomes[0]!.batch;
    throw new GptError(ExitCode.apiRejected, `the Batch API refused the batch: ${first.errors[0] ?? first.status}`, 'check the model name and the options');
  }
  if (notRun > 0) {
    const { failed } = run.tally;
    const of = `of ${run.total} item${run.total === 1 ? '' : 's'}`;
    const message = failed === 0 ? `${notRun} ${of} did not run` : `${failed} ${of} failed and ${notRun} did not run`;
    const retry = failed === 0 ? '' : '; to retry the failed ones too, remove their lines with "error" first';
    throw new GptError(ExitCode.batchItemsFailed, message, `${run.resumeHint}${retry}`);
  }
  run.checkFailures();
}

export function progressText(batch: RemoteBatch): string {
  return `${batch.status}, ${thousands(batch.completed)} of ${thousands(batch.total)} done, ${thousands(batch.failed)} failed`;
}

type RequestLine = typeof import('../llm/openai-batch.js').requestLine;

/**
 * An item as a line of a request file: the same request a local run sends, its files' text
 * in the prompt and its attachments inline (data: URLs), as the Batch API takes them.
 */
export function remoteLine(requestLine: RequestLine, deps: Deps, rules: ItemPathRules, maxFilesSize: number | undefined) {
  return async (item: BatchItem) => {
    if (item.schema) throw badInputError(`item ${item.id} has a \`schema\`, which --remote runs do not check yet`, 'run without --remote');
    const context = await loadItemContext(item, rules, maxFilesSize, deps);
    const { settings, messages } = itemRequest(item, deps.settings, undefined, {
      prompt: promptWithFiles(item, context),
      attached: { turn: sentOf(context.attached) },
    });
    return requestLine(item.id, chatRequest(settings, messages));
  };
}

export async function withScratch<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'gpt-batch-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
