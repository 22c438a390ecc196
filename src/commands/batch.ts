import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ExitCode, GptError, badInputError, usageError } from '../core/errors.js';
import { estimateTokens, type BatchItem } from '../batch/item.js';
import { scanItems, type InputSummary } from '../batch/input.js';
import { checkItemPaths, itemThreadRef, type ItemPathRules } from '../batch/item-paths.js';
import { ItemProblem } from '../batch/item.js';
import { runLocal, type SendItem } from '../batch/local.js';
import { fileSink, streamSink, type ResultSink } from '../batch/output.js';
import { errorRecord, replyRecord, summaryLine, Tally, type ResultRecord } from '../batch/record.js';
import { writeRequestFiles } from '../batch/remote.js';
import { itemRequest } from '../batch/request.js';
import { prepareForResume, readDoneIds } from '../batch/resume.js';
import { ServerWatch } from '../batch/server-gone.js';
import { openInput, type BatchInput } from '../batch/source.js';
import { parseTemplate, type Template } from '../batch/template.js';
import { createProgress } from '../io/progress.js';
import { responseFormat, shapeReply, withSchemaInstruction, type ReplyShape } from '../core/reply-shape.js';
import { chatRequest, type ChatClient, type ChatReply } from '../llm/client.js';
import { batchClient, runRemote } from './batch-remote.js';
import type { Deps } from './deps.js';
import { itemShapes, loadReplyShape, shapeMode, withTemplateSchema, type ShapeOptions } from './shape.js';
import { namesSavedTemplate, savedItemTemplate, templateDefaults } from '../batch/saved-template.js';
import { paramsOf } from '../core/template.js';
import { loadTemplate as loadSavedTemplate } from '../store/templates.js';
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
  /** --thread-dir: item threads are kept in this folder instead of the threads folder. */
  threadDir?: string;
  /** --allow-paths: items may name files anywhere (their thread paths). */
  allowPaths?: boolean;
  /** --schema for every item (an item's own `schema` wins); local runs only. */
  shape?: ShapeOptions;
  /** -p NAME VALUE for a saved template's placeholders. */
  params?: string[];
  /** Where a saved template's schema file is found (beside the template). */
  schemaDir?: string;
}

