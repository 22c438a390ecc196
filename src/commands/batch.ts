import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ExitCode, GptError, badInputError, usageError } from '../core/errors.js';
import { estimateTokens, type BatchItem } from '../batch/item.js';
import { scanItems, type InputSummary } from '../batch/input.js';
import { runLocal, type SendItem } from '../batch/local.js';
import { fileSink, streamSink, type ResultSink } from '../batch/output.js';
import { errorRecord, replyRecord, summaryLine, Tally, type ResultRecord } from '../batch/record.js';
import { writeRequestFiles } from '../batch/remote.js';
import { itemRequest } from '../batch/request.js';
import { cutUnfinishedLine, readDoneIds } from '../batch/resume.js';
import { openInput, type BatchInput } from '../batch/source.js';
import { parseTemplate, type Template } from '../batch/template.js';
import { createProgress } from '../io/progress.js';
import { chatRequest, type ChatClient } from '../llm/client.js';
import { resolveThreadRef } from '../store/threads.js';
import { batchClient, runRemote } from './batch-remote.js';
import type { Deps } from './deps.js';
import { completedTurn, saveTurn } from './turn.js';

/** Safe for local servers (Ollama runs up to 4 requests at once) and for low API rate limits. */
export const DEFAULT_CONCURRENCY = 4;
/** Batch API jobs take minutes to hours; the wait grows from here (see waitForBatches). */
export const DEFAULT_POLL_SECONDS = 10;

export interface BatchOptions {
  /** A path, or `-` for stdin. */
  file: string;
  output?: string;
  resume: boolean;
  concurrency?: number;
  format?: string;
  template?: string;
  templateFile?: string;
  dryRun: boolean;
  remote: boolean;
  pollInterval?: number;
  wait: boolean;
  /** --remote: submit anew even when the journal has an open batch of these requests. */
  newBatch?: boolean;
}

export async function runBatch(options: BatchOptions, deps: Deps): Promise<void> {
  checkOptions(options);
  const template = await loadTemplate(options, deps.cwd);
  const input = await openInput(options.file, { format: options.format, template, cwd: deps.cwd, stdin: deps.stdin });
  try {
    const output = options.output === undefined ? undefined : resolve(deps.cwd, options.output);
    const done = options.resume && output ? await readDoneIds(output) : undefined;
    const isPending = (item: BatchItem) => !done?.ids.has(item.id);
    const scan = await scanItems(checkThreadNames(input, deps), input.name, isPending);
    if (scan.count + scan.skipped === 0) {
      // Most likely the step that wrote it failed: saying so beats a silent success (and an emptied -o FILE).
      throw badInputError(`${input.name}: no items: the input is empty`, 'nothing was sent; give at least one prompt');
    }
    if (options.remote && scan.firstThreadLine !== undefined) {
      throw usageError(`${input.name}:${scan.firstThreadLine}: an item with \`thread\` cannot run with --remote`,
        'a thread needs one turn after another: run those items without --remote');
    }
    const pending = () => onlyPending(input.items(), isPending);
    if (options.dryRun) return await printDryRun(scan, options.remote ? pending() : undefined, input, deps);
    // The input is good: only now is -o FILE touched.
    if (done?.unfinishedAt !== undefined) {
      await cutUnfinishedLine(output!, done.unfinishedAt);
      deps.warn(`gpt: the last line of ${options.output} was cut short when a run stopped; it was removed and its item runs again`);
    }
    if (scan.skipped > 0) deps.warn(`gpt: resuming: ${scan.skipped} items already in ${options.output}`);
    // Credentials first: a missing key must fail before -o FILE is opened (and emptied).
    if (options.remote) await batchClient(deps);
    else await deps.client();
    const sink = output ? fileSink(output, options.resume) : stdoutSink(deps);
    const run = new RunReport(scan.count, resumeCommand(options), deps);
    try {
      if (options.remote) await runRemote(pending(), input, options, deps, sink, run);
      else await runItemsLocally(pending(), options, deps, sink, run);
    } finally {
      sink.close();
    }
  } finally {
    await input.close();
  }
}

/** `gpt batch FILE -o OUT --resume`: how to send what is left. */
function resumeCommand({ file, output, remote }: BatchOptions): string {
  return output === undefined
    ? 'with -o FILE, --resume could send the rest'
    : `gpt batch ${file} -o ${output} --resume${remote ? ' --remote' : ''} sends the rest`;
}

function checkOptions(options: BatchOptions): void {
  if (options.resume && options.output === undefined) throw usageError('--resume needs -o FILE', 'it continues the results in that file');
  if (!options.remote) {
    if (!options.wait) throw usageError('--no-wait applies to --remote runs');
    if (options.pollInterval !== undefined) throw usageError('--poll-interval applies to --remote runs');
    if (options.newBatch) throw usageError('--new-batch applies to --remote runs');
  } else if (options.concurrency !== undefined) {
    throw usageError('-j/--concurrency applies to local runs', 'the Batch API decides how fast a --remote batch runs');
  }
  if (options.template !== undefined && options.templateFile !== undefined) {
    throw usageError('--template and --template-file cannot be used together', 'choose one');
  }
}

async function loadTemplate(options: BatchOptions, cwd: string): Promise<Template | undefined> {
  if (options.template !== undefined) return parseTemplate(options.template, '--template');
  if (options.templateFile === undefined) return undefined;
  const text = await readFile(resolve(cwd, options.templateFile), 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw badInputError(`cannot read template ${options.templateFile} (${error.code ?? error.message})`, 'check the path');
  });
  // An editor's final newline is not part of the prompt.
  return parseTemplate(text.replace(/\r?\n$/, ''), options.templateFile);
}

