import { describe, expect, it } from 'vitest';
import { resolveSettings } from '../../src/core/config.js';
import { itemRequest } from '../../src/batch/request.js';
import { chatRequest } from '../../src/llm/client.js';

const settings = (flags = {}) => resolveSettings(flags, {}, { model: 'config-model', system: 'config system', temperature: 0.1 });

describe('what one batch item sends', () => {
  it("takes the item's own fields first, then flags, then config", () => {
    const flags = { model: 'flag-model', system: 'flag system' };
    const own = itemRequest({ id: '1', line: 1, prompt: 'hi', model: 'item-model', system: 'item system', temperature: 0.9, maxTokens: 5 }, settings(flags));
    expect(own.settings).toMatchObject({ model: 'item-model', system: 'item system', temperature: 0.9, maxTokens: 5 });
    expect(own.messages).toEqual([
      { role: 'system', content: 'item system' },
      { role: 'user', content: 'hi' },
    ]);
    const byFlags = itemRequest({ id: '1', line: 1, prompt: 'hi' }, settings(flags));
    expect(byFlags.settings).toMatchObject({ model: 'flag-model', system: 'flag system', temperature: 0.1 });
    expect(itemRequest({ id: '1', line: 1, prompt: 'hi' }, settings()).settings.model).toBe('config-model');
  });

  it('continues a thread: its model and system prompt, then its history', () => {
    const thread = {
      version: 1,
      model: 'thread-model',
      system: 'thread system',
      messages: [
        { role: 'user' as const, content: 'q' },
        { role: 'assistant' as const, content: 'a' },
      ],
    };
    const r = itemRequest({ id: '1', line: 1, prompt: 'next', thread: 't' }, settings(), thread);
    expect(r.settings.model).toBe('thread-model');
    expect(r.messages.map((m) => m.content)).toEqual(['thread system', 'q', 'a', 'next']);
  });

  it('sends messages as given, adding the system prompt only when they have none', () => {
    const messages = [{ role: 'user' as const, content: 'x' }];
    expect(itemRequest({ id: '1', line: 1, messages }, settings()).messages).toEqual([{ role: 'system', content: 'config system' }, ...messages]);
    const own = [{ role: 'system' as const, content: 'mine' }, ...messages];
    expect(itemRequest({ id: '1', line: 1, messages: own }, settings()).messages).toEqual(own);
    const signal = new AbortController().signal;
    const { settings: merged, messages: sent } = itemRequest({ id: '1', line: 1, messages: own }, settings());
    expect(chatRequest(merged, sent, signal)).toEqual({ model: 'config-model', messages: own, fields: { temperature: 0.1 }, streamUsage: true, signal });
  });
});
