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
});
