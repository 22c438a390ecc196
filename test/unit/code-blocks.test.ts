import { describe, expect, it } from 'vitest';
import { codeBlocks, extractCode } from '../../src/core/code-blocks.js';

describe('fenced code blocks', () => {
  it('finds backtick and tilde blocks with their info strings', () => {
    const reply = 'Here:\n```python\nprint(1)\n```\nand\n~~~ sh title=x\necho hi\n~~~\n';
    expect(codeBlocks(reply)).toEqual([
      { info: 'python', code: 'print(1)\n', unclosed: false },
      { info: 'sh title=x', code: 'echo hi\n', unclosed: false },
    ]);
    expect(extractCode(reply, 'first')?.code).toBe('print(1)\n');
    expect(extractCode(reply, 'last')?.code).toBe('echo hi\n');
  });

  it('a longer fence holds shorter fences and the other fence character', () => {
    const reply = '````md\n```js\nx()\n```\n~~~\n````\n';
    expect(codeBlocks(reply)).toEqual([{ info: 'md', code: '```js\nx()\n```\n~~~\n', unclosed: false }]);
  });

  it('a closing fence may be longer, not shorter, and has nothing after it', () => {
    expect(codeBlocks('~~~~\na\n~~~\n~~~~~\n')).toEqual([{ info: '', code: 'a\n~~~\n', unclosed: false }]);
    expect(codeBlocks('```\na\n``` not a close\n```\n')[0]?.code).toBe('a\n``` not a close\n');
  });

  it('an indented fence (in a list item) has its indentation taken off the code', () => {
    const reply = '1. Run:\n   ```bash\n   make\n     indented\n   ```\n';
    expect(codeBlocks(reply)).toEqual([{ info: 'bash', code: 'make\n  indented\n', unclosed: false }]);
  });

  it('a reply cut inside a block still yields its code', () => {
    expect(codeBlocks('Sure:\n```sh\necho one\necho tw')).toEqual([{ info: 'sh', code: 'echo one\necho tw\n', unclosed: true }]);
    expect(extractCode('text\n```\n', 'first')).toEqual({ info: '', code: '', unclosed: true });
  });

  it('inline triple backticks and prose are not blocks; CRLF lines are read', () => {
    expect(codeBlocks('use ```x``` inline\n')).toEqual([]);
    expect(extractCode('no code here', 'last')).toBeUndefined();
    expect(codeBlocks('```\r\na\r\n```\r\n')[0]?.code).toBe('a\n');
  });
});
