import { describe, expect, it } from 'vitest';
import { findInMessages, literalPattern } from '../../src/core/search.js';

const user = (content: string) => ({ role: 'user' as const, content });

describe('findInMessages', () => {
  it('matches literally and in any case, reporting each message once with its index', () => {
    const hits = findInMessages([user('nothing here'), user('a.b A.B a.b'), user('aXb')], literalPattern('A.B'));
    expect(hits).toEqual([{ message: 1, role: 'user', excerpt: 'a.b A.B a.b' }]);
  });

  it('cuts long text around the hit on one line, never inside an emoji', () => {
    const text = `${'🐋'.repeat(30)} the blue\nwhale ${'x'.repeat(60)}`;
    const [hit] = findInMessages([user(text)], literalPattern('BLUE WHALE'.replace(' ', '\n')));
    expect(hit!.excerpt).toMatch(/^…(🐋)+ the blue whale x+…$/u);
    expect(() => encodeURIComponent(hit!.excerpt)).not.toThrow(); // a lone half of a surrogate pair throws
  });

  it('takes regular-expression characters as themselves', () => {
    for (const text of ['(', '[a-z]', '\\d+', '$^', 'a|b', '/x/']) {
      expect(findInMessages([user(`say ${text} now`)], literalPattern(text))).toHaveLength(1);
    }
  });
});
