import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usageError } from '../core/errors.js';
import type { Env } from '../core/types.js';

/** $VISUAL, then $EDITOR, then vi: as git and crontab choose. It may carry arguments (`code -w`). */
export const editorCommand = (env: Env) => env.VISUAL || env.EDITOR || 'vi';

/**
 * Opens the editor on `initial` and returns what was saved. The file lives in a private
 * folder (mkdtemp makes it 0700; the file is 0600), removed afterwards whatever happened,
 * so a prompt never stays behind in /tmp.
 */
export async function editText(initial: string, env: Env): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gpt-edit-'));
  try {
    const file = join(dir, 'prompt.md');
    await writeFile(file, initial, { mode: 0o600, flag: 'wx' });
    await runEditor(editorCommand(env), file, env);
    return await readFile(file, 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs the editor through sh (so EDITOR may hold arguments), on the terminal even when stdin or stdout is a pipe. */
export async function runEditor(command: string, file: string, env: Env): Promise<void> {
  const tty = openTerminal();
  try {
    const code = await new Promise<number | string>((resolve) => {
      const child = spawn('sh', ['-c', `${command} "$1"`, 'sh', file], {
        stdio: [tty ?? 'inherit', tty ?? 'inherit', 'inherit'],
        env: env as NodeJS.ProcessEnv,
      });
      child.on('error', (error) => resolve(error.message));
      child.on('exit', (status, signal) => resolve(status ?? signal ?? 'unknown'));
    });
    if (code !== 0) {
      throw usageError(
        `the editor (${command}) failed (${typeof code === 'number' ? `exit ${code}` : code}), so nothing was sent`,
        'set VISUAL or EDITOR to an editor that works, e.g. EDITOR=nano',
      );
    }
  } finally {
    if (tty !== undefined) closeSync(tty);
  }
}

/** The controlling terminal, when there is one (not under cron, CI or a test). */
function openTerminal(): number | undefined {
  try {
    return openSync('/dev/tty', 'r+');
  } catch {
    return undefined;
  }
}
