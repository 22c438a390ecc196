import { BLOCK_FENCE, ChatInput, PROMPT } from '../core/chat-input.js';
import { GptError, usageError } from '../core/errors.js';
import { fillTemplate, paramsOf, withTemplate } from '../core/template.js';
import { loadTemplate } from '../store/templates.js';
import { buildRequestMessages, turnSettings } from '../core/prompt.js';
import type { ChatMessage, StoredMessage } from '../core/types.js';
import { openLineInput, type InputEvent, type LineInput } from '../io/line-input.js';
import { reasoningView } from '../io/reasoning-view.js';
import { cutNotice, textRenderer, usageLine } from '../io/render.js';
import { createSpinner } from '../io/spinner.js';
import { chatRequest, type ChatReply } from '../llm/client.js';
import { unusedThread } from '../store/thread-admin.js';
import { resolveThreadRef } from '../store/threads.js';
import { responseFormat, shapeReply, withSchemaInstruction, type ShapedReply } from '../core/reply-shape.js';
import { ChatHistory, HISTORY_LINES } from '../store/chat-history.js';
import { renderTranscript, roleLabel } from '../io/transcript.js';
import { loadMarkdown, wantsMarkdown } from '../io/markdown.js';
import { isSlash, runSlash } from './chat-slash.js';
import { fail, failureSummary, nothingPending, type Conversation, type Session } from './chat-session.js';
import { addAttachment, addedNote, addFiles, keptAttachments, resumedAttachments } from './chat-context.js';
import { checkModelTakes, sentHistory, sentOf, type LoadedAttachment } from './attachments.js';
import { DEFAULT_MAX_FILES_BYTES, withFiles } from '../core/file-prompt.js';
import type { Deps } from './deps.js';
import type { ContextPolicy, Detail } from '../core/types.js';
import { fitThread, sendFitted, type FittedThread } from './context.js';
import { checkBudget, checkPriced, estimate } from './estimate.js';
import { loadReplyShape, withTemplateSchema, type ShapeOptions } from './shape.js';
import { chooseThread, completedTurn, costOfReply, saveTurn, type ThreadTarget } from './turn.js';

export interface ChatOptions {
  thread?: string;
  continueLatest: boolean;
  stream: boolean;
  /** --schema, -x: each reply as checked data or a code block, printed once complete. */
  shape?: ShapeOptions;
  /** -T NAME and its -p values: the template's settings, and its prompt around each message. */
  template?: string;
  params?: string[];
  /** --raw: replies as written, not drawn as Markdown on a terminal. */
  raw?: boolean;
  /** --context: what to do when the conversation outgrows the model's window (default: the thread's, else trim). */
  context?: ContextPolicy;
  /** --max-cost USD: refuse (that turn only) a request whose input alone would cost more. */
  maxCost?: number;
  /** -u/--usage: each turn's tokens and cost on stderr after the reply. */
  usage?: boolean;
  /** -f PATH: text files (or folders' text files) put before the first message, as /file does. */
  files?: string[];
  /** --max-files-size: the most bytes the files added to one message may hold. */
  maxFilesSize?: number;
  /** -a PATH|URL: images and PDFs sent with the first message, as /attach does. */
  attach?: string[];
  /** --detail: how closely the model looks at the images of -a and /attach. */
  detail?: Detail;
}

export const HINT = "type 'quit' to exit, type 'new' to begin a new conversation";
const BLOCK_HINT = `a line ${BLOCK_FENCE} opens and closes a message of several lines; /help lists the commands`;
const LEAVE_HINT = '\n(to leave, press Ctrl-C again, or Ctrl-D, or type quit)\n';

/**
 * The interactive loop. On a terminal: a prompt, streamed replies, Ctrl-C stops a reply.
 * From a pipe: each line is a turn and stdout carries only the replies.
 */
