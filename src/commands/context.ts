import { fitContext, replyRoom, type ContextPolicy } from '../core/context.js';
import { ExitCode, GptError } from '../core/errors.js';
import { resolveModel } from '../core/models.js';
import { isOpenAI } from '../core/prices.js';
import { encodingFor, MESSAGE_OVERHEAD, messageTokens, REPLY_PRIMING } from '../core/tokens.js';
import type { ChatMessage } from '../core/types.js';
import { tableContextWindow } from '../usage/price-table.js';
import { loadCounter } from '../usage/tokenizer.js';
import type { Deps } from './deps.js';

export interface ContextRequest {
  model: string;
  maxTokens?: number;
  /** --context, else the thread's `context:`, else trim. */
  policy: ContextPolicy;
}

/**
 * The messages to send for a thread, kept inside the model's context window (README "Long
 * threads"): all of them when they fit or the window is unknown; else, by policy, the system
 * prompt and the most recent whole turns that fit (saying how many were left out), or a
 * refusal (exit 4) before anything is sent. The thread file always keeps everything.
 */
export async function fitThread(messages: ChatMessage[], request: ContextRequest, deps: Deps): Promise<ChatMessage[]> {
  if (request.policy === 'all') return messages;
  const window = await contextWindow(request.model, deps);
  if (window === undefined) return messages;
  const budget = window - replyRoom(window, request.maxTokens);
  // A token is at least one byte: when the bytes fit, the tokens do, and no tokenizer is loaded.
  if (upperBound(messages) <= budget) return messages;
  const count = await loadCounter(encodingFor(request.model));
  const fitted = fitContext(messages, budget, (message) => messageTokens(message, count));
  const room = `${request.model}'s context window of ${window} tokens, keeping ${window - budget} for the reply`;
  if (!fitted.fits) {
    throw new GptError(ExitCode.apiRejected, `the system prompt and the new message alone need ${fitted.tokens} tokens, more than ${room} allows`,
      'shorten the prompt, or lower --max-tokens; nothing was sent');
  }
  if (fitted.omittedTurns === 0) return messages;
  const turns = `${fitted.omittedTurns} earlier ${fitted.omittedTurns === 1 ? 'turn' : 'turns'}`;
  if (request.policy === 'fail') {
    throw new GptError(ExitCode.apiRejected, `the thread does not fit ${room}: ${turns} would have to be left out`,
      'use --context trim to send the recent turns that fit, or start a new thread; nothing was sent');
  }
  deps.warn(`gpt: ${turns} left out to fit ${room} (the thread file keeps them; --context all sends everything)`);
  return fitted.messages;
}

/** The window from the config's models: map, else the price table's for the OpenAI API. */
async function contextWindow(model: string, deps: Deps): Promise<number | undefined> {
  const own = resolveModel(model, deps.settings.inForce.capabilities).entry.context_window;
  if (own !== undefined) return own;
  return isOpenAI(deps.settings.connection.baseURL) ? tableContextWindow(model) : undefined;
}

function upperBound(messages: ChatMessage[]): number {
  let bytes = REPLY_PRIMING;
  for (const m of messages) bytes += MESSAGE_OVERHEAD + Buffer.byteLength(m.role) + Buffer.byteLength(m.content);
  return bytes;
}
