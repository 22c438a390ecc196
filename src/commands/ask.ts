import type { ChatMessage, ContextPolicy, Detail } from '../core/types.js';
import { GptError, usageError } from '../core/errors.js';
import { withFiles, type PromptFile } from '../core/file-prompt.js';
import { assemblePrompt, buildRequestMessages, turnSettings } from '../core/prompt.js';
import { responseFormat, shapeReply, withSchemaInstruction } from '../core/reply-shape.js';
import { chatRequest } from '../llm/client.js';
import { askJson, cutNotice, jsonRenderer, textRenderer, type AskOutcome, usageLine } from '../io/render.js';
import { reasoningView } from '../io/reasoning-view.js';
import { replyFilter } from '../io/markdown.js';
import { createSpinner } from '../io/spinner.js';
import { readStdin, stdinPolicy } from '../io/stdin.js';
import type { Deps } from './deps.js';
import { loadReplyShape, withTemplateSchema, type ShapeOptions } from './shape.js';
import { fillTemplate, paramsOf, withTemplate } from '../core/template.js';
import { loadTemplate } from '../store/templates.js';
import { fitThread, sendFitted } from './context.js';
import { filesReadStdin, promptFiles } from './files.js';
import { budgetRefusal, checkBudget, describeEstimate, estimate, estimateJson, type Estimate } from './estimate.js';
import { promptFromEditor } from './prompt-editor.js';
import { chooseThread, completedTurn, costOfReply, saveTurn } from './turn.js';
import { STDIN_SPEC, checkModelTakes, loadAttachments, sentHistory, sentOf, threadAttachments, threadStores } from './attachments.js';

export interface AskOptions {
  args: string[];
  thread?: string;
  continueLatest: boolean;
  json: boolean;
  stream: boolean;
  /** --stdin / --no-stdin; undefined lets gpt decide (README: "Where the prompt comes from"). */
  stdin?: boolean;
  /** --schema, -x: the reply as data or a code block, printed whole once checked. */
  shape?: ShapeOptions;
  /** -T NAME and its -p values (README "Saved templates"). */
  template?: string;
  params?: string[];
  /** Compose the prompt in $VISUAL/$EDITOR, starting from stdin and the arguments. */
  edit?: boolean;
  /** --context: what to do when the thread outgrows the model's window (default: the thread's, else trim). */
  context?: ContextPolicy;
  /** --dry-run: count the input exactly and estimate the cost; send nothing. */
  dryRun?: boolean;
  /** --max-cost USD: refuse a request whose input alone would cost more. */
  maxCost?: number;
  /** -u/--usage: the call's tokens and cost on stderr after the reply. */
  usage?: boolean;
  /** --raw: the reply as written, not drawn as Markdown on a terminal. */
  raw?: boolean;
  /** -f PATH: text files (or folders' text files; `-` stdin) put before the prompt. */
  files?: string[];
  /** --max-files-size: the most bytes the -f files may hold together. */
  maxFilesSize?: number;
  /** -a/--attach: image and PDF files, and image URLs, sent with the prompt (README "Context: files, images and PDFs"). */
  attach?: string[];
  /** --detail: how closely the model looks at this turn's images. */
  detail?: Detail;
}

