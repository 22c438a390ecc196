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
}

/** A message as kept in a thread file: the API's two fields plus what we learned. */
export interface StoredMessage extends ChatMessage {
  time?: string;
  model?: string;
  usage?: Usage;
  finish_reason?: string;
}

export interface Thread {
  version: number;
  model?: string;
  system?: string;
  created?: string;
  updated?: string;
  messages: StoredMessage[];
}

/** Settings for one request, after flags, environment and config are merged. */
export interface RequestSettings {
  model: string;
  system?: string;
  temperature?: number;
  maxTokens?: number;
}

/** Where a setting in force came from, most specific first (shown by `gpt endpoints`). */
export type SettingSource = 'flag' | 'item' | 'thread' | 'profile' | 'env' | 'config' | 'default';
