import { describe, expect, it } from 'vitest';
import { MarkdownBlocks, tableColumns, wrapCodeLines } from '../../src/core/markdown-blocks.js';

/** Feeds `text` in pieces of `size` characters; the blocks completed after each piece. */
const stream = (text: string, size: number) => {
  const blocks = new MarkdownBlocks();
  const seen: string[][] = [];
  for (let at = 0; at < text.length; at += size) seen.push(blocks.push(text.slice(at, at + size)));
  seen.push(blocks.end());
  return seen;
};

describe('MarkdownBlocks', () => {
  const reply = '# Title\nA paragraph\non two lines.\n\n```js\nconst a = 1;\n\nconst b = 2;\n```\n- one\n\n- two\n\nAfter.';

  it('gives each block once, whole, however the text is cut', () => {
    for (const size of [1, 3, 7, reply.length]) {
      expect(stream(reply, size).flat()).toEqual([
        '# Title',
        'A paragraph\non two lines.',
        '```js\nconst a = 1;\n\nconst b = 2;\n```',
        '- one\n\n- two',
        'After.',
      ]);
    }
  });

  it('gives a block as soon as it is complete, not at the end', () => {
    const blocks = new MarkdownBlocks();
    expect(blocks.push('# Title\nSome text')).toEqual(['# Title']);
    expect(blocks.push(' more\n')).toEqual([]);
    expect(blocks.push('\n```\ncode\n')).toEqual(['Some text more']);
    expect(blocks.push('```\n')).toEqual(['```\ncode\n```']);
    expect(blocks.end()).toEqual([]);
  });

  it('sends an unclosed code block at the end rather than lose it', () => {
    expect(stream('```\nx = 1\n', 4).flat()).toEqual(['```\nx = 1']);
  });
});

describe('tables and code lines', () => {
  it('counts the columns of a table, and knows a paragraph is not one', () => {
    expect(tableColumns('| a | b | c |\n|---|:--:|---|\n| 1 | 2 | 3 |')).toBe(3);
    expect(tableColumns('a | b\n--- | ---')).toBe(2);
    expect(tableColumns('just text\nmore text')).toBeUndefined();
  });

  it('cuts long code lines to the width, leaving the fences and short lines', () => {
    expect(wrapCodeLines('```\nabcdefghij\nabc\n```', 4)).toBe('```\nabcd\nefgh\nij\nabc\n```');
    expect(wrapCodeLines('not code that is long', 4)).toBe('not code that is long');
  });
});