export async function runBatch(given: BatchOptions, plainDeps: Deps): Promise<void> {
  checkOptions(given);
  // A saved template (--template NAME) gives every item its defaults, under the flags.
  const saved = given.template !== undefined && namesSavedTemplate(given.template) ? await loadSavedTemplate(plainDeps.paths, given.template) : undefined;
  if (!saved && given.params?.length) throw usageError('-p fills a saved template\'s {{NAME}}', 'add --template NAME');
  const deps = saved ? { ...plainDeps, ...templateDefaults(saved.template, plainDeps.flags, plainDeps.settings) } : plainDeps;
  const shaping = withTemplateSchema(given.shape ?? {}, saved, deps.cwd);
  const options = { ...given, shape: shaping.shape, schemaDir: shaping.cwd };
  const template = saved
    ? savedItemTemplate(saved.template, given.template!, paramsOf(given.params ?? []))
    : await loadTemplate(options, deps.cwd);
  const input = await openInput(options.file, { format: options.format, template, cwd: deps.cwd, stdin: deps.stdin });
  try {
    const output = options.output === undefined ? undefined : resolve(deps.cwd, options.output);
    const done = options.resume && output ? await readDoneIds(output) : undefined;
    // Items without a line, and those whose line is an error worth retrying.
    const isPending = (item: BatchItem) => !done?.ids.has(item.id) || done.retry.has(item.id);
    const rules = itemPathRules(options, deps);
    const items = () => checkedItems(input, rules);
    const scan = await scanItems(items(), input.name, isPending);
    if (scan.count + scan.skipped === 0) {
      // Most likely the step that wrote it failed: saying so beats a silent success (and an emptied -o FILE).
      throw badInputError(`${input.name}: no items: the input is empty`, 'nothing was sent; give at least one prompt');
    }
    const pending = () => onlyPending(items(), isPending);
    if (options.dryRun) return await printDryRun(scan, options.remote ? pending() : undefined, input, deps);
    // Credentials first: a missing key must fail before -o FILE is opened (and emptied).
    if (options.remote) await batchClient(deps);
    else await deps.client();
    // The input is good: only now is -o FILE touched.
    if (done) {
      await prepareForResume(output!, done);
      if (done.unfinishedAt !== undefined) {
        deps.warn(`gpt: the last line of ${options.output} was cut short when a run stopped; it was removed and its item runs again`);
      }
    }
    if (scan.skipped > 0) deps.warn(`gpt: resuming: ${scan.skipped} items already in ${options.output}`);
    if (done && done.retry.size > 0) {
      deps.warn(`gpt: resuming: sending again ${done.retry.size} items that failed for a reason worth retrying (network, timeout, 5xx, 429); their error lines were removed`);
    }
    const sink = output ? fileSink(output, options.resume) : stdoutSink(deps);
    const run = new RunReport(scan.count, resumeCommand(options), deps, !output);
    run.failedBefore = done?.failedKept ?? 0;
    try {
      if (options.remote) await runRemote(pending(), input, options, deps, sink, run);
      else await runItemsLocally(pending(), options, deps, sink, run, rules);
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
  } else if (options.shape?.schema !== undefined) {
    throw usageError('--schema applies to local runs for now', 'run without --remote; the Batch API\'s replies are not checked yet');
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

/** Relative paths in items are taken from the input file's folder (the working folder for stdin). */
function itemPathRules(options: BatchOptions, deps: Deps): ItemPathRules {
  return {
    base: options.file === '-' ? deps.cwd : dirname(resolve(deps.cwd, options.file)),
    threadsDir: deps.paths.threadsDir,
    threadDir: options.threadDir === undefined ? undefined : resolve(deps.cwd, options.threadDir),
    allowPaths: options.allowPaths ?? false,
    remote: options.remote,
  };
}

/**
 * The input's items, each checked against the rules for what it may point at: on every
 * reading, so the first pass refuses a file before anything is sent, and what runs (here
 * or uploaded) is what was checked.
 */
async function* checkedItems(input: BatchInput, rules: ItemPathRules): AsyncGenerator<BatchItem> {
  for await (const item of input.items()) {
    try {
      checkItemPaths(item, rules);
    } catch (error) {
      if (error instanceof ItemProblem) throw badInputError(`${input.name}:${item.line}: ${error.message}`, error.hint);
      if (!(error instanceof GptError)) throw error;
      // An invalid thread name is a usage error for --thread; in a file it is bad input.
      const exitCode = error.exitCode === ExitCode.usage && !rules.remote ? ExitCode.badInput : error.exitCode;
      throw new GptError(exitCode, `${input.name}:${item.line}: ${error.message}`, error.hint);
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
  /** --resume: error lines of earlier runs left in -o FILE (not worth retrying as they are). */
  failedBefore = 0;
  /** Results on the terminal the bar is drawn on: each must start a line of its own. */
  private readonly resultsUnderBar: boolean;

  constructor(readonly total: number, readonly resumeHint: string, private readonly deps: Deps, resultsToStdout: boolean) {
    this.progress = createProgress(deps.terminal.decorate && !deps.quiet, deps.terminal.stderr);
    this.resultsUnderBar = resultsToStdout && deps.terminal.stdoutIsTTY;
  }

  writer(sink: ResultSink) {
    return (record: ResultRecord) => {
      if (this.resultsUnderBar) this.progress.clearFor(() => sink.write(record));
      else sink.write(record);
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

  /** Exit 8 when any item failed: in this run, or in an earlier one whose error line is still there. */
  checkFailures(): void {
    const { failed, rateLimited } = this.tally;
    if (failed + this.failedBefore === 0) return;
    const hint = rateLimited > 0
      ? `${rateLimited} ${rateLimited === 1 ? 'was' : 'were'} rate limited (429): lower -j or raise --max-retries`
      : 'their result lines have an "error"; fix what it says, remove those lines and run again with --resume to retry them';
    const earlier = `${this.failedBefore} ${this.failedBefore === 1 ? 'item' : 'items'} failed in an earlier run`;
    const message = failed === 0 ? earlier : `${failed} of ${this.total} items failed${this.failedBefore > 0 ? `, and ${earlier}` : ''}`;
    throw new GptError(ExitCode.batchItemsFailed, message, hint);
  }
}

async function runItemsLocally(items: AsyncIterable<BatchItem>, options: BatchOptions, deps: Deps, sink: ResultSink, run: RunReport, rules: ItemPathRules) {
  const client = await deps.client();
  try {
    await runLocal(items, { concurrency: options.concurrency ?? DEFAULT_CONCURRENCY, signal: deps.signal }, itemSender(client, deps, rules, run.resumeHint, await batchShapes(options, deps)), run.writer(sink));
  } finally {
    run.summary();
  }
  run.checkFailures();
}

/** These stop the whole batch: every other item would fail the same way. */
const STOPS_THE_BATCH: readonly ExitCode[] = [ExitCode.config, ExitCode.interrupted, ExitCode.terminated, ExitCode.internal];

/** Each item's reply shape (README "Data out"): --schema, or the item's own `schema`. */
async function batchShapes(options: BatchOptions, deps: Deps) {
  const shape = await loadReplyShape(options.shape ?? {}, { cwd: options.schemaDir ?? deps.cwd, configMode: deps.settings.schemaMode });
  return itemShapes(shape, shapeMode(options.shape ?? {}, deps.settings.schemaMode));
}

function itemSender(client: ChatClient, deps: Deps, rules: ItemPathRules, resumeHint: string, shapes: ReturnType<typeof itemShapes>): SendItem {
  const watch = new ServerWatch();
  return async (item, signal) => {
    let model = item.model ?? deps.flags.model ?? null;
    try {
      const ref = item.thread === undefined ? undefined : threadOf(item.thread, rules);
      const thread = ref ? (await deps.store.load(ref.file)).thread : undefined;
      const request = itemRequest(item, deps.flags, deps.settings, thread);
      model = request.settings.model;
      const startedAt = deps.now();
      const shape = await shapes(item.schema);
      const chat = shape
        ? { ...chatRequest(request.settings, withSchemaInstruction(shape, request.messages), signal), responseFormat: responseFormat(shape) }
        : chatRequest(request.settings, request.messages, signal);
      const reply = await client.complete(chat);
      watch.gone();
      const record = shapedRecord(item.id, reply, shape);
      if (!ref) return record;
      try {
        await saveTurn({ ref, auto: false }, completedTurn(item.prompt ?? '', startedAt, reply, deps.now()), request.settings, deps);
      } catch (error) {
        if (!(error instanceof GptError)) throw error;
        return { ...record, error: errorRecord(item.id, model, error).error }; // the reply is kept
      }
      return record;
    } catch (error) {
      if (signal.aborted || !(error instanceof GptError) || STOPS_THE_BATCH.includes(error.exitCode)) throw error;
      if (watch.gone(error)) {
        // Stop sending: what finished is written, the rest is left for --resume.
        throw new GptError(ExitCode.network, `${error.message}: ${watch.limit} items in a row, so the rest were not sent`,
          `check the server; ${resumeHint}`, { cause: error });
      }
      return errorRecord(item.id, model, error);
    }
  };
}

/** A reply's record with its `data`, or with the `error` that says why it is not what was asked (the reply kept). */
function shapedRecord(id: string, reply: ChatReply, shape: ReplyShape | undefined): ResultRecord {
  const record = replyRecord(id, reply);
  const shaped = shape && shapeReply(shape, reply);
  if (shaped instanceof GptError) return { ...record, error: errorRecord(id, record.model, shaped).error };
  return shaped ? { ...record, data: shaped.data } : record;
}

/** The item's thread, checked again as it is sent (a link may have changed since the input was checked). */
function threadOf(thread: string, rules: ItemPathRules) {
  try {
    return itemThreadRef(thread, rules);
  } catch (error) {
    throw error instanceof ItemProblem ? badInputError(error.message, error.hint) : error;
  }
}

type RequestLine = typeof import('../llm/openai-batch.js').requestLine;

export function remoteLine(requestLine: RequestLine, deps: Deps) {
  return (item: BatchItem) => {
    if (item.schema) throw badInputError(`item ${item.id} has a \`schema\`, which --remote runs do not check yet`, 'run without --remote');
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
