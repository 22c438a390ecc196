import type { Settings } from './config.js';
import { requestSettings, resolveEndpoint, type RequestLayer, type RequestSettings } from './endpoints.js';
import type { ChatMessage, SentAttachment, StoredMessage, Thread } from './types.js';

/**
 * The prompt is piped text, then a blank line, then the argument text.
 * Piped bytes are kept exactly; only the separator is added.
 */
export function assemblePrompt(piped: string | undefined, args: readonly string[]): string | undefined {
  const argText = args.join(' ');
  const hasPiped = piped !== undefined && piped.length > 0;
  if (!hasPiped) return argText.length > 0 ? argText : undefined;
  if (argText.length === 0) return piped;
  const separator = piped.endsWith('\n') ? '\n' : '\n\n';
  return piped + separator + argText;
}

/** What goes with the messages' text: the new message's attachments, and the history's, read again. */
export interface Attached {
  turn?: SentAttachment[];
  history?: ReadonlyMap<StoredMessage, SentAttachment[]>;
}

/** The messages sent for one turn: system prompt, the history, then the new user message. */
export function buildRequestMessages(
  settings: Pick<RequestSettings, 'system'>,
  history: readonly StoredMessage[],
  prompt: string,
  attached: Attached = {},
): ChatMessage[] {
  const message = (role: ChatMessage['role'], content: string, attachments: SentAttachment[] | undefined): ChatMessage =>
    attachments?.length ? { role, content, attachments } : { role, content };
  const messages = history.map((m) => message(m.role, m.content, attached.history?.get(m)));
  return withSystemPrompt(settings.system, [...messages, message('user', prompt, attached.turn)]);
}

/** The system prompt first, unless the messages carry their own (written by hand, say), which win. */
export function withSystemPrompt(system: string | undefined, messages: ChatMessage[]): ChatMessage[] {
  if (!system || messages.some((m) => m.role === 'system')) return messages;
  return [{ role: 'system', content: system }, ...messages];
}

/**
 * The settings of one turn or batch item: the one merge (resolveEndpoint) with the thread's
 * and the item's layers added. A thread remembers its system prompt, and its model and
 * reasoning effort on the endpoint it was made with; flags still override them for one turn.
 */
export function turnSettings(settings: Settings, thread?: Thread, item?: RequestLayer): RequestSettings {
  const remembered = thread && { endpoint: thread.endpoint, model: thread.model, system: thread.system, reasoning_effort: thread.reasoning_effort };
  return requestSettings(resolveEndpoint({ ...settings.inputs, thread: remembered, item }));
}
