import type { Settings } from '../core/config.js';
import type { RequestSettings } from '../core/endpoints.js';
import { buildRequestMessages, turnSettings, withSystemPrompt, type Attached } from '../core/prompt.js';
import type { ChatMessage, Thread } from '../core/types.js';
import type { BatchItem } from './item.js';

export interface ItemRequest {
  settings: RequestSettings;
  messages: ChatMessage[];
}

/** What the item's new message holds beyond its prompt: its files' text before it, and the attachments (this turn's and the thread's). */
export interface ItemTurn {
  /** The prompt with the item's files before it. */
  prompt: string;
  attached?: Attached;
}

/**
 * What one item sends. The item's own fields win, then flags (defaults for every item),
 * then what its thread remembers, then config and built-in defaults (one merge: turnSettings).
 */
export function itemRequest(item: BatchItem, settings: Settings, thread?: Thread, turn?: ItemTurn): ItemRequest {
  const request = turnSettings(settings, thread, item);
  if (item.messages) return { settings: request, messages: withSystemPrompt(request.system, item.messages) };
  return { settings: request, messages: buildRequestMessages(request, thread?.messages ?? [], turn?.prompt ?? item.prompt ?? '', turn?.attached) };
}
