import { describe, expect, it } from 'vitest';
import { renderThreadList, renderTotals, renderTranscript, threadSummaryJson } from '../../src/io/transcript.js';
import type { ThreadSummary } from '../../src/core/types.js';
import { firstWords, summarise } from '../../src/store/thread-admin.js';
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
      'System: Be brief.\n\nYou: What is\n  the biggest   animal?\n\nAssistant: The blue whale.\n\nYou: And the smallest?\n',
    );
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
    expect(summarise(thread)).toMatchObject({ model: 'gpt-4o-mini-2024-07-18', turns: 2, preview: 'What is the biggest animal?' });
    expect(summarise({ ...thread, model: 'header-model' }).model).toBe('header-model');
    expect(summarise({ version: 1, messages: [] })).toEqual({ model: null, turns: 0, preview: '', tokens: 0, cost: 0 });
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
    name,
    file: `/t/${name}.yaml`,
    updated: new Date(2026, 10, 27, 9, 5),
    model: 'm',
    turns: 3,
    preview: 'hello',
    tokens: 120,
    cost: 0.0012,
    ...extra,
  });

  it('aligns the columns, with a header only when asked', () => {
    const rows = [summary('whales'), summary('a', { model: null, turns: null, preview: '', tokens: null, cost: null, problem: 'bad' })];
    expect(renderThreadList(rows, false)).toBe(
      'whales  2026-11-27 09:05  m  3  120  $0.0012  hello\na       2026-11-27 09:05  ?  ?  ?    ?        (not readable as a thread)\n',
    );
    expect(renderThreadList(rows, true).split('\n')[0]).toBe('NAME    UPDATED           MODEL  TURNS  TOKENS  COST     FIRST PROMPT');
    expect(renderThreadList([], false)).toBe('');
  });

  it('gives JSON the time in UTC and a problem only when there is one', () => {
    const json = threadSummaryJson(summary('whales', { updated: new Date('2026-11-27T09:05:00Z') }));
    expect(json).toEqual({
      name: 'whales',
      file: '/t/whales.yaml',
      updated: '2026-11-27T09:05:00.000Z',
      model: 'm',
      turns: 3,
      tokens: 120,
      cost: 0.0012,
      preview: 'hello',
    });
  });
});

describe('tokens and cost so far', () => {
  const reply = (cost: number | null | undefined, total = 10) => ({
    role: 'assistant' as const,
    content: 'r',
    usage: { prompt_tokens: total - 2, completion_tokens: 2, total_tokens: total },
    ...(cost === undefined ? {} : { cost }),
  });
  it('adds the tokens and costs of the replies; one reply without a price makes the cost unknown', () => {
    const user = { role: 'user' as const, content: 'q' };
    expect(summarise({ version: 1, messages: [user, reply(0.001), user, reply(0.002, 20)] })).toMatchObject({ tokens: 30, cost: 0.003 });
    expect(summarise({ version: 1, messages: [user, reply(0.001), user, reply(null)] })).toMatchObject({ tokens: 20, cost: null });
    expect(summarise({ version: 1, messages: [user, reply(undefined)] })).toMatchObject({ tokens: 10, cost: null });
  });

  it('makes the tokens unknown when any reply lacks usage (a file written by hand), as the cost', () => {
    const user = { role: 'user' as const, content: 'q' };
    const byHand = { role: 'assistant' as const, content: 'r' };
    expect(summarise({ version: 1, messages: [user, reply(0.001), user, byHand] })).toMatchObject({ tokens: null, cost: null });
    expect(summarise({ version: 1, messages: [user] })).toMatchObject({ tokens: 0, cost: 0 });
    expect(renderTotals({ version: 1, messages: [user, byHand] })).toBe('\n[1 turn, tokens unknown, cost unknown]\n');
  });

  it('ends thread show with the totals', () => {
    expect(renderTotals({ version: 1, messages: [{ role: 'user', content: 'q' }, reply(0.0015, 1200)] })).toBe('\n[1 turn, 1200 tokens, $0.0015]\n');
  });
});

describe('control characters in stored text', () => {
  const evil = 'hi\x1b]0;pwned\x07\x1b[31mred\rback\x9b2J\x7f\tend\nnext';

  it('are shown as visible text, never sent to the terminal; newline and tab stay', () => {
    const shown = renderTranscript({ version: 1, messages: [{ role: 'user', content: evil }] }, false);
    expect(shown).toBe('You: hi^[]0;pwned^G^[[31mred^Mback\\x9b2J^?\tend\nnext\n');
    expect(shown).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  });

  it('in thread list too: name, model and preview', () => {
    const list = renderThreadList(
      [
        {
          name: 'n\x1b[2J',
          file: '/t/n.yaml',
          updated: new Date(0),
          model: 'm\x07',
          turns: 1,
          preview: firstWords(evil, 60),
          tokens: 0,
          cost: 0,
        },
      ],
      false,
    );
    expect(list).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    expect(list).toContain('n^[[2J');
    expect(list).toContain('m^G');
    expect(list).toContain('hi^[]0;pwned^G^[[31mred back\\x9b2J^? end next'); // whitespace flattened first
  });

  it('a Windows line ending is a line ending, not ^M', () => {
    expect(renderTranscript({ version: 1, messages: [{ role: 'user', content: 'a\r\nb' }] }, false)).toBe('You: a\nb\n');
  });
});

describe('a reply cut at --max-tokens', () => {
  it('is marked in the transcript', () => {
    const cut: Thread = {
      version: 1,
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'The blue wh', finish_reason: 'length' },
        { role: 'user', content: 'q2' },
        { role: 'assistant', content: 'Whole.', finish_reason: 'stop' },
      ],
    };
    expect(renderTranscript(cut, false)).toBe(
      'You: q\n\nAssistant: The blue wh\n[reply cut short: it reached the token limit (--max-tokens)]\n\nYou: q2\n\nAssistant: Whole.\n',
    );
    expect(renderTranscript(cut, true)).toContain('\x1b[2m[reply cut short: it reached the token limit (--max-tokens)]\x1b[0m\n');
  });
});
