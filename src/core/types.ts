import type { Effort } from './model-table.js';

export type Role = 'system' | 'user' | 'assistant';
export const ROLES: readonly Role[] = ['system', 'user', 'assistant'];

/** What to do with a thread longer than the model's window: README "Long threads" (core/context.ts). */
export const CONTEXT_POLICIES = ['trim', 'fail', 'all'] as const;
export type ContextPolicy = (typeof CONTEXT_POLICIES)[number];

/** How closely the model looks at an image (`--detail`): the API's `image_url.detail`. */
export const DETAILS = ['low', 'high', 'auto'] as const;
export type Detail = (typeof DETAILS)[number];

/**
 * An attachment as a thread records it: a file by `path` (as the user wrote it), `sha256`,
 * `mime` and `bytes`, whose bytes are in the attachment store; or an http(s) `url`, sent as
 * it is (its `mime` only when its ending says so). Never the bytes themselves.
 */
export interface AttachmentRef {
  path?: string;
  url?: string;
  sha256?: string;
  mime?: string;
  bytes?: number;
  detail?: Detail;
}

/** An attachment ready to send: its reference, and the URL the API gets (a data: URL for a file). */
export interface SentAttachment {
  ref: AttachmentRef;
  url: string;
  /** An image file's size in pixels, for the token estimate. */
  pixels?: { width: number; height: number };
}

/** The two fields every message has: text content stays a string everywhere. */
export interface MessageText {
  role: Role;
  content: string;
}

/** What the API needs of one message; attachments become content parts (llm/message-parts.ts). */
export interface ChatMessage extends MessageText {
  attachments?: SentAttachment[];
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
export interface StoredMessage extends MessageText {
  /** A user message's files and URLs, by reference (README "The file format"). */
  attachments?: AttachmentRef[];
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
  /** Where this thread's attachments are kept, relative to the thread file (a thread outside the threads folder). */
  attachment_store?: string;
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
