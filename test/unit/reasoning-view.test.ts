import { describe, expect, it } from 'vitest';
import { reasoningView } from '../../src/io/reasoning-view.js';

function view(show: boolean, dim: boolean) {
  const out: string[] = [];
  let thinking = 0;
  const v = reasoningView({ show, dim, write: (t) => out.push(t), thinking: () => thinking++ });
  return { v, out, thinking: () => thinking };
}

describe('reasoningView', () => {
  it('writes the thinking dimmed on a terminal, then a blank line before the answer', () => {
    const { v, out } = view(true, true);
    v.onReasoning('Whales');
    v.onReasoning(' are big.');
    v.done();
    v.done();
    expect(out.join('')).toBe('\x1b[2mWhales\x1b[22m\x1b[2m are big.\x1b[22m\n\n');
  });

  it('writes it plain without a terminal (or with NO_COLOR)', () => {
    const { v, out } = view(true, false);
    v.onReasoning('Hmm.\n');
    v.done();
    expect(out.join('')).toBe('Hmm.\n\n');
  });

  it('without --show-reasoning says "thinking" once and writes nothing', () => {
    const { v, out, thinking } = view(false, true);
    v.onReasoning('a');
    v.onReasoning('b');
    v.done();
    expect(out).toEqual([]);
    expect(thinking()).toBe(1);
  });
});
