import { describe, expect, it } from 'vitest';
import { fitContext, parseContextPolicy, replyRoom, splitTurns, tokensAtMost } from '../../src/core/context.js';
import { MESSAGE_OVERHEAD, REPLY_PRIMING } from '../../src/core/tokens.js';
import type { ChatMessage, Role, StoredMessage } from '../../src/core/types.js';

const m = (role: Role, content: string): ChatMessage => ({ role, content });
/** One token per character of content: budgets are easy to reason about. */
const count = (message: ChatMessage) => message.content.length;

const sys = m('system', 'SS'); // 2
const thread = [
  sys,
  m('user', 'u1'),
  m('assistant', 'a1aa'), // turn 1: 6
  m('user', 'u2'),
  m('assistant', 'a2aa'), // turn 2: 6
  m('user', 'u3'),
  m('assistant', 'a3aa'), // turn 3: 6
  m('user', 'q4'), // the new question: 2
];
const all = REPLY_PRIMING + 2 + 6 + 6 + 6 + 2;

describe('fitContext', () => {
  it('sends everything when everything fits, exactly at the budget', () => {
    expect(fitContext(thread, all, count)).toEqual({ messages: thread, omittedTurns: 0, tokens: all, fits: true });
  });

  it('leaves out the oldest whole turn when one token is missing', () => {
    const fitted = fitContext(thread, all - 1, count);
    expect(fitted.messages).toEqual([sys, ...thread.slice(3)]);
    expect(fitted.omittedTurns).toBe(1);
    expect(fitted.tokens).toBe(all - 6);
    expect(fitted.fits).toBe(true);
  });

  it('never sends a reply without its question, even when the reply alone would fit', () => {
    // Budget for system + new question + 5 more: the 4-token reply of turn 3 would fit, its question too (6 > 5: no).
    const fitted = fitContext(thread, REPLY_PRIMING + 2 + 2 + 5, count);
    expect(fitted.messages).toEqual([sys, m('user', 'q4')]);
    expect(fitted.omittedTurns).toBe(3);
  });

  it('does not skip a big turn to keep an older small one: only the most recent turns, contiguous', () => {
    const messages = [sys, m('user', 'a'), m('assistant', 'b'), m('user', 'x'.repeat(50)), m('assistant', 'y'), m('user', 'q')];
    const fitted = fitContext(messages, REPLY_PRIMING + 2 + 1 + 2, count);
    expect(fitted.messages).toEqual([sys, m('user', 'q')]);
    expect(fitted.omittedTurns).toBe(2);
  });

  it('always keeps the system prompt and the new question, and says when even they do not fit', () => {
    const fitted = fitContext(thread, 3, count);
    expect(fitted.messages).toEqual([sys, m('user', 'q4')]);
    expect(fitted.omittedTurns).toBe(3);
    expect(fitted.fits).toBe(false);
    expect(fitted.tokens).toBe(REPLY_PRIMING + 4);
  });

  it('works without a system prompt', () => {
    const fitted = fitContext(thread.slice(1), REPLY_PRIMING + 6 + 2, count);
    expect(fitted.messages).toEqual(thread.slice(-3));
    expect(fitted.omittedTurns).toBe(2);
  });

  it('keeps several leading system messages', () => {
    const two = [sys, m('system', 'T'), ...thread.slice(1)];
    expect(fitContext(two, REPLY_PRIMING + 3 + 2, count).messages).toEqual([sys, m('system', 'T'), m('user', 'q4')]);
  });

  it('counts a reply that came before any question (a greeting) as a turn of its own', () => {
    const messages = [sys, m('assistant', 'hello'), m('user', 'q')];
    const fitted = fitContext(messages, REPLY_PRIMING + 2 + 1, count);
    expect(fitted.messages).toEqual([sys, m('user', 'q')]);
    expect(fitted.omittedTurns).toBe(1);
  });

  it('handles an empty conversation', () => {
    expect(fitContext([], 10, count)).toEqual({ messages: [], omittedTurns: 0, tokens: REPLY_PRIMING, fits: true });
  });

  it('sends a whole turn of several replies or none of it', () => {
    const messages = [m('user', 'a'), m('assistant', 'bb'), m('assistant', 'cc'), m('user', 'q')];
    expect(fitContext(messages, REPLY_PRIMING + 1 + 4, count).messages).toEqual([m('user', 'q')]);
    expect(fitContext(messages, REPLY_PRIMING + 1 + 5, count).messages).toEqual(messages);
  });

  it('keeps exactly the turns that fit, for every budget', () => {
    for (let budget = 0; budget <= all + 2; budget++) {
      const fitted = fitContext(thread, budget, count);
      const sent = fitted.messages;
      expect(sent[0]).toEqual(sys);
      expect(sent.at(-1)).toEqual(m('user', 'q4'));
      expect(fitted.tokens).toBe(REPLY_PRIMING + sent.reduce((n, x) => n + count(x), 0));
      // A suffix of the thread, starting at a question.
      const rest = sent.slice(1);
      expect(thread.slice(thread.length - rest.length)).toEqual(rest);
      expect(rest[0]!.role).toBe('user');
      // Maximal: one more turn would not have fitted.
      if (fitted.omittedTurns > 0 && fitted.fits) expect(fitted.tokens + 6).toBeGreaterThan(budget);
      expect(fitted.fits).toBe(fitted.tokens <= budget);
    }
  });
});

