import { afterEach, describe, expect, it } from 'vitest';
import { sandbox, server, useHarness } from '../support/harness.js';
import { closeTerminals, runInTerminal } from '../support/pty.js';
import { DEFAULT_MODEL } from '../../src/core/config.js';

useHarness();
afterEach(closeTerminals);

describe('data out on a terminal (README "Data out": what a person sees while it streams)', () => {
  it('-x: the spinner turns while the reply streams; then only the code is on the screen', async () => {
    const chunks = ['Here is ', 'the script:\n', '```sh\n', 'echo one\n', 'echo two\n', '```\n', 'Enjoy!'];
    server.enqueue({ kind: 'reply', chunks, chunkDelayMs: 150 });
    const term = runInTerminal(sandbox, ['ask', '-x', 'a script']);
    await term.waitFor(`Asking ${DEFAULT_MODEL}`);
    // Half the reply has arrived by now (chunks every 150 ms): none of its prose is shown, only
    // the spinner. A wait, not a poll: what is checked is that something does not appear.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(term.text()).not.toContain('Here is');
    expect(term.text()).toContain(`Asking ${DEFAULT_MODEL}`);
    expect(await term.exit()).toBe(0);
    expect(term.logicalLines()).toEqual(['echo one', 'echo two']);
    expect(term.cursorShown()).toBe(true);
  });

  it('--schema: the spinner until the reply is complete and checked, then the JSON on one line', async () => {
    server.enqueue({ kind: 'reply', chunks: ['{"name":', ' "Ada"', '}'], chunkDelayMs: 150 });
    const term = runInTerminal(sandbox, ['ask', '--schema', 'name', 'who?']);
    await term.waitFor(`Asking ${DEFAULT_MODEL}`);
    expect(await term.exit()).toBe(0);
    expect(term.logicalLines()).toEqual(['{"name":"Ada"}']);
  });
});
