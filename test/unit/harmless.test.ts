import { describe, expect, it } from 'vitest';
import { harmless, harmlessLine } from '../../src/core/text.js';

describe('harmless and harmlessLine', () => {
  it('show C0, DEL and C1 control characters as text; harmless keeps newlines and tabs', () => {
    expect(harmless('a\x1b[31mb\x07c\x7fd\x9be\r\nf\tg\n')).toBe('a^[[31mb^Gc^?d\\x9be\nf\tg\n');
  });

  it('harmlessLine shows newlines and carriage returns too, so the text stays one line', () => {
    expect(harmlessLine('a\nb\r\nc\td\x1b]0;T\x07')).toBe('a^Jb^M^Jc\td^[]0;T^G');
  });

  it('leave text without control characters as it is', () => {
    expect(harmlessLine('src/ünï €.ts')).toBe('src/ünï €.ts');
  });

  it('show the bidirectional overrides and isolates, which reorder what follows them', () => {
    // "txt.exe" written so that a terminal shows "exe.txt".
    expect(harmlessLine('name\u202etxt.exe')).toBe('name<U+202E>txt.exe');
    expect(harmless('a\u2066b\u2069c\u202ad\u202ce')).toBe('a<U+2066>b<U+2069>c<U+202A>d<U+202C>e');
    // Marks and joiners that right-to-left text and emoji need stay as they are.
    expect(harmlessLine('\u200f\u05e9\u05dc\u05d5\u05dd \u{1F468}\u200d\u{1F469}')).toBe('\u200f\u05e9\u05dc\u05d5\u05dd \u{1F468}\u200d\u{1F469}');
  });

  it('treat exactly the characters of Unicode category Cc, and the bidi overrides and isolates, as control characters', () => {
    // The ranges in core/text.ts stand for \p{Cc}: compared over U+0000-U+2FFF and some astral ones.
    const chars = [...Array.from({ length: 0x3000 }, (_, i) => String.fromCodePoint(i)), '\u{1F600}', '\u{E0001}', '\u{10FFFF}'];
    const bidi = /[\u202a-\u202e\u2066-\u2069]/;
    for (const c of chars) {
      const control = /\p{Cc}/u.test(c) || bidi.test(c);
      expect(harmlessLine(c) !== c, `U+${c.codePointAt(0)!.toString(16)}`).toBe(control && c !== '\t');
      expect(harmless(c) !== c).toBe(control && c !== '\n' && c !== '\t');
    }
  });
});
