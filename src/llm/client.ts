import type { BaseURLSource } from '../core/config.js';
import type { ChatMessage, ChatReply, RequestSettings } from '../core/types.js';

export type { ChatReply };

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  /** `response_format` as the API takes it (--schema: json_schema or json_object). */
  responseFormat?: ResponseFormat;
  signal?: AbortSignal;
}

export type ResponseFormat =
  | { type: 'json_schema'; json_schema: { name: string; schema: Record<string, unknown>; strict: true } }
  | { type: 'json_object' };

/** A request from merged settings and the messages to send. */
export function chatRequest(settings: RequestSettings, messages: ChatMessage[], signal?: AbortSignal): ChatRequest {
  return { model: settings.model, messages, temperature: settings.temperature, maxTokens: settings.maxTokens, signal };
}

/** The one contract the commands need from a model provider. */
export interface ChatClient {
  /**
   * Always streamed on the wire, so the timeout means silence even for a reply wanted whole;
   * `onText`, when given, is called with each piece as it arrives.
   */
  complete(request: ChatRequest, onText?: (text: string) => void): Promise<ChatReply>;
  listModels(signal?: AbortSignal): Promise<string[]>;
}

export interface ClientOptions {
  apiKey?: string;
  baseURL?: string;
  baseURLSource?: BaseURLSource;
  timeoutMs: number;
  maxRetries: number;
  /** One line before each retry the SDK makes (stderr, unless --quiet). */
  retryNotice?: (line: string) => void;
  /** Where SDK diagnostics go (only with --verbose); never the process streams directly. */
  log?: (line: string) => void;
}
