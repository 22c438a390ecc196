import type { FlagSettings, Settings } from '../core/config.js';
import { buildRequestMessages, turnSettings, withSystemPrompt } from '../core/prompt.js';
import type { ChatMessage, RequestSettings, Thread } from '../core/types.js';
import type { BatchItem } from './item.js';

export interface ItemRequest {
  settings: RequestSettings;
  messages: ChatMessage[];
}

/**
 * What one item sends. The item's own fields win, then flags (defaults for every item),
 * then what its thread remembers, then config and built-in defaults.
 */
export function itemRequest(item: BatchItem, flags: FlagSettings, settings: Settings, thread?: Thread): ItemRequest {
  const merged = turnSettings({ ...flags, model: item.model ?? flags.model, system: item.system ?? flags.system }, thread, settings);
  const request: RequestSettings = {
    ...merged,
    temperature: item.temperature ?? merged.temperature,
    maxTokens: item.maxTokens ?? merged.maxTokens,
  };
  if (item.messages) return { settings: request, messages: withSystemPrompt(request.system, item.messages) };
  return { settings: request, messages: buildRequestMessages(request, thread?.messages ?? [], item.prompt ?? '') };
}