export async function runChat(options: ChatOptions, deps: Deps, input?: LineInput): Promise<void> {
  const client = await deps.client(); // a missing key fails now, not after the first question
  const interactive = deps.terminal.stdinIsTTY;
  const saved = options.template === undefined ? undefined : await loadTemplate(deps.paths, options.template);
  if (!saved && options.params?.length) throw usageError("-p fills a template's {{NAME}}", 'add -T NAME');
  const params = paramsOf(options.params ?? []);
  // Each message goes through the template's prompt; a value it lacks fails now, not at the first turn.
  const wrap = saved ? (text: string) => fillTemplate(saved.template, text, params, options.template!) : (text: string) => text;
  if (saved?.template.prompt !== undefined) wrap('');
  const shaping = withTemplateSchema(options.shape ?? {}, saved, deps.cwd);
  const shape = await loadReplyShape(shaping.shape, { cwd: shaping.cwd, configMode: deps.settings.schemaMode });
  const opened = await openConversation(options, deps);
  const conversation = saved ? { ...opened, request: withTemplate(opened.request, saved.template, deps.settings.inputs.flags) } : opened;
  // A budget needs a price: a model without one is refused now, not at every turn (a /model later is checked per turn).
  if (options.maxCost !== undefined) await checkPriced(conversation.request.model, deps);
  const maxFilesSize = options.maxFilesSize ?? DEFAULT_MAX_FILES_BYTES;
  // -f and -a are checked now: a bad one ends the chat before it starts (exit 6, or 2).
  for (const path of options.files ?? []) addedNote(deps, await addFiles(path, conversation.pending, maxFilesSize, deps, '-f'));
  for (const spec of options.attach ?? []) addedNote(deps, await addAttachment(spec, conversation, deps, { from: '-a', detail: options.detail }));
  const history = interactive && !input ? new ChatHistory(deps.paths.stateDir, deps.warn) : undefined;
  const lines =
    input ??
    openLineInput(
      deps.stdin,
      interactive,
      deps.terminal.stderr,
      history && { entries: await history.load(), limit: HISTORY_LINES, add: (line) => history.add(line) },
    );
  const session: Session = {
    deps,
    client,
    lines,
    interactive,
    stream: options.stream && !shape,
    shape,
    wrap,
    turns: 0,
    failures: [],
    failedCommands: 0,
    // Data and code (--schema, -x) are printed exactly, never drawn.
    markdown: !shape && wantsMarkdown(deps.terminal, deps.env, options.raw ?? false) ? await loadMarkdown(deps.terminal.columns) : undefined,
    spinner: await createSpinner(interactive && deps.terminal.decorate && !deps.quiet, deps.terminal.stderr),
    maxCost: options.maxCost,
    usage: options.usage ?? false,
    maxFilesSize,
    detail: options.detail,
  };
  if (interactive) deps.err(`${HINT}\n${BLOCK_HINT}\n`);
  let leftAtPrompt: boolean;
  try {
    leftAtPrompt = await converse(session, conversation, options);
  } finally {
    lines.close();
    session.spinner.stop();
    await history?.settled();
  }
  if (interactive && leftAtPrompt) deps.err('\n');
  const [first] = session.failures;
  if (first && !interactive) {
    // A script should learn that its session is incomplete; each error was printed as it came.
    throw new GptError(first.exitCode, failureSummary(session), 'see the errors above');
  }
}

/** Acts on each line until the user leaves; true when they left at the prompt (Ctrl-C, Ctrl-D). */
async function converse(session: Session, first: Conversation, options: ChatOptions): Promise<boolean> {
  const { deps, lines, interactive } = session;
  const reader = new ChatInput();
  let conversation = first;
  const colour = interactive && deps.terminal.decorate;
  let leaving = false; // a first Ctrl-C at an empty prompt said how to leave; a second leaves
  for (;;) {
    const prompt = colour && reader.prompt === PROMPT ? `${roleLabel('user', true)} ` : reader.prompt;
    const event = await nextEvent(lines, prompt, deps.signal);
    if (event.kind === 'interrupt') {
      const atEmptyPrompt = !reader.inBlock && !event.hadText;
      if (reader.inBlock) reader.cancelBlock();
      if (atEmptyPrompt && leaving) return true;
      leaving = atEmptyPrompt;
      if (leaving) deps.err(LEAVE_HINT);
      continue;
    }
    leaving = false;
    const command = event.kind === 'end' ? reader.end() : reader.push(event.text);
    if (command.kind === 'message') await sendMessage(session, conversation, command.text);
    if (isSlash(command)) {
      const current = conversation;
      await runSlash(command, session, current, {
        message: (text) => sendMessage(session, current, text),
        again: (last) => takeTurn(session, current, last[0]!.content, { replacing: last, attachments: current.attached.get(last[0]!) }),
      });
    }
    if (interactive && (command.kind === 'message' || command.kind === 'retry' || command.kind === 'edit')) {
      deps.err('\n'); // a blank line between turns, as in the blog post
    }
    if (command.kind === 'new') conversation = await startOver(conversation, options, deps, interactive);
    if (event.kind === 'end') return command.kind !== 'message';
    if (command.kind === 'quit') return false;
  }
}

