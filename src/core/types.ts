import type { Effort } from './model-table.js';

export type Role = 'system' | 'user' | 'assistant';
export const ROLES: readonly Role[] = ['system', 'user', 'assistant'];

/** What to do with a thread longer than the model's window: README "Long threads" (core/context.ts). */
export const CONTEXT_POLICIES = ['trim', 'fail', 'all'] as const;
export type ContextPolicy = (typeof CONTEXT_POLICIES)[number];

/** What the API needs of one message. */
export interface ChatMessage {
  role: Role;
  content: string;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Of completion_tokens, those spent thinking (completion_tokens_details.reasoning_tokens), when the server says. */
  reasoning_tokens?: number;
  /** Of prompt_tokens, those served from the prompt cache (prompt_tokens_details.cached_tokens), when the server says. */
  cached_tokens?: number;
}

/** A model's reply to one request. */
export interface ChatReply {
  /** The answer only: a reasoning model's thinking is in `reasoning`. */
  text: string;
  /** The model's thinking, when the server sent any. */
  reasoning?: string;
  model: string;
  finishReason: string | null;
  usage: Usage | null;
  requestId: string | null;
  /** The model declined to answer (`message.refusal`, structured output): its explanation. */
  refusal?: string;
}

/** A message as kept in a thread file: the API's two fields plus what we learned. */
export interface StoredMessage extends ChatMessage {
  time?: string;
  model?: string;
  usage?: Usage;
  finish_reason?: string;
  /** USD, from usage and the price table or config (core/prices.ts); null when the price is unknown. */
  cost?: number | null;
  /** The model's thinking, kept for the reader; never sent back to the model. */
  reasoning?: string;
  /** Earlier turns left out of the request this reply answered (README "Long threads"). */
  omitted_turns?: number;
}

/** The thread file format this gpt writes, and the newest it reads. */
export const THREAD_VERSION = 1;

export interface Thread {
  version: number;
  model?: string;
  system?: string;
  /** The endpoint profile the thread was made with; its model counts only there. */
  endpoint?: string;
  reasoning_effort?: Effort;
  /** What to do when the thread outgrows the model's window (core/context.ts); --context wins. */
  context?: ContextPolicy;
  created?: string;
  updated?: string;
  messages: StoredMessage[];
}

/** Where a setting in force came from, most specific first (shown by `gpt endpoints`). */
export type SettingSource = 'flag' | 'item' | 'thread' | 'profile' | 'env' | 'config' | 'default';

/** The process environment, or a test's stand-in for it. */
export type Env = Record<string, string | undefined>;

/** One line of `gpt thread list`. */
export interface ThreadSummary {
  name: string;
  file: string;
  /** When the file last changed: what `gpt ask -c` goes by. */
  updated: Date;
  model: string | null;
  /** Completed exchanges: the number of user messages. */
  turns: number | null;
  /** The first words of the first prompt. */
  preview: string;
  /** Tokens the server reported for the thread's replies. */
  tokens: number | null;
  /** USD so far; null when a reply's price is unknown. */
  cost: number | null;
  /** Why the other fields are missing: the file could not be read as a thread. */
  problem?: string;
}
