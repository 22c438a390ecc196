import { fitContext, replyRoom, tokensAtMost, type ContextPolicy } from '../core/context.js';
import { ExitCode, GptError } from '../core/errors.js';
import { resolveModel } from '../core/models.js';
import { isOpenAI } from '../core/prices.js';
import { encodingFor, messageTokens } from '../core/tokens.js';
import type { ChatMessage, StoredMessage } from '../core/types.js';
import { tableContextWindow } from '../usage/price-table.js';
import { loadCounter } from '../usage/tokenizer.js';
import type { Deps } from './deps.js';

export interface ContextRequest {
  model: string;
  maxTokens?: number;
  /** --context, else the thread's `context:`, else trim. */
  policy: ContextPolicy;
}

export interface FittedThread {
  messages: ChatMessage[];
  /** Earlier turns left out (kept in the reply's omitted_turns: its usage then counts less than the thread). */
  omittedTurns: number;
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
  const budget = window - replyRoom(window, request.maxTokens);
  // When the server's count of the thread and the bytes of the rest fit, the tokens do: no tokenizer is loaded.
  if (tokensAtMost(messages, history, encodingFor(request.model)) <= budget) return everything;
  const count = await loadCounter(encodingFor(request.model));
  const fitted = fitContext(messages, budget, (message) => messageTokens(message, count));
  const room = `${request.model}'s context window of ${window} tokens, keeping ${window - budget} for the reply`;
  if (!fitted.fits) {
    throw new GptError(ExitCode.apiRejected, `the system prompt and the new message alone need ${fitted.tokens} tokens, more than ${room} allows`,
      'shorten the prompt, or lower --max-tokens; nothing was sent');
  }
  if (fitted.omittedTurns === 0) return everything;
  const turns = `${fitted.omittedTurns} earlier ${fitted.omittedTurns === 1 ? 'turn' : 'turns'}`;
  if (request.policy === 'fail') {
    throw new GptError(ExitCode.apiRejected, `the thread does not fit ${room}: ${turns} would have to be left out`,
      'use --context trim to send the recent turns that fit, or start a new thread; nothing was sent');
  }
  deps.warn(`gpt: ${turns} left out to fit ${room} (the thread file keeps them; --context all sends everything)`);
  return { messages: fitted.messages, omittedTurns: fitted.omittedTurns };
}

/** The window from the config's models: map, else the price table's for the OpenAI API. */
async function contextWindow(model: string, deps: Deps): Promise<number | undefined> {
  const own = resolveModel(model, deps.settings.inForce.capabilities).entry.context_window;
  if (own !== undefined) return own;
  return isOpenAI(deps.settings.connection.baseURL) ? tableContextWindow(model) : undefined;
}
