// What gpt thread does is tested in-process (test/commands/thread.test.ts); here, what only
// the binary shows: the command line's wiring, its usage errors and exit codes.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGpt } from '../support/cli.js';
import { sandbox, useHarness } from '../support/harness.js';

useHarness();

const gpt = (...args: string[]) => runGpt(sandbox, args, { env: { TZ: 'UTC' } });

describe('gpt thread on the command line', () => {
  it('lists with list and ls alike, and exits 2 for an unknown thread', async () => {
    await mkdir(sandbox.threadsDir, { recursive: true });
    await writeFile(join(sandbox.threadsDir, 'whales.yaml'), 'version: 1\nmessages: []\n', { mode: 0o600 });
    const r = await gpt('thread', 'list');
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^whales +\d{4}-\d\d-\d\d \d\d:\d\d +\? +0 +0 +\$0\n$/);
    expect((await gpt('thread', 'ls')).stdout).toBe(r.stdout);
    const unknown = await gpt('thread', 'show', 'walrus');
    expect([unknown.exitCode, unknown.stdout, unknown.stderr]).toEqual([2, '', "gpt: no thread named 'walrus' — gpt thread list shows them\n"]);
  });

  it('rejects a missing argument or an unknown subcommand as usage, pointing at the right help', async () => {
    for (const args of [['rm'], ['mv', 'whales'], ['fork'], ['path']]) {
      const r = await gpt('thread', ...args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^gpt: missing required argument '.*' — see gpt thread ${args[0]} --help\n$`));
    }
    const typo = await gpt('thread', 'frok');
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toBe("gpt: unknown command 'frok' (Did you mean fork?) — see gpt thread --help\n");
  });
});
