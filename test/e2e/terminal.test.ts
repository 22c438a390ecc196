import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { server, sandbox, useHarness } from '../support/harness.js';
import { closeTerminals, runInTerminal } from '../support/pty.js';

useHarness();
afterEach(closeTerminals);

// Tests of the text as streamed pass --raw: on a terminal replies are otherwise drawn as
// Markdown, block by block (markdown.test.ts), which joins a paragraph's lines.
describe('gpt ask on a terminal', () => {
  it('shows a streamed reply whole, on its own line, with the spinner gone', async () => {
    const pieces = ['The blue whale ', 'is the biggest ', 'animal that ', 'has ever lived.'];
    server.enqueue({ kind: 'reply', chunks: pieces, chunkDelayMs: 150, firstByteDelayMs: 400 });
    const term = runInTerminal(sandbox, ['ask', 'What is the biggest animal?']);
    await term.waitFor('Asking gpt-5.4-mini'); // the spinner, until the first words
    expect(await term.exit()).toBe(0);
    expect(term.logicalLines()).toEqual([pieces.join('')]);
    expect(term.cursorShown()).toBe(true);
  });

  it('on Ctrl-C while the spinner turns, leaves only the error, and the cursor shown', async () => {
    server.enqueue({ kind: 'reply', firstByteDelayMs: 10_000 });
    const term = runInTerminal(sandbox, ['ask', 'slow?']);
    await term.waitFor('Asking gpt-5.4-mini');
    expect(term.cursorShown()).toBe(false);
    term.type('\x03');
    expect(await term.exit()).toBe(130);
    expect(term.logicalLines()).toEqual(['gpt: interrupted']);
    expect(term.cursorShown()).toBe(true);
  });

  it('wraps a long reply at a narrow width without losing a word', async () => {
    const words = Array.from({ length: 30 }, (_, i) => `word${i} `);
    server.enqueue({ kind: 'reply', chunks: words, chunkDelayMs: 20 });
    const term = runInTerminal(sandbox, ['ask', '--raw', 'count'], { columns: 30, rows: 10 });
    expect(await term.exit()).toBe(0);
    expect(term.logicalLines()).toEqual([words.join('').trimEnd()]);
  });

  it("on Ctrl-C, ends the partial reply's line before saying it was interrupted", async () => {
    const slow = Array.from({ length: 40 }, (_, i) => `word${i} `);
    server.enqueue({ kind: 'reply', chunks: slow, chunkDelayMs: 200 });
    const term = runInTerminal(sandbox, ['ask', '--raw', 'tell me slowly']);
    await term.waitFor('word1 ');
    term.type('\x03');
    expect(await term.exit()).toBe(130);
    const lines = term.logicalLines();
    expect(lines[0]).toMatch(/^word0 word1 /);
    expect(lines[0]).not.toContain('gpt:');
    expect(lines[1]).toBe('gpt: interrupted');
  });
});

/** The last user message of each chat request the server received. */
const sentPrompts = () => server.chatRequests().map((r) => r.body.messages.at(-1).content);