export async function runAsk(options: AskOptions, deps: Deps): Promise<void> {
  const started = performance.now();
  const startedAt = deps.now();
  const saved = options.template === undefined ? undefined : await loadTemplate(deps.paths, options.template);
  if (!saved && options.params?.length) throw usageError("-p fills a template's {{NAME}}", 'add -T NAME');
  const shaping = withTemplateSchema(options.shape ?? {}, saved, deps.cwd);
  const shape = await loadReplyShape(shaping.shape, { cwd: shaping.cwd, configMode: deps.settings.schemaMode });
  if (options.detail && !options.attach?.length) throw usageError('--detail is for attached images', 'add -a IMAGE, or drop --detail');
  checkStdinUse(options);
  const attached = await loadAttachments(options.attach ?? [], { cwd: deps.cwd, detail: options.detail, stdin: deps.stdin, signal: deps.signal });
  const { prompt: input, files } = await readPrompt(options, deps, saved !== undefined);
  const prompt = saved ? fillTemplate(saved.template, input, paramsOf(options.params ?? []), options.template!) : input!;
  const target = await chooseThread(options, prompt, deps);
  const existing = target ? (await deps.store.load(target.ref.file)).thread : undefined;
  const merged = turnSettings(deps.settings, existing);
  const request = saved ? withTemplate(merged, saved.template, deps.settings.inputs.flags) : merged;

  const history = existing?.messages ?? [];
  const stores = target && threadStores(target.ref, existing, deps.paths.threadsDir);
  const earlier = stores && existing ? await threadAttachments(existing.messages, stores, target.ref, deps.cwd) : new Map();
  checkModelTakes(request, attached, earlier);

  const all = buildRequestMessages(request, history, prompt, { turn: sentOf(attached), history: sentHistory(earlier) });
  const policy = { policy: options.context ?? existing?.context ?? 'trim', policyFromFile: options.context === undefined && existing?.context !== undefined };
  const thread = { messages: all, history, request: { model: request.model, maxTokens: request.maxTokens, ...policy } };
  // Only a thread can outgrow the window by itself; a lone prompt too long is the server's to refuse.
  const fitted = history.length > 0 ? await fitThread(thread.messages, history, thread.request, deps) : { messages: thread.messages, omittedTurns: 0 };
  const { messages } = fitted;

  if (options.dryRun || options.maxCost !== undefined) {
    const found = await estimate(messages, request.model, request.maxTokens, deps);
    if (options.dryRun) return printDryRun(found, messages, files, options, deps);
    checkBudget(found, options.maxCost!);
  }

  const client = await deps.client(); // before the spinner: a missing key must not leave it spinning
  const sent = (messages: ChatMessage[]) =>
    shape
      ? { ...chatRequest(request, withSchemaInstruction(shape, messages), deps.signal), responseFormat: responseFormat(shape) }
      : chatRequest(request, messages, deps.signal);
  const spinner = await createSpinner(deps.terminal.decorate && !deps.quiet, deps.terminal.stderr);
  // The spinner turns until something is shown: drawn Markdown holds a block until it is complete,
  // and a reply wanted whole (--json, --no-stream, --schema, -x) shows nothing until it is complete.
  // Data and code (--schema, -x) are printed exactly, never drawn.
  const out = (text: string) => {
    spinner.stop();
    deps.out(text);
  };
  const renderer = options.json
    ? jsonRenderer(deps.out)
    : textRenderer(out, options.stream && !shape, shape ? undefined : await replyFilter(deps, options.raw));
  spinner.start(`Asking ${request.model}`);
  const thinking = reasoningView({
    show: deps.showReasoning,
    dim: deps.terminal.decorate,
    write: (text) => {
      spinner.stop();
      deps.err(text);
    },
    thinking: () => spinner.start(`Asking ${request.model}: thinking...`),
  });
  const onText = (piece: string) => {
    thinking.done();
    renderer.onText?.(piece);
  };
  // A thread the server finds too long for a window it names is sent again trimmed to it (README "Long threads").
  const { result: reply, omittedTurns } = await sendFitted(fitted, thread, (f) => client.complete(sent(f.messages), onText, thinking.onReasoning), deps)
    .finally(() => {
      spinner.stop();
      thinking.done();
    })
    .catch((error: unknown) => {
      renderer.cut();
      throw error;
    });
  const shaped = shape && shapeReply(shape, reply);

  const outcome: AskOutcome = {
    reply,
    thread: target ? { name: target.ref.name, file: target.ref.file } : null,
    durationMs: performance.now() - started,
    cost: await costOfReply(reply, request.model, deps),
    shaped: shaped instanceof GptError ? undefined : shaped,
  };
  if (target) {
    const turn = completedTurn(
      prompt,
      startedAt,
      reply,
      deps.now(),
      outcome.cost,
      omittedTurns,
      attached.map((a) => a.sent.ref),
    );
    try {
      await saveTurn(target, turn, request, deps, undefined, { store: stores![0]!, loaded: [...attached, ...[...earlier.values()].flat()] });
    } catch (error) {
      // The reply is the user's; print it even though it could not be kept.
      if (!options.json) renderer.done(outcome);
      if (error instanceof GptError) error.output = askJson(outcome);
      throw error;
    }
  }
  if (shaped instanceof GptError) {
    // Nothing paid for is lost: the reply is in the thread and in the --json error object.
    shaped.output = askJson(outcome);
    throw shaped;
  }
  renderer.done(outcome);
  if (options.usage) deps.warn(usageLine(reply.usage, outcome.cost));
  const cut = cutNotice(reply);
  if (cut && !options.json) deps.warn(cut);
}