describe('splitTurns', () => {
  it('starts a turn at each user message', () => {
    expect(splitTurns(thread.slice(1)).map((t) => t.length)).toEqual([2, 2, 2, 1]);
  });
});

describe('replyRoom and policies', () => {
  it('keeps max_tokens for the reply when given, else a quarter of the window up to 16,384', () => {
    expect(replyRoom(128_000, 500)).toBe(500);
    expect(replyRoom(8_000, undefined)).toBe(2_000);
    expect(replyRoom(400_000, undefined)).toBe(16_384);
  });

  it('knows trim, fail and all', () => {
    expect(parseContextPolicy('trim')).toBe('trim');
    expect(parseContextPolicy('fail')).toBe('fail');
    expect(parseContextPolicy('all')).toBe('all');
    expect(parseContextPolicy('some')).toBeUndefined();
  });
});

describe('tokensAtMost', () => {
  /** The bound by bytes of one message (ASCII here): its wrapping, role and content. */
  const bytes = (message: ChatMessage) => MESSAGE_OVERHEAD + message.role.length + message.content.length;
  const byBytes = (messages: ChatMessage[]) => REPLY_PRIMING + messages.reduce((a, x) => a + bytes(x), 0);
  const long = 'x'.repeat(1000);
  const reply = (content: string, more: Partial<StoredMessage> = {}): StoredMessage => ({
    role: 'assistant',
    content,
    model: 'gpt-4o-mini',
    usage: { prompt_tokens: 300, completion_tokens: 200, total_tokens: 500 },
    ...more,
  });
  const history: StoredMessage[] = [
    m('user', long),
    { ...reply(long), usage: { prompt_tokens: 260, completion_tokens: 240, total_tokens: 500 } },
    m('user', long),
    reply(long),
  ];
  const request = (stored: StoredMessage[]) => [sys, ...stored.map((x) => m(x.role, x.content)), m('user', 'q')];

  it("takes the stored thread's size from the last reply's usage, and the rest (system prompt, new message) by bytes", () => {
    const messages = request(history);
    const bound = tokensAtMost(messages, history, 'o200k_base');
    expect(bound).toBe(300 + 200 + MESSAGE_OVERHEAD + REPLY_PRIMING + bytes(sys) + bytes(m('user', 'q')));
    expect(bound).toBeLessThan(byBytes(messages) / 5);
  });

  it('counts every message by bytes when no reply has usage (the caller then loads the tokenizer)', () => {
    const bare = history.map((x) => m(x.role, x.content));
    expect(tokensAtMost(request(bare), bare, 'o200k_base')).toBe(byBytes(request(bare)));
  });

  it('counts by bytes a message written after the last usage (an edited thread)', () => {
    const edited = [...history, m('user', long), m('assistant', long)];
    const bound = tokensAtMost(request(edited), edited, 'o200k_base');
    expect(bound).toBe(
      300 + 200 + MESSAGE_OVERHEAD + REPLY_PRIMING + bytes(sys) + bytes(m('user', long)) + bytes(m('assistant', long)) + bytes(m('user', 'q')),
    );
  });

  it('does not trust the usage of a reply to a trimmed request, nor one counted by another tokenizer', () => {
    for (const last of [reply(long, { omitted_turns: 1 }), reply(long, { model: 'gpt-4' }), reply(long, { model: undefined })]) {
      const stored = [...history.slice(0, 3), last];
      expect(tokensAtMost(request(stored), stored, 'o200k_base')).toBe(byBytes(request(stored)));
    }
  });
});
