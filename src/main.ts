import { homedir } from 'node:os';
import { CommanderError, type Command } from 'commander';
import { buildProgram } from './cli/program.js';
import type { CliContext, CommonOptions } from './cli/options.js';
import type { Deps } from './commands/deps.js';
import { resolveSettings } from './core/config.js';
import { ExitCode, GptError, formatError } from './core/errors.js';
import { resolvePaths } from './core/paths.js';
import { redact } from './core/secrets.js';
import { errorJson } from './io/render.js';
import { detectTerminal } from './io/terminal.js';

declare const __GPT_VERSION__: string;
const VERSION = typeof __GPT_VERSION__ === 'string' ? __GPT_VERSION__ : '0.0.0-dev';

type Env = Record<string, string | undefined>;

export interface Process {
  argv: string[];
  env: Env;
  cwd: string;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Aborted on SIGINT/SIGTERM with the GptError to exit with. */
  signal: AbortSignal;
}

/** The composition root: runs the program and turns every outcome into an exit code. */
export async function main(proc: Process): Promise<number> {
  const apiKey = proc.env.OPENAI_API_KEY;
  const writeErr = (text: string) => proc.stderr.write(redact(text, apiKey));
  let exitCode: number = ExitCode.ok;

  const context: CliContext = {
    async run(common, command) {
      try {
        await command(await createDeps(proc, common, writeErr));
      } catch (error) {
        exitCode = report(error, common, proc, writeErr);
      }
    },
  };

  const program = buildProgram(context, VERSION);
  // addCommand() does not pass these settings down, so every command gets them.
  const configure = (command: Command): void => {
    command.exitOverride().configureOutput({
      writeOut: (text) => proc.stdout.write(text),
      writeErr,
      // Commander's "error: ..." becomes our one-line form.
      outputError: (text, write) => write(`gpt: ${text.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')} — see ${commandPath(command)} --help\n`),
    });
    command.commands.forEach(configure);
  };
  configure(program);
  try {
    await program.parseAsync(proc.argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      const done = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
      return done ? ExitCode.ok : ExitCode.usage;
    }
    throw error;
  }
  return exitCode;
}

/** `gpt`, `gpt ask`, `gpt thread rm`: what to put before --help. */
function commandPath(command: Command): string {
  return command.parent ? `${commandPath(command.parent)} ${command.name()}` : command.name();
}

async function createDeps(proc: Process, common: CommonOptions, writeErr: (text: string) => void): Promise<Deps> {
  const [{ loadConfigFile }, { ThreadStore }] = await Promise.all([
    import('./store/config-file.js'),
    import('./store/threads.js'),
  ]);
  const warn = (line: string) => writeErr(`${line}\n`);
  const quietWarn = common.quiet ? () => {} : warn;
  const paths = resolvePaths(proc.env, proc.env.HOME || homedir());
  const settings = resolveSettings(common.flags, proc.env, await loadConfigFile(paths.configFile, quietWarn));
  const log = common.verbose ? (line: string) => warn(`gpt[debug]: ${line}`) : undefined;
  let client: Promise<import('./llm/client.js').ChatClient> | undefined;
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
    signal: proc.signal,
    quiet: common.quiet,
  };
}

/** The one place errors are printed: a line on stderr, and with --json an object on stdout. */
function report(error: unknown, common: CommonOptions, proc: Process, writeErr: (text: string) => void): number {
  const known = toKnownError(error, proc.signal);
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
