import { type Encoding, encodingFor, MESSAGE_OVERHEAD, REPLY_PRIMING } from './tokens.js';
import { attachmentTokens } from './attachments.js';
import { CONTEXT_POLICIES, type ChatMessage, type ContextPolicy, type MessageText, type StoredMessage } from './types.js';

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
export function fitContext(messages: readonly ChatMessage[], budget: number, countMessage: (message: ChatMessage) => number): Fitted {
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

/**
 * At most how many tokens a request takes, without a tokenizer. The server counted the
 * stored thread up to its last reply exactly: that reply's prompt_tokens (everything sent
 * before it) plus its completion_tokens. The rest (messages after it, a system prompt not in
 * the file, the new message) counts a token per byte, as a token is at least one byte. The
 * server's count is not used when that reply was made from a trimmed request, or by a model
 * of another tokenizer: then every message counts by bytes.
 * `messages` is the request built from `history` (the stored thread), which it contains in order.
 */
export function tokensAtMost(messages: readonly ChatMessage[], history: readonly StoredMessage[], encoding: Encoding): number {
  let bound = REPLY_PRIMING + sum(messages.map(messageBytes));
  const last = history.findLastIndex((message) => message.usage !== undefined);
  const counted = history[last];
  if (!counted?.usage || counted.omitted_turns || counted.model === undefined || encodingFor(counted.model) !== encoding) return bound;
  // The counted messages leave the bytes bound; the reply comes back wrapped as a message.
  bound -= sum(history.slice(0, last + 1).map(textBytes));
  return bound + counted.usage.prompt_tokens + counted.usage.completion_tokens + MESSAGE_OVERHEAD;
}

/**
 * A bound on one message's tokens: its chat-format wrapping, a token per byte, and the
 * estimate of its images. A stored message counts its text only: a little too much is
 * then left in the bound (the server counted its images), never too little.
 */
function messageBytes(message: ChatMessage): number {
  return textBytes(message) + attachmentTokens(message.attachments);
}

function textBytes(message: MessageText): number {
  return MESSAGE_OVERHEAD + Buffer.byteLength(message.role) + Buffer.byteLength(message.content);
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
