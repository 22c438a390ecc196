// The runtime: everything a command needs once the flags are parsed. main.ts imports
// it only when a command runs, so `gpt --version` and `gpt --help` do not evaluate it.
import { homedir } from 'node:os';
import type { CommonOptions } from './cli/options.js';
import type { Deps } from './commands/deps.js';
import { resolveSettings } from './core/config.js';
import { ExitCode, GptError } from './core/errors.js';
import { resolvePaths } from './core/paths.js';
import { redact } from './core/secrets.js';
import type { BatchClient } from './llm/batch-client.js';
import type { ChatClient } from './llm/client.js';
import { watchOutput } from './io/output.js';
import { reportError, type ErrorOutput } from './io/report-error.js';
import { detectTerminal } from './io/terminal.js';
import type { Process } from './process.js';

/** Runs one command with its dependencies and returns its exit code; every error is reported here. */
// biome-ignore lint/suspicious/noConfusingVoidType: most commands return nothing; search returns a code
export async function runCommand(proc: Process, common: CommonOptions, command: (deps: Deps) => Promise<void | number>): Promise<number> {
  const signal = interruption(proc.signal);
  const stdout = watchOutput(proc.stdout);
  const errors: ErrorOutput = {
    stdout: stdout.write,
    stderr: stderrWriter(proc),
    secret: proc.env.OPENAI_API_KEY,
    json: common.json,
    verbose: common.verbose || Boolean(proc.env.DEBUG),
  };
  let code: number | undefined;
  try {
    code = (await command(await createDeps(proc, common, signal, stdout, errors))) ?? undefined;
  } catch (error) {
    // Whatever broke after SIGINT/SIGTERM was caused by it: exit as the signal says.
    const cause = signal.aborted && signal.reason instanceof GptError ? signal.reason : error;
    return reportError(cause, errors);
  }
  const failedOutput = await stdout.settled();
  return failedOutput ? reportError(failedOutput, errors) : (code ?? ExitCode.ok);
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

async function createDeps(proc: Process, common: CommonOptions, signal: AbortSignal, stdout: ReturnType<typeof watchOutput>, errors: ErrorOutput): Promise<Deps> {
  const [{ loadConfigFile }, { ThreadStore }] = await Promise.all([
    import('./store/config-file.js'),
    import('./store/threads.js'),
  ]);
  const writeErr = stderrWriter(proc);
  const warn = (line: string) => writeErr(`${line}\n`);
  const quietWarn = common.quiet ? () => {} : warn;
  const paths = resolvePaths(proc.env, proc.env.HOME || homedir());
  const settings = resolveSettings(common.flags, proc.env, await loadConfigFile(paths.configFile, quietWarn), paths.configFile);
  const log = common.verbose ? (line: string) => warn(`gpt[debug]: ${line}`) : undefined;
  let client: Promise<ChatClient> | undefined;
  let batchClient: Promise<BatchClient> | undefined;
  return {
    settings,
    paths,
    store: new ThreadStore(paths.threadsDir, paths.cacheDir, quietWarn),
    client: () =>
      (client ??= import('./llm/openai.js').then(({ createOpenAIClient }) =>
        createOpenAIClient({
          ...settings.connection,
          endpoint: settings.inForce.endpoint.value,
          capabilities: settings.inForce.capabilities,
          log,
          retryNotice: common.retryNotices === false ? undefined : quietWarn,
        }))),
    batchClient: () => (batchClient ??= import('./llm/openai-batch.js').then(({ createBatchClient }) => createBatchClient(settings.connection))),
    terminal: detectTerminal(proc.env, proc),
    get stdin() {
      return proc.stdin; // created when a command reads it (see io/terminal.ts)
    },
    out: stdout.write,
    outFailed: stdout.failed,
    warn: quietWarn,
    note: quietWarn,
    err: writeErr,
    report: (error) => void reportError(error, { ...errors, json: false }),
    cwd: proc.cwd,
    env: proc.env,
    now: () => new Date(),
    signal,
    quiet: common.quiet,
    showReasoning: common.showReasoning ?? false,
  };
}