async function openConversation(options: ChatOptions, deps: Deps): Promise<Conversation> {
  if (options.thread === undefined && !options.continueLatest) {
    return {
      history: [],
      request: turnSettings(deps.settings),
      target: undefined,
      context: options.context ?? 'trim',
      attached: new Map(),
      pending: nothingPending(),
    };
  }
  const target = (await chooseThread(options, '', deps))!;
  const { thread, exists } = await deps.store.load(target.ref.file);
  const turns = thread.messages.filter((m) => m.role === 'user').length;
  if (exists) deps.warn(`gpt: resuming thread '${target.ref.name}' (${turns} ${turns === 1 ? 'turn' : 'turns'})`);
  const last = thread.messages.slice(-2);
  if (exists && deps.terminal.stdinIsTTY && last[0]?.role === 'user') {
    // Where the conversation stopped, so the next question has its context on screen.
    deps.err(`${renderTranscript({ version: thread.version, messages: last }, deps.terminal.decorate)}\n`);
  }
  return {
    history: [...thread.messages],
    request: turnSettings(deps.settings, exists ? thread : undefined),
    target,
    context: options.context ?? thread.context ?? 'trim',
    contextFromFile: options.context === undefined && thread.context !== undefined,
    // Sent again with every turn, as gpt ask does: the history is not complete without them.
    attached: await resumedAttachments(thread, target.ref, deps),
    attachmentStore: thread.attachment_store,
    pending: nothingPending(),
  };
}

/** `new`: the same settings, an empty history. A thread the user named is kept; the next is NAME-2, NAME-3... */
async function startOver(old: Conversation, options: ChatOptions, deps: Deps, interactive: boolean): Promise<Conversation> {
  let target: ThreadTarget | undefined;
  if (options.thread !== undefined) {
    const named = resolveThreadRef(options.thread, deps.paths.threadsDir, deps.cwd);
    target = { ref: await unusedThread(named), auto: false };
    deps.warn(`gpt: new conversation started in thread '${target.ref.name}'`);
  } else if (interactive) {
    deps.warn('gpt: new conversation started');
  }
  // A new conversation starts clean: what was added for the old one's next message goes with it.
  if (old.pending.added.length > 0) deps.warn(`gpt: dropped what was added to the next message (${old.pending.added.join(', ')})`);
  return { history: [], request: old.request, target, context: options.context ?? 'trim', attached: new Map(), pending: nothingPending() };
}

/**
 * A typed (or composed) message: through the template's prompt with the files added
 * before it, and the attachments added with it. They wait for the next message until a
 * turn with them completes: a failed or stopped one leaves them added.
 */
async function sendMessage(session: Session, conversation: Conversation, text: string): Promise<boolean> {
  const { pending } = conversation;
  const prompt = session.wrap(withFiles(pending.files, text) ?? text);
  const sent = await takeTurn(session, conversation, prompt, { attachments: pending.attachments });
  if (sent) conversation.pending = nothingPending();
  return sent;
}

/** What a turn sends besides its text, and the turn it replaces (/retry). */
interface TurnExtras {
  attachments?: readonly LoadedAttachment[];
  replacing?: StoredMessage[];
}

/**
 * Sends one prompt, with its attachments and the history's, and shows the reply; a failure
 * is printed and the conversation goes on without that turn. With `replacing` (/retry),
 * the turn is saved in place of that one. True when the reply came.
 */
