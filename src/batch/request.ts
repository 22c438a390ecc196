import type { FlagSettings, Settings } from '../core/config.js';
import { buildRequestMessages, turnSettings } from '../core/prompt.js';
import type { ChatMessage, RequestSettings, Thread } from '../core/types.js';
import type { ChatRequest } from '../llm/client.js';
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
  if (item.messages) {
    const hasSystem = item.messages.some((m) => m.role === 'system');
    const system: ChatMessage[] = request.system && !hasSystem ? [{ role: 'system', content: request.system }] : [];
    return { settings: request, messages: [...system, ...item.messages] };
  }
  return { settings: request, messages: buildRequestMessages(request, thread?.messages ?? [], item.prompt ?? '') };
}

export function chatRequest({ settings, messages }: ItemRequest, signal?: AbortSignal): ChatRequest {
  return { model: settings.model, messages, temperature: settings.temperature, maxTokens: settings.maxTokens, signal };
}
