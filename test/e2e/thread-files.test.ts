// Thread files as people keep them are tested in-process (test/commands/thread-files.test.ts);
// here, what only a process shows: what a terminal receives.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { GPT_BIN, runGpt } from '../support/cli.js';
import { sandbox, useHarness } from '../support/harness.js';

useHarness();

// A prompt that, printed as it is, sets the window title, turns the text red and clears the screen.
const EVIL = 'title\x1b]0;pwned\x07 \x1b[31mred \x1b[2J\x9b2J end';

async function evilThread(): Promise<string> {
  await mkdir(sandbox.threadsDir, { recursive: true });
  const file = join(sandbox.threadsDir, 'evil.yaml');
  await writeFile(
    file,
    YAML.stringify({
      version: 1,
      messages: [
        { role: 'user', content: EVIL },
        { role: 'assistant', content: `re: ${EVIL}` },
      ],
    }),
  );
  return file;
}

/** Runs gpt with stdout on a pseudo-terminal (`script`); what the terminal would receive. */
async function onTerminal(args: string[]): Promise<string> {
  const command = ['node', GPT_BIN, ...args].map((a) => `'${a}'`).join(' ');
  const r = await execa('script', ['-qefc', `stty cols 200 rows 24; exec ${command}`, '/dev/null'], {
    env: { ...sandbox.env, TERM: 'dumb', NO_COLOR: '1' },
    extendEnv: false,
    cwd: sandbox.home,
    reject: false,
    timeout: 15_000,
    input: '',
  });
  expect(r.exitCode).toBe(0);
  return String(r.stdout);
}

describe('escape sequences stored in a thread', () => {
  it('--json and --last to a pipe stay exact; --last on a terminal is harmless too', async () => {
    await evilThread();
    expect(JSON.parse((await runGpt(sandbox, ['thread', 'show', 'evil', '--json'])).stdout)[0].content).toBe(EVIL);
    expect((await runGpt(sandbox, ['thread', 'show', 'evil', '--last'])).stdout).toBe(`re: ${EVIL}\n`);
    const seen = await onTerminal(['thread', 'show', 'evil', '--last']);
    expect(seen).not.toContain('\x1b');
    expect(seen).toContain('re: title^[]0;pwned^G');
  });
});
