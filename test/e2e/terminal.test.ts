import { afterEach, describe, expect, it } from 'vitest';
import { server, sandbox, useHarness } from '../support/harness.js';
import { closeTerminals, runInTerminal } from '../support/pty.js';

useHarness();
afterEach(closeTerminals);

describe('gpt ask on a terminal', () => {
  it('shows a streamed reply whole, on its own line, with the spinner gone', async () => {
    const pieces = ['The blue whale ', 'is the biggest ', 'animal that ', 'has ever lived.'];
    server.enqueue({ kind: 'reply', chunks: pieces, chunkDelayMs: 150, firstByteDelayMs: 400 });
    const term = runInTerminal(sandbox, ['ask', 'What is the biggest animal?']);
    await term.waitFor('Asking gpt-4o-mini'); // the spinner, until the first words
    expect(await term.exit()).toBe(0);
    expect(term.logicalLines()).toEqual([pieces.join('')]);
  });

  it('wraps a long reply at a narrow width without losing a word', async () => {
    const words = Array.from({ length: 30 }, (_, i) => `word${i} `);
    server.enqueue({ kind: 'reply', chunks: words, chunkDelayMs: 20 });
    const term = runInTerminal(sandbox, ['ask', 'count'], { columns: 30, rows: 10 });
    expect(await term.exit()).toBe(0);
    expect(term.logicalLines()).toEqual([words.join('').trimEnd()]);
  });

  it('on Ctrl-C, ends the partial reply\'s line before saying it was interrupted', async () => {
    const slow = Array.from({ length: 40 }, (_, i) => `word${i} `);
    server.enqueue({ kind: 'reply', chunks: slow, chunkDelayMs: 200 });
    const term = runInTerminal(sandbox, ['ask', 'tell me slowly']);
    await term.waitFor('word1 ');
    term.type('\x03');
    expect(await term.exit()).toBe(130);
    const lines = term.logicalLines();
    expect(lines[0]).toMatch(/^word0 word1 /);
    expect(lines[0]).not.toContain('gpt:');
    expect(lines[1]).toBe('gpt: interrupted');
  });
});
