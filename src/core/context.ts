import { REPLY_PRIMING } from './tokens.js';
import { CONTEXT_POLICIES, type ChatMessage, type ContextPolicy } from './types.js';

export { CONTEXT_POLICIES, type ContextPolicy } from './types.js';

export function parseContextPolicy(value: string): ContextPolicy | undefined {
  return (CONTEXT_POLICIES as readonly string[]).includes(value) ? (value as ContextPolicy) : undefined;
}

/** Room kept for the reply when no max_tokens is given: a quarter of the window, at most this. */
export const DEFAULT_REPLY_ROOM = 16_384;

export function replyRoom(contextWindow: number, maxTokens: number | undefined): number {
  return maxTokens ?? Math.min(Math.floor(contextWindow / 4), DEFAULT_REPLY_ROOM);
}

export interface Fitted {
  /** What to send: the leading system messages, then the most recent whole turns that fit. */
  messages: ChatMessage[];
  /** Earlier turns left out (0 when everything fits). */
  omittedTurns: number;
  /** Tokens of `messages` as prompt_tokens will count them. */
  tokens: number;
  /** false: even the system prompt and the newest turn do not fit (nothing can be left out). */
  fits: boolean;
}

/**
 * Keeps a conversation inside a context window. A turn is a user message with the replies
 * that follow it (messages before the first user message form a turn too), so a reply is
 * never sent without its question and a message is never cut. The leading system messages
 * and the newest turn are always kept; older turns go first.
 */
export function fitContext(
  messages: readonly ChatMessage[],
  budget: number,
  countMessage: (message: ChatMessage) => number,
): Fitted {
  let start = 0;
  while (start < messages.length && messages[start]!.role === 'system') start++;
  const system = messages.slice(0, start);
  const turns = splitTurns(messages.slice(start));

  let tokens = REPLY_PRIMING + sum(system.map(countMessage));
  let kept = 0;
  for (let i = turns.length - 1; i >= 0; i--) {
    const turnTokens = sum(turns[i]!.map(countMessage));
    // The newest turn is the question itself: it goes even when it does not fit (fits: false says so).
    if (kept > 0 && tokens + turnTokens > budget) break;
    tokens += turnTokens;
    kept++;
  }
  const sent = turns.slice(turns.length - kept).flat();
  return { messages: [...system, ...sent], omittedTurns: turns.length - kept, tokens, fits: tokens <= budget };
}

/** Turns, oldest first: each starts at a user message. */
export function splitTurns(messages: readonly ChatMessage[]): ChatMessage[][] {
  const turns: ChatMessage[][] = [];
  for (const message of messages) {
    if (message.role === 'user' || turns.length === 0) turns.push([message]);
    else turns[turns.length - 1]!.push(message);
  }
  return turns;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