/** Thread names are checked with the rest of the input, before anything is sent. */
async function* checkThreadNames(input: BatchInput, deps: Deps): AsyncGenerator<BatchItem> {
  for await (const item of input.items()) {
    if (item.thread !== undefined) {
      try {
        resolveThreadRef(item.thread, deps.paths.threadsDir, deps.cwd);
      } catch (error) {
        throw badInputError(`${input.name}:${item.line}: ${(error as GptError).message}`, (error as GptError).hint);
      }
    }
    yield item;
  }
}

async function* onlyPending(items: AsyncIterable<BatchItem> | Iterable<BatchItem>, isPending: (item: BatchItem) => boolean) {
  for await (const item of items) if (isPending(item)) yield item;
}

async function printDryRun(scan: InputSummary, remote: AsyncIterable<BatchItem> | undefined, input: BatchInput, deps: Deps) {
  const lines = [`items: ${scan.count}`];
  if (scan.skipped > 0) lines.push(`already done: ${scan.skipped}`);
  lines.push(`estimated input tokens: ${scan.estimatedTokens}${scan.firstThreadLine === undefined ? '' : ' (not counting thread history)'}`);
  if (remote) {
    const { requestLine } = await import('../llm/openai-batch.js');
    const files = await withScratch((dir) => writeRequestFiles(remote, remoteLine(requestLine, deps), dir, input.name));
    lines.push(`batches: ${files.length}`);
  }
  deps.out(`${lines.join('\n')}\n`);
}

/** Result lines to stdout; like -o FILE, the run stops at the first line that cannot be written. */
export function stdoutSink(deps: Deps): ResultSink {
  return streamSink((text) => {
    const failed = deps.outFailed();
    if (failed) throw failed;
    deps.out(text);
  });
}

/** Counts results as they are written, shows progress, and says at the end how the run went. */
export class RunReport {
  readonly tally = new Tally();
  private readonly started = performance.now();
  readonly progress;

  constructor(readonly total: number, readonly resumeHint: string, private readonly deps: Deps) {
    this.progress = createProgress(deps.terminal.decorate && !deps.quiet);
  }

  writer(sink: ResultSink) {
    return (record: ResultRecord) => {
      sink.write(record);
      this.tally.add(record);
      this.progress.update({ done: this.tally.finished, total: this.total, failed: this.tally.failed });
    };
  }

  /** `notRun`: items of a --remote batch that expired or was cancelled before they ran. */
  summary(notRun = 0): void {
    this.progress.stop();
    const seconds = (performance.now() - this.started) / 1000;
    this.deps.warn(`gpt: ${summaryLine(this.tally, this.total, seconds, notRun)}`);
    const left = this.total - this.tally.finished - notRun;
    if (left > 0) this.deps.warn(`gpt: ${left} of ${this.total} items have no result yet — ${this.resumeHint}`);
  }

  /** Exit 8 when any item failed. */
  checkFailures(): void {
    const { failed, rateLimited } = this.tally;
    if (failed === 0) return;
    const hint = rateLimited > 0
      ? `${rateLimited} ${rateLimited === 1 ? 'was' : 'were'} rate limited (429): lower -j or raise --max-retries`
      : 'their result lines have an "error"; remove those lines and run again with --resume to retry them';
    throw new GptError(ExitCode.batchItemsFailed, `${failed} of ${this.total} items failed`, hint);
  }
}

async function runItemsLocally(items: AsyncIterable<BatchItem>, options: BatchOptions, deps: Deps, sink: ResultSink, run: RunReport) {
  const client = await deps.client();
  try {
    await runLocal(items, { concurrency: options.concurrency ?? DEFAULT_CONCURRENCY, signal: deps.signal }, itemSender(client, deps), run.writer(sink));
  } finally {
    run.summary();
  }
  run.checkFailures();
}

/** These stop the whole batch: every other item would fail the same way. */
const STOPS_THE_BATCH: readonly ExitCode[] = [ExitCode.config, ExitCode.interrupted, ExitCode.terminated, ExitCode.internal];

function itemSender(client: ChatClient, deps: Deps): SendItem {
  return async (item, signal) => {
    let model = item.model ?? deps.flags.model ?? null;
    try {
      const ref = item.thread === undefined ? undefined : resolveThreadRef(item.thread, deps.paths.threadsDir, deps.cwd);
      const thread = ref ? (await deps.store.load(ref.file)).thread : undefined;
      const request = itemRequest(item, deps.flags, deps.settings, thread);
      model = request.settings.model;
      const startedAt = deps.now();
      const reply = await client.complete(chatRequest(request.settings, request.messages, signal));
      if (!ref) return replyRecord(item.id, reply);
      try {
        await saveTurn({ ref, auto: false }, completedTurn(item.prompt ?? '', startedAt, reply, deps.now()), request.settings, deps);
      } catch (error) {
        if (!(error instanceof GptError)) throw error;
        return { ...replyRecord(item.id, reply), error: errorRecord(item.id, model, error).error }; // the reply is kept
      }
      return replyRecord(item.id, reply);
    } catch (error) {
      if (signal.aborted || !(error instanceof GptError) || STOPS_THE_BATCH.includes(error.exitCode)) throw error;
      return errorRecord(item.id, model, error);
    }
  };
}

type RequestLine = typeof import('../llm/openai-batch.js').requestLine;

export function remoteLine(requestLine: RequestLine, deps: Deps) {
  return (item: BatchItem) => {
    const { settings, messages } = itemRequest(item, deps.flags, deps.settings);
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
