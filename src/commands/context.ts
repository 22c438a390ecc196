import { fitContext, replyRoom, tokensAtMost, type ContextPolicy } from '../core/context.js';
import { ContextExceededError, ExitCode, GptError } from '../core/errors.js';
import { resolveModel } from '../core/models.js';
import { isOpenAI } from '../core/prices.js';
import { encodingFor, messageTokens, promptTokens } from '../core/tokens.js';
import type { ChatMessage, StoredMessage } from '../core/types.js';
import { learnedWindow, learnWindow } from '../store/context-windows.js';
import { tableContextWindow } from '../usage/price-table.js';
import { loadCounter } from '../usage/tokenizer.js';
import type { Deps } from './deps.js';

export interface ContextRequest {
  model: string;
  maxTokens?: number;
  /** --context, else the thread's `context:`, else trim. */
  policy: ContextPolicy;
  /** The policy is the thread file's `context:` key (no --context), for the hint to name it. */
  policyFromFile?: boolean;
}

export interface FittedThread {
  messages: ChatMessage[];
  /** Earlier turns left out (kept in the reply's omitted_turns: its usage then counts less than the thread). */
  omittedTurns: number;
}

/** A request before fitting: `messages` built from the stored `history` (empty for a lone prompt) and the new message. */
export interface ThreadRequest {
  messages: ChatMessage[];
  history: readonly StoredMessage[];
  request: ContextRequest;
}

/** A context window and where it was learned. */
interface Window {
  tokens: number;
  /** Named by the server in an error (remembered in the cache). */
  fromServer: boolean;
}

/**
 * The messages to send for a thread (`messages`, built from the stored `history`), kept inside the model's context window (README "Long
 * threads"): all of them when they fit or the window is unknown; else, by policy, the system
 * prompt and the most recent whole turns that fit (saying how many were left out), or a
 * refusal (exit 4) before anything is sent. The thread file always keeps everything.
 */
export async function fitThread(messages: ChatMessage[], history: readonly StoredMessage[], request: ContextRequest, deps: Deps): Promise<FittedThread> {
  const everything = { messages, omittedTurns: 0 };
  if (request.policy === 'all') return everything;
  const window = await contextWindow(request.model, deps);
  if (window === undefined) return everything;
  // When the server's count of the thread and the bytes of the rest fit, the tokens do: no tokenizer is loaded.
  if (tokensAtMost(messages, history, encodingFor(request.model)) <= window.tokens - replyRoom(window.tokens, request.maxTokens)) return everything;
  const fitted = await fitToWindow({ messages, history, request }, window);
  if (fitted.omittedTurns > 0) {
    deps.warn(`gpt: ${turnsLeftOut(fitted.omittedTurns)} left out to fit ${fitted.room} (the thread file keeps them; --context all sends everything)`);
  }
  return { messages: fitted.messages, omittedTurns: fitted.omittedTurns };
}

/**
 * Sends a request (`send`) fitted by fitThread. When the server refuses it as longer than a
 * context window it names, the window is remembered for this model on this endpoint, so the
 * next run fits threads to it before sending; and a thread under the trim policy is sent
 * once more, trimmed to it, saying so on stderr.
 */
export async function sendFitted<T>(
  fitted: FittedThread,
  thread: ThreadRequest,
  send: (fitted: FittedThread) => Promise<T>,
  deps: Deps,
): Promise<{ result: T; omittedTurns: number }> {
  try {
    return { result: await send(fitted), omittedTurns: fitted.omittedTurns };
  } catch (error) {
    if (!(error instanceof ContextExceededError)) throw error;
    if (error.window === undefined) throw rehinted(error, thread);
    const { model } = thread.request;
    // A cache: failing to write it loses nothing but the next run's head start.
    await learnWindow(deps.paths.cacheDir, deps.settings.connection.baseURL, model, error.window, deps.now()).catch(() => {});
    if (thread.history.length === 0 || thread.request.policy === 'all') throw rehinted(error, thread);
    const window = { tokens: error.window, fromServer: true };
    const again = await fitToWindow(thread, window, await serverRatio(fitted.messages, model, error.requestTokens), true);
    // The server counts more than our tokenizer does, and there is no turn left to leave out.
    if (again.omittedTurns <= fitted.omittedTurns) throw rehinted(error, thread);
    deps.warn(
      `gpt: the server refused the thread as longer than ${again.room}: sending it again with ${turnsLeftOut(again.omittedTurns)} left out (the window is remembered)`,
    );
    return { result: await send(again), omittedTurns: again.omittedTurns };
  }
}

