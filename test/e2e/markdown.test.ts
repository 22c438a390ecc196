// Replies drawn as Markdown on a terminal (what a person sees, through a terminal emulator); raw in a pipe.
import { afterEach, describe, expect, it } from 'vitest';
import { runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';
import { closeTerminals, runInTerminal } from '../support/pty.js';

useHarness();
afterEach(closeTerminals);

const REPLY = [
  '# Whales',
  '',
  'The *blue* whale is the **biggest** animal; see [the article](https://example.org/whales).',
  '',
  '| Whale | Length | Notes |',
  '|---|---|---|',
  '| Blue whale | 30 metres | the largest animal known to have lived |',
  '| Fin whale | 26 metres | the second largest, and among the fastest |',
  '',
  '```python',
  'def length_in_metres(whale): return {"blue": 30, "fin": 26, "sperm": 20}[whale]  # a long line',
  '```',
  '',
  '- krill',
  '- small fish',
  '',
].join('\n');

// Streamed in small pieces that cut words, lines and fences anywhere.
const pieces = (text: string) => text.match(/[\s\S]{1,7}/g)!;

describe('Markdown on a terminal', () => {
  it('gpt ask draws headings, emphasis, tables, code and lists as they stream, within 40 columns', async () => {
    server.enqueue({ kind: 'reply', text: REPLY, chunks: pieces(REPLY) });
    const term = runInTerminal(sandbox, ['ask', 'whales?'], { columns: 40 });
    expect(await term.exit()).toBe(0);
    const screen = term.lines();
    const text = screen.join('\n');
    expect(text).toContain('Whales');
    expect(text).not.toMatch(/^#/m);
    expect(text).not.toContain('```');
    expect(text).not.toContain('**');
    expect(text).toContain('def length_in_metres');
    expect(text).toMatch(/Blue whale/);
    expect(text).toMatch(/krill/);
    expect(text).toMatch(/[│┌]/); // a drawn table
    // Nothing ran past the edge: no line was wrapped by the terminal.
    expect(term.logicalLines()).toEqual(screen.map((line) => line.trimEnd()));
  });

  it('gpt chat draws replies too; --raw and NO_COLOR leave them as written', async () => {
    server.enqueue({ kind: 'reply', text: REPLY, chunks: pieces(REPLY) });
    const term = runInTerminal(sandbox, ['chat'], { columns: 60 });
    await term.waitFor(/You: $/);
    term.type('whales?\r');
    await term.waitFor(/small fish\n\nYou: $/);
    expect(term.text()).not.toContain('# Whales');
    term.type('\x04');
    expect(await term.exit()).toBe(0);

    for (const options of [
      { args: ['--raw'], env: {} },
      { args: [], env: { NO_COLOR: '1' } },
      { args: [], env: { TERM: 'dumb' } },
    ]) {
      server.enqueue({ kind: 'reply', text: REPLY });
      const raw = runInTerminal(sandbox, ['ask', ...options.args, 'whales?'], { env: options.env });
      expect(await raw.exit()).toBe(0);
      expect(raw.text()).toContain('# Whales');
      expect(raw.text()).toContain('```python');
    }
  });
});

describe('Markdown when a reply is stopped', () => {
  it('chat shows the text the drawing held back when Ctrl-C stops the reply', async () => {
    const slow = ['# Title\n\nFirst words ', 'of a paragraph ', ...Array.from({ length: 30 }, (_, i) => `more${i} `)];
    server.enqueue({ kind: 'reply', chunks: slow, chunkDelayMs: 200 });
    const term = runInTerminal(sandbox, ['chat']);
    await term.waitFor(/You: $/);
    term.type('slowly\r');
    await term.waitFor(/Assistant: Title/);
    await new Promise((resolve) => setTimeout(resolve, 600));
    term.type('\x03');
    await term.waitFor(/First words of a paragraph[^\n]*\ngpt: reply stopped; this turn was not kept\n\nYou: $/);
    term.type('\x04');
    expect(await term.exit()).toBe(0);
  });
});

describe('Markdown in gpt thread show', () => {
  it('draws the replies on a terminal, within its width, and leaves them as written in a pipe', async () => {
    server.enqueue({ kind: 'reply', text: REPLY });
    await runGpt(sandbox, ['ask', '--thread', 'whales', 'whales?']);
    const term = runInTerminal(sandbox, ['thread', 'show', 'whales'], { columns: 40 });
    expect(await term.exit()).toBe(0);
    const screen = term.lines();
    expect(screen[0]).toBe('You: whales?');
    expect(screen.join('\n')).not.toMatch(/^#|```/m);
    expect(term.logicalLines()).toEqual(screen.map((line) => line.trimEnd()));

    const piped = await runGpt(sandbox, ['thread', 'show', 'whales']);
    expect(piped.stdout).toContain('# Whales');
    expect(piped.stdout).toContain('```python');
  });
});

describe('Markdown in a pipe', () => {
  it('stdout is the reply byte for byte, streamed or not', async () => {
    for (const args of [
      ['ask', 'q'],
      ['ask', '--no-stream', 'q'],
    ]) {
      server.enqueue({ kind: 'reply', text: REPLY, chunks: pieces(REPLY) });
      const r = await runGpt(sandbox, args);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toBe(REPLY);
    }
    server.enqueue({ kind: 'reply', text: REPLY, chunks: pieces(REPLY) });
    const chat = await runGpt(sandbox, ['chat'], { input: 'q\n' });
    expect(chat.stdout).toBe(REPLY);
  });
});
