import { describe, expect, it } from 'vitest';
import { renderThreadList, renderTranscript, threadSummaryJson } from '../../src/io/transcript.js';
import { firstWords, summarise, type ThreadSummary } from '../../src/store/thread-admin.js';
import type { Thread } from '../../src/core/types.js';

const thread: Thread = {
  version: 1,
  system: 'Be brief.',
  messages: [
    { role: 'user', content: 'What is\n  the biggest   animal?\n' },
    { role: 'assistant', content: 'The blue whale.', model: 'gpt-4o-mini-2024-07-18' },
    { role: 'user', content: 'And the smallest?' },
  ],
};

describe('renderTranscript', () => {
  it('labels who said what, a blank line between messages, one newline at the end of each', () => {
    expect(renderTranscript(thread, false)).toBe(
      'System: Be brief.\n\nYou: What is\n  the biggest   animal?\n\nAssistant: The blue whale.\n\nYou: And the smallest?\n');
  });

  it('shows a system message in the history instead of the thread field, as it is sent', () => {
    const own: Thread = { ...thread, messages: [{ role: 'system', content: 'Mine.' }, ...thread.messages.slice(0, 1)] };
    expect(renderTranscript(own, false)).toMatch(/^System: Mine\.\n\nYou: /);
  });

  it('colours only the labels', () => {
    expect(renderTranscript({ version: 1, messages: [{ role: 'user', content: 'hi' }] }, true)).toBe('\x1b[1;36mYou:\x1b[0m hi\n');
  });
});

describe('summarise and firstWords', () => {
  it('counts turns by user messages, takes the model from the header or the replies', () => {
    expect(summarise(thread)).toEqual({ model: 'gpt-4o-mini-2024-07-18', turns: 2, preview: 'What is the biggest animal?' });
    expect(summarise({ ...thread, model: 'header-model' }).model).toBe('header-model');
    expect(summarise({ version: 1, messages: [] })).toEqual({ model: null, turns: 0, preview: '' });
  });

  it('cuts at a character count, never inside a character, with an ellipsis', () => {
    expect(firstWords('short', 10)).toBe('short');
    expect(firstWords('one two three four', 10)).toBe('one two…');
    expect(firstWords('蓝鲸蓝鲸蓝鲸', 4)).toBe('蓝鲸蓝…');
    expect(firstWords('🐋🐋🐋', 2)).toBe('🐋…');
  });
});

describe('renderThreadList', () => {
  const summary = (name: string, extra: Partial<ThreadSummary> = {}): ThreadSummary => ({
    name, file: `/t/${name}.yaml`, updated: new Date(2026, 10, 27, 9, 5), model: 'm', turns: 3, preview: 'hello', ...extra,
  });

  it('aligns the columns, with a header only when asked', () => {
    const rows = [summary('whales'), summary('a', { model: null, turns: null, preview: '', problem: 'bad' })];
    expect(renderThreadList(rows, false)).toBe(
      'whales  2026-11-27 09:05  m  3  hello\na       2026-11-27 09:05  ?  ?  (not readable as a thread)\n');
    expect(renderThreadList(rows, true).split('\n')[0]).toBe('NAME    UPDATED           MODEL  TURNS  FIRST PROMPT');
    expect(renderThreadList([], false)).toBe('');
  });

  it('gives JSON the time in UTC and a problem only when there is one', () => {
    const json = threadSummaryJson(summary('whales', { updated: new Date('2026-11-27T09:05:00Z') }));
    expect(json).toEqual({ name: 'whales', file: '/t/whales.yaml', updated: '2026-11-27T09:05:00.000Z', model: 'm', turns: 3, preview: 'hello' });
  });
});
