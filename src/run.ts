// The runtime: everything a command needs once the flags are parsed. It is bundled
// apart from the entry (dist/runtime.cjs) and loaded only when a command runs, so
// `gpt --version` and `gpt --help` load the command line's definition and no more.
import { homedir } from 'node:os';
import type { CommonOptions } from './cli/options.js';
import type { Deps } from './commands/deps.js';
import { resolveSettings } from './core/config.js';
import { ExitCode, GptError, formatError } from './core/errors.js';
import { resolvePaths } from './core/paths.js';
import { redact } from './core/secrets.js';
import type { ChatClient } from './llm/client.js';
import { errorJson } from './io/render.js';
import { detectTerminal } from './io/terminal.js';
import type { Process } from './main.js';

// The entry's `import('./commands/x.js')` resolves to this module (see build.mjs).
export * from './commands/ask.js';
export * from './commands/batch.js';
export * from './commands/batch-remote.js';
export * from './commands/chat.js';
export * from './commands/models.js';
export * from './commands/thread.js';

/** Runs one command with its dependencies and returns its exit code; every error is reported here. */
export async function runCommand(proc: Process, common: CommonOptions, command: (deps: Deps) => Promise<void>): Promise<number> {
  const signal = interruption(proc.signal);
  try {
    await command(await createDeps(proc, common, signal));
    return ExitCode.ok;
  } catch (error) {
    return report(error, common, proc, signal);
  }
}

/** SIGINT/SIGTERM (the process signal's reason) as the GptError to stop and exit with. */
function interruption(processSignal: AbortSignal): AbortSignal {
  const controller = new AbortController();
  const abort = () => controller.abort(processSignal.reason === 'SIGTERM'
    ? new GptError(ExitCode.terminated, 'terminated')
    : new GptError(ExitCode.interrupted, 'interrupted'));
  if (processSignal.aborted) abort();
  else processSignal.addEventListener('abort', abort, { once: true });
  return controller.signal;
}

const stderrWriter = (proc: Process) => (text: string) => void proc.stderr.write(redact(text, proc.env.OPENAI_API_KEY));

async function createDeps(proc: Process, common: CommonOptions, signal: AbortSignal): Promise<Deps> {
  const [{ loadConfigFile }, { ThreadStore }] = await Promise.all([
    import('./store/config-file.js'),
    import('./store/threads.js'),
  ]);
  const writeErr = stderrWriter(proc);
  const warn = (line: string) => writeErr(`${line}\n`);
  const quietWarn = common.quiet ? () => {} : warn;
  const paths = resolvePaths(proc.env, proc.env.HOME || homedir());
  const settings = resolveSettings(common.flags, proc.env, await loadConfigFile(paths.configFile, quietWarn));
  const log = common.verbose ? (line: string) => warn(`gpt[debug]: ${line}`) : undefined;
  let client: Promise<ChatClient> | undefined;
  return {
    settings,
    flags: common.flags,
    paths,
    store: new ThreadStore(paths.threadsDir, paths.cacheDir, quietWarn),
    client: () =>
      (client ??= import('./llm/openai.js').then(({ createOpenAIClient }) =>
        createOpenAIClient({ ...settings, log }))),
    terminal: detectTerminal(proc.env),
    stdin: proc.stdin,
    out: (text) => void proc.stdout.write(text),
    warn: quietWarn,
    err: writeErr,
    cwd: proc.cwd,
    now: () => new Date(),
    signal,
    quiet: common.quiet,
  };
}

/** The one place errors are printed: a line on stderr, and with --json an object on stdout. */
function report(error: unknown, common: CommonOptions, proc: Process, signal: AbortSignal): number {
  const writeErr = stderrWriter(proc);
  const known = toKnownError(error, signal);
  if (common.json) proc.stdout.write(`${redact(JSON.stringify(errorJson(known)), proc.env.OPENAI_API_KEY)}\n`);
  writeErr(`${formatError(known)}\n`);
  if (common.verbose || proc.env.DEBUG) writeErr(`${(error as Error)?.stack ?? String(error)}\n`);
  return known.exitCode;
}

function toKnownError(error: unknown, signal: AbortSignal): GptError {
  // Whatever broke after SIGINT/SIGTERM was caused by it: exit as the signal says.
  if (signal.aborted && signal.reason instanceof GptError) return signal.reason;
  if (error instanceof GptError) return error;
  return new GptError(ExitCode.internal, `internal error: ${(error as Error)?.message ?? String(error)}`,
    'please report this; --verbose shows the details');
}
