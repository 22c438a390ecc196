import type { Effort } from './model-table.js';

export type Role = 'system' | 'user' | 'assistant';
export const ROLES: readonly Role[] = ['system', 'user', 'assistant'];

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

/** A message as kept in a thread file: the API's two fields plus what we learned. */
export interface StoredMessage extends ChatMessage {
  time?: string;
  model?: string;
  usage?: Usage;
  finish_reason?: string;
  /** The model's thinking, kept for the reader; never sent back to the model. */
  reasoning?: string;
}

export interface Thread {
  version: number;
  model?: string;
  system?: string;
  /** The endpoint profile the thread was made with; its model counts only there. */
  endpoint?: string;
  reasoning_effort?: Effort;
  created?: string;
  updated?: string;
  messages: StoredMessage[];
}

/** Where a setting in force came from, most specific first (shown by `gpt endpoints`). */
export type SettingSource = 'flag' | 'item' | 'thread' | 'profile' | 'env' | 'config' | 'default';
