// Running a command: the deps every command gets (no config: that is run.ts's), the exit
// code, and every error reported in one form. `gpt thread list` and `thread path` need no
// more, and cli/quick.ts runs them from the small bundle, so nothing here loads YAML or the SDK.
import type { CommonOptions } from './cli/options.js';
import type { FolderDeps } from './commands/deps.js';
import { ExitCode, GptError } from './core/errors.js';
import { homeOf, resolvePaths } from './core/paths.js';
import { redact } from './core/secrets.js';
import { watchOutput, type Stdout } from './io/output.js';
import type { ErrorOutput } from './io/report-error.js';
import { detectTerminal } from './io/terminal.js';
import type { Process } from './process.js';
import { harmless } from './core/text.js';

// biome-ignore lint/suspicious/noConfusingVoidType: most commands return nothing; search returns a code
export type Command<D> = (deps: D) => Promise<void | number>;

/**
 * Runs a command that reads no config and makes no request (`gpt thread list`, `thread path`:
 * shell completion runs them on every Tab), so it loads no YAML for the config. Its flags are
 * the few every command has.
 */
export function runFolderCommand(
  proc: Process,
  common: Pick<CommonOptions, 'quiet' | 'verbose' | 'json'>,
  command: Command<FolderDeps>,
  stdout?: Stdout,
): Promise<number> {
  return runWith(proc, common, command, async (signal, out) => folderDeps(proc, common, signal, out), stdout);
}

/** Runs one command with the deps `makeDeps` gives and returns its exit code; every error is reported here. */
export async function runWith<D>(
  proc: Process,
  common: Pick<CommonOptions, 'quiet' | 'verbose' | 'json' | 'savesReplies'>,
  command: Command<D>,
  makeDeps: (signal: AbortSignal, stdout: Stdout) => Promise<D>,
  stdout: Stdout = watchOutput(proc.stdout, common.savesReplies),
): Promise<number> {
  const signal = proc.signal;
  const errors = errorOutput(proc, common, stdout, common.json);
  let code: number | undefined;
  try {
    code = (await command(await makeDeps(signal, stdout))) ?? undefined;
  } catch (error) {
    // Whatever broke after SIGINT/SIGTERM was caused by it: exit as the signal says.
    const cause = signal.aborted && signal.reason instanceof GptError ? signal.reason : error;
    return report(cause, errors);
  }
  const failedOutput = await stdout.settled();
  return failedOutput ? report(failedOutput, errors) : (code ?? ExitCode.ok);
}

/** The reporter is loaded only when there is an error: it brings node:module (for stacks), which a listing never needs. */
async function report(error: unknown, errors: ErrorOutput): Promise<number> {
  const { reportError } = await import('./io/report-error.js');
  return reportError(error, errors);
}

export const errorOutput = (proc: Process, common: Pick<CommonOptions, 'verbose'>, stdout: Stdout, json: boolean): ErrorOutput => ({
  stdout: stdout.write,
  stderr: stderrWriter(proc),
  secret: proc.env.OPENAI_API_KEY,
  json,
  verbose: common.verbose || Boolean(proc.env.DEBUG),
});

const stderrWriter = (proc: Process) => (text: string) => void proc.stderr.write(redact(text, proc.env.OPENAI_API_KEY));

export type { Stdout };

/** What every command gets: the folders, the thread store, the streams, the clock and the signal. */
export async function folderDeps(proc: Process, common: Pick<CommonOptions, 'quiet'>, signal: AbortSignal, stdout: Stdout): Promise<FolderDeps> {
  const { ThreadStore } = await import('./store/threads.js');
  const writeErr = stderrWriter(proc);
  // A warning quotes paths, ids and server text: control characters in them are shown, never obeyed.
  const warn = (line: string) => writeErr(`${harmless(line)}\n`);
  const quietWarn = common.quiet ? () => {} : warn;
  const paths = resolvePaths(proc.env, await homeOf(proc.env));
  return {
    paths,
    store: new ThreadStore(paths.threadsDir, paths.cacheDir, quietWarn),
    terminal: detectTerminal(proc.env, proc, stdout),
    out: stdout.write,
    outFailed: stdout.failed,
    warn: quietWarn,
    note: quietWarn,
    err: writeErr,
    cwd: proc.cwd,
    env: proc.env,
    now: () => new Date(),
    signal,
    quiet: common.quiet,
  };
}
