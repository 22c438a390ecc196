import { describe, expect, it } from 'vitest';
import { ChatInput, MORE_PROMPT, PROMPT } from '../../src/core/chat-input.js';

const feed = (lines: string[]) => {
  const input = new ChatInput();
  return lines.map((line) => input.push(line));
};

describe('ChatInput', () => {
  it('makes each line a message, keeping it as typed', () => {
    expect(feed(['  hello  ', '世界上最大的动物是什么？'])).toEqual([
      { kind: 'message', text: '  hello  ' },
      { kind: 'message', text: '世界上最大的动物是什么？' },
    ]);
  });

  it('knows quit, exit and new, with spaces around them, and skips blank lines', () => {
    expect(feed(['quit', ' exit ', 'new', '', '   ', 'Quit'])).toEqual([
      { kind: 'quit' },
      { kind: 'quit' },
      { kind: 'new' },
      { kind: 'none' },
      { kind: 'none' },
      { kind: 'message', text: 'Quit' },
    ]);
  });

  it('takes the lines between two """ lines as one message, commands included', () => {
    const input = new ChatInput();
    expect(input.prompt).toBe(PROMPT);
    expect(input.push('"""')).toEqual({ kind: 'none' });
    expect(input.prompt).toBe(MORE_PROMPT);
    for (const line of ['def f():', '    quit', '', 'new']) expect(input.push(line)).toEqual({ kind: 'none' });
    expect(input.push(' """ ')).toEqual({ kind: 'message', text: 'def f():\n    quit\n\nnew' });
    expect(input.prompt).toBe(PROMPT);
    expect(input.inBlock).toBe(false);
  });

  it('sends nothing for an empty block, and drops a cancelled one', () => {
    const input = new ChatInput();
    input.push('"""');
    input.push('  ');
    expect(input.push('"""')).toEqual({ kind: 'none' });
    input.push('"""');
    input.push('draft');
    input.cancelBlock();
    expect(input.inBlock).toBe(false);
    expect(input.end()).toEqual({ kind: 'none' });
  });

  it('sends an unclosed block at the end of input rather than lose it', () => {
    const input = new ChatInput();
    input.push('"""');
    input.push('a');
    input.push('b');
    expect(input.end()).toEqual({ kind: 'message', text: 'a\nb' });
    expect(input.end()).toEqual({ kind: 'none' });
  });

  it('reads slash commands, with their argument as typed', () => {
    expect(feed(['/model gpt-4o-mini', ' /MODEL ', '/system  Be brief. ', '/system', '/retry', '/save whales', '/edit', '/help'])).toEqual([
      { kind: 'model', name: 'gpt-4o-mini' },
      { kind: 'model', name: undefined },
      { kind: 'system', text: 'Be brief.' },
      { kind: 'system', text: undefined },
      { kind: 'retry' },
      { kind: 'save', name: 'whales' },
      { kind: 'edit' },
      { kind: 'help' },
    ]);
  });

  it('reads /file and /attach with the rest of the line as the path, one pair of quotes taken off', () => {
    expect(feed(['/file src/', '/file "my notes.md"', "/attach 'shot 1.png'", '/attach https://example.com/a.png', '/file', '/attach  '])).toEqual([
      { kind: 'file', path: 'src/' },
      { kind: 'file', path: 'my notes.md' },
      { kind: 'attach', spec: 'shot 1.png' },
      { kind: 'attach', spec: 'https://example.com/a.png' },
      { kind: 'file', path: undefined },
      { kind: 'attach', spec: undefined },
    ]);
  });

  it('sends a line beginning with // as a message with one slash less', () => {
    expect(feed(['//etc/hosts is a file', '// comment'])).toEqual([
      { kind: 'message', text: '/etc/hosts is a file' },
      { kind: 'message', text: '/ comment' },
    ]);
  });

  it('never sends a mistyped or misused command to the model', () => {
    const kinds = feed(['/rety', '/etc/hosts', '/', '/save', '/retry now', '/model two words']).map((c) => c.kind);
    expect(kinds).toEqual(['mistake', 'mistake', 'mistake', 'mistake', 'mistake', 'mistake']);
    expect(feed(['/rety'])[0]).toMatchObject({ message: "unknown command '/rety'; nothing was sent", hint: expect.stringContaining('//') });
  });

  it('keeps slash lines inside a """ block as text', () => {
    expect(feed(['"""', '/retry', '//x', '"""'])).toEqual([{ kind: 'none' }, { kind: 'none' }, { kind: 'none' }, { kind: 'message', text: '/retry\n//x' }]);
  });
});