describe('gpt chat on a terminal', () => {
  it('stops a streaming reply on Ctrl-C, returns to the prompt, and leaves on a second Ctrl-C at an empty prompt', async () => {
    const slow = Array.from({ length: 40 }, (_, i) => `word${i} `);
    server.enqueue({ kind: 'reply', chunks: slow, chunkDelayMs: 250 });
    const term = runInTerminal(sandbox, ['chat', '--raw', '--thread', 'whales']);
    await term.waitFor(/type 'quit' to exit, type 'new' to begin a new conversation\n[\s\S]*You: $/);
    term.type('tell me slowly\r');
    await term.waitFor('Asking gpt-5.4-mini'); // the spinner, until the first words
    await term.waitFor(/Assistant: word0 /);
    expect(term.text()).not.toContain('Asking');
    term.type('\x03');
    await term.waitFor(/gpt: reply stopped; this turn was not kept\n\nYou: $/);
    expect(term.text()).not.toContain('word39');

    term.type('and now?\r');
    await term.waitFor(/Assistant: echo: and now\?\n\nYou: $/);
    term.type('\x03');
    await term.waitFor('(to leave, press Ctrl-C again, or Ctrl-D, or type quit)');
    term.type('\x03');
    expect(await term.exit()).toBe(0);

    // The stopped turn was neither sent again nor kept.
    expect(sentPrompts()).toEqual(['tell me slowly', 'and now?']);
    expect(server.chatRequests()[1]!.body.messages).toHaveLength(1);
    const saved = YAML.parse(await readFile(join(sandbox.threadsDir, 'whales.yaml'), 'utf8'));
    expect(saved.messages.map((m: { content: string }) => m.content)).toEqual(['and now?', 'echo: and now?']);
  });

  it('keeps a line typed while a reply streams out of the reply, shows it after the next prompt, then sends it', async () => {
    const slow = Array.from({ length: 8 }, (_, i) => `word${i} `);
    server.enqueue({ kind: 'reply', chunks: slow, chunkDelayMs: 150 });
    const term = runInTerminal(sandbox, ['chat', '--raw']);
    await term.waitFor(/You: $/);
    term.type('first\r');
    await term.waitFor('Assistant: word0 ');
    term.type('typed ahead\r');
    await term.waitFor('Assistant: echo: typed ahead');
    term.type('quit\r');
    expect(await term.exit()).toBe(0);
    const lines = term.logicalLines();
    expect(lines, term.text()).toContain(`Assistant: ${slow.join('').trimEnd()}`); // whole, the typing not in it
    const typed = lines.indexOf('You: typed ahead');
    expect(typed, term.text()).toBeGreaterThan(lines.findIndex((l) => l.includes('word7')));
    expect(lines[typed + 1]).toBe('Assistant: echo: typed ahead');
    expect(sentPrompts()).toEqual(['first', 'typed ahead']);
  });

  it('SIGTERM at the prompt ends the session (143) with the error on its own line', async () => {
    const term = runInTerminal(sandbox, ['chat', '--raw']);
    await term.waitFor(/You: $/);
    term.type('half typed');
    await term.waitFor('You: half typed');
    await term.kill('SIGTERM');
    expect(await term.exit()).toBe(143);
    const lines = term.logicalLines();
    expect(lines.at(-2)).toBe('You: half typed');
    expect(lines.at(-1)).toBe('gpt: terminated');
  });

  it('on an unsized terminal (0 columns), clears typed text on Ctrl-C, takes a """ block as one message, and leaves on Ctrl-D', async () => {
    const term = runInTerminal(sandbox, ['chat', '--raw'], { unsized: true });
    await term.waitFor(/You: $/);
    term.type('never sent');
    await term.waitFor(/You: never sent$/);
    term.type('\x03');
    await term.waitFor(/You: $/);
    term.type('"""\r');
    await term.waitFor(/\.\.\. $/);
    term.type('new\r');
    await term.waitFor(/new\n\.\.\. $/);
    term.type('quit\r"""\r');
    await term.waitFor(/Assistant: echo: new\nquit\n\nYou: $/);
    term.type('\x04');
    expect(await term.exit()).toBe(0);
    expect(sentPrompts()).toEqual(['new\nquit']);
  });

  it('sends a paste of several lines as one message, and switches bracketed paste off on leaving', async () => {
    const term = runInTerminal(sandbox, ['chat', '--raw']);
    await term.waitFor(/You: $/);
    expect(term.bracketedPaste()).toBe(true);
    term.paste('line one\rline two\rline three\r');
    await term.waitFor(/Assistant: echo: line one\nline two\nline three\n\nYou: $/);
    term.type('\x04');
    expect(await term.exit()).toBe(0);
    expect(sentPrompts()).toEqual(['line one\nline two\nline three']);
    expect(term.bracketedPaste()).toBe(false);
  });

  it('keeps the last line of a paste open for more typing; Enter sends it all', async () => {
    const term = runInTerminal(sandbox, ['chat', '--raw']);
    await term.waitFor(/You: $/);
    term.type('explain: ');
    await term.waitFor(/You: explain: $/);
    term.paste('a = 1\rb = 2');
    await term.waitFor(/\.\.\. b = 2$/);
    term.type(' please\r');
    await term.waitFor(/Assistant: echo: explain: a = 1\nb = 2 please\n\nYou: $/);
    term.type('\x03');
    await term.waitFor('(to leave, press Ctrl-C again, or Ctrl-D, or type quit)');
    term.type('\x03');
    expect(await term.exit()).toBe(0);
    expect(sentPrompts()).toEqual(['explain: a = 1\nb = 2 please']);
  });

  it('clears a typed line or a held paste on Ctrl-C, and leaves on a second Ctrl-C at an empty prompt', async () => {
    const term = runInTerminal(sandbox, ['chat'], { columns: 40, rows: 12 });
    await term.waitFor(/You: $/);
    term.type('never sent');
    await term.waitFor(/You: never sent$/);
    term.type('\x03');
    await term.waitFor(/You: $/);
    term.paste('not this\reither');
    await term.waitFor(/\.\.\. either$/);
    term.type('\x03');
    await term.waitFor(/You: $/);
    expect(term.cursor().column).toBe('You: '.length);
    term.type('\x03');
    await term.waitFor('(to leave, press Ctrl-C again, or Ctrl-D, or type quit)');
    term.type('\x03');
    expect(await term.exit()).toBe(0);
    expect(sentPrompts()).toEqual([]);
    expect(term.bracketedPaste()).toBe(false);
  });
});