/**
 * Fits the thread to a window with the tokenizer: the system prompt and the most recent
 * whole turns that fit, or a refusal (exit 4) when the policy is fail or nothing fits.
 * `ratio`: how many tokens the server counts for each of ours (above 1 for another vendor's tokenizer).
 * `refused`: the server has refused the thread already (one request was sent), naming the window.
 */
async function fitToWindow({ messages, request }: ThreadRequest, window: Window, ratio = 1, refused = false): Promise<FittedThread & { room: string }> {
  const budget = window.tokens - replyRoom(window.tokens, request.maxTokens);
  const count = await loadCounter(encodingFor(request.model));
  const fitted = fitContext(messages, budget, (message) => Math.ceil(messageTokens(message, count) * ratio));
  const room = `${request.model}'s context window of ${window.tokens} tokens${window.fromServer ? ' (as the server said)' : ''}, keeping ${window.tokens - budget} for the reply`;
  // Before sending, nothing was; once the server has refused one request, say so, and that its window is kept.
  const what = refused ? `the server refused the thread as too long for ${room}` : `the thread does not fit ${room}`;
  const after = refused ? ' (the window is now remembered)' : '';
  const sent = refused ? '' : '; nothing was sent';
  if (!fitted.fits) {
    throw new GptError(
      ExitCode.apiRejected,
      refused
        ? `${what}: the system prompt and the new message alone need ${fitted.tokens} tokens${after}`
        : `the system prompt and the new message alone need ${fitted.tokens} tokens, more than ${room} allows`,
      `${shortenHint(request)}${sent}`,
    );
  }
  if (fitted.omittedTurns > 0 && request.policy === 'fail') {
    throw new GptError(ExitCode.apiRejected, `${what}: ${turnsLeftOut(fitted.omittedTurns)} would have to be left out${after}`, `${trimHint(request)}${sent}`);
  }
  return { messages: fitted.omittedTurns === 0 ? messages : fitted.messages, omittedTurns: fitted.omittedTurns, room };
}

/** A request too long even alone: shorter, or (only when the user bounded it) a smaller reply. */
const shortenHint = (request: ContextRequest) => `shorten the prompt${request.maxTokens === undefined ? '' : ', or lower --max-tokens'}`;

/** A thread that does not fit under `fail` or `all`: trim it, naming the file's key when the policy is the file's. */
const trimHint = (request: ContextRequest) =>
  request.policyFromFile
    ? `the thread file says context: ${request.policy}: use --context trim, or change that key, to send the recent turns that fit, or start a new thread`
    : 'use --context trim to send the recent turns that fit, or start a new thread';

/**
 * The server's own "too long" refusal, with the hint that fits what was sent: a thread can be
 * trimmed (under `all`, or when no turn is left to leave out, the prompt is what to shorten);
 * --max-tokens is named only when given.
 */
function rehinted(error: ContextExceededError, { history, request }: ThreadRequest): ContextExceededError {
  const window = error.window === undefined ? '' : `the model's window on this server is ${error.window} tokens (now remembered): `;
  const fix = history.length > 0 && request.policy === 'all' ? trimHint(request) : shortenHint(request);
  return new ContextExceededError(error.message, `${window}${fix}`, error.window, error.requestTokens, { cause: error.cause, status: error.status });
}

function turnsLeftOut(n: number): string {
  return `${n} earlier ${n === 1 ? 'turn' : 'turns'}`;
}

/** How many tokens the server counted for each of ours in what was sent, when it said and counted more. */
async function serverRatio(sent: ChatMessage[], model: string, serverTokens: number | undefined): Promise<number> {
  if (serverTokens === undefined) return 1;
  const ours = promptTokens(sent, await loadCounter(encodingFor(model)));
  return serverTokens > ours ? serverTokens / ours : 1;
}

/**
 * The window: the config's models: map, else the price table's for the OpenAI API; a window
 * a server named in an error for this model is used when smaller (it is what that server accepts).
 */
async function contextWindow(model: string, deps: Deps): Promise<Window | undefined> {
  const own = resolveModel(model, deps.settings.inForce.capabilities).entry.context_window;
  const { baseURL } = deps.settings.connection;
  const known = own ?? (isOpenAI(baseURL) ? await tableContextWindow(model) : undefined);
  const learned = await learnedWindow(deps.paths.cacheDir, baseURL, model);
  if (learned !== undefined && (known === undefined || learned < known)) return { tokens: learned, fromServer: true };
  return known === undefined ? undefined : { tokens: known, fromServer: false };
}