/**
 * --dry-run: the estimate, then --max-cost's refusal if the real run would meet one, so the
 * dry run exits as it would (10, or 2 without a price). With --json the refusal carries the
 * estimate: one object on stdout, as for any error.
 */
function printDryRun(found: Estimate, messages: ChatMessage[], files: PromptFile[], options: AskOptions, deps: Deps): void {
  const refusal = options.maxCost === undefined ? undefined : budgetRefusal(found, options.maxCost);
  if (options.json) {
    const json = estimateJson(found, messages, files, options.maxCost);
    if (refusal) {
      refusal.output = json;
      throw refusal;
    }
    deps.out(`${JSON.stringify(json)}\n`);
    return;
  }
  deps.out(describeEstimate(found, messages, files, options.maxCost));
  if (refusal) throw refusal;
}

/**
 * The user's prompt: the -f files, then piped stdin and the arguments (README "Text
 * files: -f"); with a template it may be empty (the template's prompt may need none).
 * The files too, for --dry-run to name.
 */
async function readPrompt(options: AskOptions, deps: Deps, templated: boolean): Promise<{ prompt: string | undefined; files: PromptFile[] }> {
  const paths = options.files ?? [];
  // `-f -` (or `-a -`) reads stdin as a file, so stdin is not the piped prompt too; files
  // count as a prompt given, so a silent open pipe is not waited for (as with arguments).
  const files = await promptFiles(paths, options.maxFilesSize, deps);
  const policy = stdinAsFile(options) ? 'ignore' : stdinPolicy(deps.stdin, options.args.length > 0 || files.length > 0, options.stdin);
  const piped = await readStdin(deps.stdin, policy, deps.signal);
  if (policy === 'grace' && piped === undefined && !deps.quiet) {
    deps.warn('gpt: stdin sent nothing within 1s, so it was not read — use --stdin to wait for it, --no-stdin to skip this');
  }
  const assembled = assemblePrompt(piped, options.args);
  // The editor holds what the user writes; the files are added after it, as they are.
  const prompt = withFiles(files, options.edit ? await promptFromEditor(assembled, deps) : assembled);
  if (!templated && (prompt === undefined || prompt.trim() === '')) {
    throw usageError('no prompt given', 'pass it as arguments (gpt ask "question") or pipe it in (echo question | gpt ask)');
  }
  return { prompt, files };
}

/** Which of -f and -a reads stdin as a file (`-`), if one does. */
const stdinAsFile = (options: AskOptions) => (filesReadStdin(options.files ?? []) ? '-f' : options.attach?.includes(STDIN_SPEC) ? '-a' : undefined);

/** stdin is read once: by `-f -`, by `-a -`, or as the prompt, and never against --no-stdin (exit 2). */
function checkStdinUse(options: AskOptions): void {
  if ((options.attach ?? []).filter((spec) => spec === STDIN_SPEC).length > 1) throw usageError('-a - is given twice', 'stdin can be read once');
  if (filesReadStdin(options.files ?? []) && options.attach?.includes(STDIN_SPEC)) {
    throw usageError('-f - and -a - both read stdin', 'stdin can be read once: save one of them to a file first');
  }
  const reader = stdinAsFile(options);
  if (reader && options.stdin === false) throw usageError(`${reader} - reads stdin, but --no-stdin says not to`, 'drop one of them');
}