describe('gpt batch on a terminal, results on the same screen', () => {
  /** Five items, one at a time, slow enough for the bar to be drawn between results. */
  const runBatch = async (columns: number) => {
    await writeFile(join(sandbox.home, 'p.txt'), ['one', 'two', 'three', 'four', 'five'].join('\n'));
    server.setDefault({ kind: 'reply', firstByteDelayMs: 300 });
    return runInTerminal(sandbox, ['batch', '-j', '1', 'p.txt'], { columns, rows: 24 });
  };
  const isResult = (line: string | undefined) => {
    try {
      return typeof JSON.parse(line ?? '').reply === 'string';
    } catch {
      return false;
    }
  };

  for (const columns of [80, 40]) {
    it(`puts each result on a line of its own, under a whole bar (${columns} columns)`, async () => {
      const term = await runBatch(columns);
      await term.waitFor(/\] 2\/5 40%/);
      const [first, second, bar, ...rest] = term.logicalLines();
      expect([first, second].map(isResult)).toEqual([true, true]);
      expect(rest).toEqual([]);
      // Fitted, not cut: the bar, the count and the percentage, then whole parts only.
      expect(bar).toMatch(/^\[[█░]{24}\] 2\/5 40%( · [\d.]+\/s)?( · ETA \d+:\d\d)?$/);
      expect(bar!.length).toBeLessThan(columns);

      expect(await term.exit()).toBe(0);
      const lines = term.logicalLines();
      expect(lines.slice(0, 5).map(isResult)).toEqual(Array(5).fill(true));
      expect(lines.slice(0, 5).map((l) => JSON.parse(l).reply)).toEqual(['echo: one', 'echo: two', 'echo: three', 'echo: four', 'echo: five']);
      expect(lines.slice(5)).toEqual([expect.stringMatching(/^gpt: 5 items: 5 done, 0 failed/)]);
    });
  }
});

// The quick lines ask the descriptor, not process.stdout, whether stdout is a terminal
// (io/output.ts): a pty is a character device as /dev/null is, and must still be told apart.
describe('gpt thread list on a terminal', () => {
  it('shows the header row', async () => {
    await mkdir(sandbox.threadsDir, { recursive: true });
    await writeFile(join(sandbox.threadsDir, 'whales.yaml'), 'version: 1\nmessages: []\n');
    const term = runInTerminal(sandbox, ['thread', 'list']);
    expect(await term.exit()).toBe(0);
    expect(term.lines()[0]).toMatch(/^NAME +UPDATED +MODEL/);
    expect(term.lines()[1]).toMatch(/^whales /);
  });
});
