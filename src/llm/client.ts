import type { Connection } from '../core/config.js';
import type { RequestSettings } from '../core/endpoints.js';
import { GptError } from '../core/errors.js';
import { shapeOrError, type BodyFields, type CapabilityLayers } from '../core/models.js';
import type { ChatMessage, ChatReply } from '../core/types.js';

export type { ChatReply };

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  /** The token limit, sampling and reasoning effort, in the fields this model takes. */
  fields: BodyFields;
  /** Whether to send `stream_options` (some servers refuse it; usage is then absent). */
  streamUsage: boolean;
  /** Config defaults left out because the model cannot take them (said with --verbose). */
  leftOut?: string[];
  /** `response_format` as the API takes it (--schema: json_schema or json_object). */
  responseFormat?: ResponseFormat;
  signal?: AbortSignal;
}

export type ResponseFormat = { type: 'json_schema'; json_schema: { name: string; schema: Record<string, unknown>; strict: true } } | { type: 'json_object' };

/**
 * A request from merged settings and the messages to send. A setting the model cannot take
 * with the others in force is refused here, before anything is sent (exit 2, naming the flag).
 */
export function chatRequest(settings: RequestSettings, messages: ChatMessage[], signal?: AbortSignal): ChatRequest {
  const knobs = { maxTokens: settings.maxTokens, temperature: settings.temperature, reasoningEffort: settings.reasoningEffort };
  const shape = shapeOrError(settings.model, knobs, settings.capabilities, settings.sources);
  if (shape instanceof GptError) throw shape;
  const leftOut = shape.dropped.map((d) => `left out ${d.setting} from the config: ${d.reason}`);
  return { model: settings.model, messages, fields: shape.fields, streamUsage: shape.streamUsage, ...(leftOut.length > 0 ? { leftOut } : {}), signal };
}

/** The one contract the commands need from a model provider. */
export interface ChatClient {
  /**
   * Always streamed on the wire, so the timeout means silence even for a reply wanted whole;
   * `onText`, when given, is called with each piece of the answer as it arrives.
   */
  complete(request: ChatRequest, onText?: (text: string) => void, onReasoning?: (text: string) => void): Promise<ChatReply>;
  listModels(signal?: AbortSignal): Promise<string[]>;
}

export interface ClientOptions extends Connection {
  /** The profile in force and the model table's layers, for the hints of a 400 or 404. */
  endpoint?: string;
  capabilities?: CapabilityLayers;
  /** One line before each retry the SDK makes (stderr, unless --quiet). */
  retryNotice?: (line: string) => void;
  /** Where SDK diagnostics go (only with --verbose); never the process streams directly. */
  log?: (line: string) => void;
}