async function takeTurn(session: Session, conversation: Conversation, prompt: string, { attachments = [], replacing }: TurnExtras = {}): Promise<boolean> {
  const { deps, lines } = session;
  const startedAt = deps.now();
  const stop = new AbortController();
  const view = replyView(session);
  session.turns++;
  lines.onInterrupt = () => stop.abort();
  let reply: ChatReply;
  let omittedTurns = 0;
  try {
    const { request, history, attached } = conversation;
    // The model in force now takes them? /model may have changed it since they were added.
    checkModelTakes(request, attachments, attached, '/attach');
    const messages = buildRequestMessages(request, history, prompt, { turn: sentOf(attachments), history: sentHistory(attached) });
    const thread = {
      messages,
      history,
      request: { model: request.model, maxTokens: request.maxTokens, policy: conversation.context, policyFromFile: conversation.contextFromFile },
    };
    const fitted = history.length > 0 ? await fitThread(thread.messages, history, thread.request, deps) : { messages: thread.messages, omittedTurns: 0 };
    const { shape } = session;
    const withShape = (messages: ChatMessage[]) => (shape ? withSchemaInstruction(shape, messages) : messages);
    // Refused before the spinner or the label: the refusal is the turn's one line.
    if (session.maxCost !== undefined)
      checkBudget(await estimate(withShape(fitted.messages), request.model, request.maxTokens, deps), session.maxCost, chatBudgetFix(history));
    view.start(request.model);
    const send = ({ messages }: FittedThread) => {
      const chat = chatRequest(request, withShape(messages), AbortSignal.any([deps.signal, stop.signal]));
      return session.client.complete(shape ? { ...chat, responseFormat: responseFormat(shape) } : chat, view.onText, view.onReasoning);
    };
    ({ result: reply, omittedTurns } = await sendFitted(fitted, thread, send, deps));
  } catch (error) {
    view.abandon();
    if (deps.signal.aborted || !(error instanceof GptError)) throw error;
    if (stop.signal.aborted) deps.err('gpt: reply stopped; this turn was not kept\n');
    else fail(session, error);
    return false;
  } finally {
    lines.onInterrupt = undefined;
  }
  // A reply that is not what was asked for prints nothing, but is kept like any other turn.
  const shaped = session.shape && shapeReply(session.shape, reply);
  if (shaped instanceof GptError) view.abandon();
  else view.done(reply, shaped);
  const cost = await costOfReply(reply, conversation.request.model, deps);
  if (session.usage) deps.warn(usageLine(reply.usage, cost));
  const cut = cutNotice(reply);
  if (cut) deps.warn(cut);
  const turn = completedTurn(
    prompt,
    startedAt,
    reply,
    deps.now(),
    cost,
    omittedTurns,
    attachments.map((a) => a.sent.ref),
  );
  conversation.history.push(...turn);
  if (attachments.length > 0) conversation.attached.set(turn[0]!, [...attachments]);
  try {
    conversation.target ??= await chooseThread({ continueLatest: false }, prompt, deps);
    const { target } = conversation;
    if (target) await saveTurn(target, turn, conversation.request, deps, replacing, keptAttachments(conversation, target.ref, deps));
  } catch (error) {
    if (!(error instanceof GptError)) throw error;
    fail(session, error);
  }
  if (shaped instanceof GptError) fail(session, shaped);
  return true;
}

/**
 * Where a reply goes: its text to stdout; on a terminal also a spinner until the first
 * words and an `Assistant: ` label, both on stderr. A line left open is always closed.
 */
function replyView({ deps, interactive, stream, spinner, markdown }: Session) {
  let open: 'out' | 'err' | undefined;
  let labelled = false;
  const label = () => {
    if (labelled) return;
    labelled = true;
    spinner.stop();
    if (!interactive) return;
    deps.err(`${roleLabel('assistant', deps.terminal.decorate)} `);
    open = 'err';
  };
  // A reasoning model's thinking: on stderr with --show-reasoning, else a spinner line.
  const thinking = reasoningView({
    show: deps.showReasoning,
    dim: deps.terminal.decorate,
    write: (text) => {
      spinner.stop();
      deps.err(text);
    },
    thinking: () => {
      if (interactive && deps.terminal.decorate && !deps.quiet) spinner.start('thinking...');
    },
  });
  const renderer = textRenderer(
    (text) => {
      thinking.done();
      label();
      deps.out(text);
      open = text.endsWith('\n') ? undefined : 'out';
    },
    stream,
    markdown?.(),
  );
  return {
    onText: renderer.onText,
    onReasoning: thinking.onReasoning,
    start(model: string) {
      if (interactive && deps.terminal.decorate && !deps.quiet) spinner.start(`Asking ${model}`);
      else label();
    },
    done: (reply: ChatReply, shaped?: ShapedReply) => renderer.done({ reply, thread: null, durationMs: 0, shaped, cost: null }),
    abandon() {
      spinner.stop();
      thinking.done();
      renderer.cut(); // shows what the Markdown drawing held back, and ends its line
      if (open === 'out') deps.out('\n');
      if (open === 'err') deps.err('\n');
    },
  };
}

/** The next line or key event; a SIGINT/SIGTERM (from a pipe's process group, say) ends the session. */
function nextEvent(lines: LineInput, prompt: string, signal: AbortSignal): Promise<InputEvent> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      lines.leavePrompt();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    lines
      .next(prompt)
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * What to do about a turn over --max-cost mid-chat, where the flag cannot be raised: the
 * thread so far is sent with every turn, so once it outgrows the budget only a fresh
 * conversation (`new`) gets under it again.
 */
function chatBudgetFix(history: readonly StoredMessage[]): string {
  return history.length > 0
    ? 'type new to start a fresh conversation (the thread so far is sent with every turn), or send a shorter message'
    : 'send a shorter message';
}
