import { describe, expect, it } from 'vitest';
import { createReasoningSplitter, reasoningOf, splitReasoning, type SplitReply } from '../../src/core/reasoning.js';

/** Feeds `pieces` as content deltas; checks that what streamed is what end() returns. */
function feed(pieces: string[], reasoningDeltas: string[] = []) {
  const streamed = { answer: '', reasoning: '' };
  const splitter = createReasoningSplitter({
    answer: (t) => {
      expect(t).not.toBe('');
      streamed.answer += t;
    },
    reasoning: (t) => {
      expect(t).not.toBe('');
      streamed.reasoning += t;
    },
  });
  for (const d of reasoningDeltas) splitter.reasoning(d);
  const beforeEnd: { answer: string; reasoning: string }[] = [];
  for (const p of pieces) {
    splitter.content(p);
    beforeEnd.push({ ...streamed });
  }
  const final = splitter.end();
  expect(streamed).toEqual({ answer: final.answer, reasoning: final.reasoning });
  return { final, beforeEnd };
}

/** Every way to cut `text` into two and into three pieces, and one character at a time. */
function everySplit(text: string): string[][] {
  const ways: string[][] = [[text], [...text]];
  for (let i = 0; i <= text.length; i++) {
    ways.push([text.slice(0, i), text.slice(i)]);
    for (let j = i; j <= text.length; j++) ways.push([text.slice(0, i), text.slice(i, j), text.slice(j)]);
  }
  return ways;
}

const SAMPLE = ' \n<think>\nFirst a < b; then </thin is no tag.\n\n</think>\n\nThe answer is <think> 42.\n';
const EXPECTED: SplitReply = {
  answer: 'The answer is <think> 42.\n',
  reasoning: 'First a < b; then </thin is no tag.',
  unclosed: false,
};

describe('createReasoningSplitter', () => {
  it('splits a leading <think> block at every split point of a sample stream', () => {
    const ways = everySplit(SAMPLE);
    expect(ways.length).toBeGreaterThan(3000);
    for (const pieces of ways) expect(feed(pieces).final, JSON.stringify(pieces)).toEqual(EXPECTED);
  });

  it('streams the answer as soon as it is certain, before the reply ends', () => {
    for (const pieces of everySplit(SAMPLE)) {
      const { beforeEnd } = feed(pieces);
      expect(beforeEnd.at(-1)).toEqual({ answer: EXPECTED.answer, reasoning: EXPECTED.reasoning });
    }
    // The reasoning is streamed while it is written, not at </think>.
    const { beforeEnd } = feed(['<think>one two', ' three', '</think>ok']);
    expect(beforeEnd.map((s) => s.reasoning)).toEqual(['one two', 'one two three', 'one two three']);
  });

  it('keeps a reply that is cut inside <think> as reasoning, at every split point', () => {
    const cut = '<think>I am still thinking </thi';
    for (const pieces of everySplit(cut)) {
      expect(feed(pieces).final).toEqual({ answer: '', reasoning: 'I am still thinking </thi', unclosed: true });
    }
  });

  it('passes a reply without a <think> block through byte for byte', () => {
    const plain = '  <b>bold</b> and <think>later</think>\n';
    for (const pieces of everySplit(plain)) {
      expect(feed(pieces).final).toEqual({ answer: plain, reasoning: '', unclosed: false });
    }
    expect(feed(['   ']).final.answer).toBe('   ');
    expect(feed(['<thi']).final.answer).toBe('<thi');
    expect(feed([]).final).toEqual({ answer: '', reasoning: '', unclosed: false });
  });

  it('holds back only what might still be a <think> tag', () => {
    expect(feed(['<', 'b>']).beforeEnd.map((s) => s.answer)).toEqual(['', '<b>']);
    expect(feed(['\n', 'Hi']).beforeEnd.map((s) => s.answer)).toEqual(['', '\nHi']);
    expect(feed(['<think>a', '</think>', '\n\n', 'B']).beforeEnd.map((s) => s.answer)).toEqual(['', '', '', 'B']);
  });

  it('takes an empty block (Qwen3 with thinking off) as no reasoning', () => {
    for (const pieces of everySplit('<think>\n\n</think>\n\nHello')) {
      expect(feed(pieces).final).toEqual({ answer: 'Hello', reasoning: '', unclosed: false });
    }
  });

  it('takes reasoning deltas beside the content, trimmed at both ends', () => {
    const { final, beforeEnd } = feed(['The', ' answer.'], ['\n', 'Let me ', 'see.', '\n\n']);
    expect(final).toEqual({ answer: 'The answer.', reasoning: 'Let me see.', unclosed: false });
    expect(beforeEnd[0]).toEqual({ answer: 'The', reasoning: 'Let me see.' });
  });

  it('drops the blank lines between thinking deltas and the answer', () => {
    for (const pieces of everySplit('\n\n  The answer.')) {
      expect(feed(pieces, ['Let me see.']).final.answer).toBe('The answer.');
    }
    expect(feed(['\n'], ['x']).final.answer).toBe('');
  });

  it('splits every way the reasoning deltas can arrive', () => {
    const text = '\n  Step one.\n\nStep two.  \n';
    for (const pieces of everySplit(text)) {
      expect(feed(['ok'], pieces).final).toEqual({ answer: 'ok', reasoning: 'Step one.\n\nStep two.', unclosed: false });
    }
  });
});

describe('splitReasoning', () => {
  it('splits a whole reply, with or without a reasoning field', () => {
    expect(splitReasoning(SAMPLE)).toEqual(EXPECTED);
    expect(splitReasoning('Paris.', ' It is Paris. ')).toEqual({ answer: 'Paris.', reasoning: 'It is Paris.', unclosed: false });
    expect(splitReasoning('Paris.', null)).toEqual({ answer: 'Paris.', reasoning: '', unclosed: false });
  });
});

describe('reasoningOf', () => {
  it('reads either field name once, ignoring empty and foreign values', () => {
    expect(reasoningOf({ content: '', reasoning_content: 'a' })).toBe('a');
    expect(reasoningOf({ content: '', reasoning: 'b' })).toBe('b');
    expect(reasoningOf({ reasoning_content: 'same', reasoning: 'same' })).toBe('same');
    expect(reasoningOf({ reasoning_content: '', reasoning: 'c' })).toBe('c');
    expect(reasoningOf({ reasoning: { effort: 'high' } })).toBeUndefined();
    expect(reasoningOf({ content: 'x' })).toBeUndefined();
    expect(reasoningOf(null)).toBeUndefined();
  });
});
