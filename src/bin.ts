import { ExitCode } from './core/errors.js';
import { VERSION } from './core/version.js';
import type { Process } from './process.js';

// Start-up is most of what `gpt --version` and a completion Tab cost, so the two are
// answered here, before commander and the rest of gpt are evaluated (in the bundle, a
// module reached only through import() is evaluated when imported). Any other command
// line, including these with more words, goes to main and commander.

// A reader that stops early (`gpt ask ... | head -1`) is not an error. Any other failed
// write (a full disk) is reported by the command that wrote (io/output.ts).
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(ExitCode.ok);
});

const argv = process.argv.slice(2);
const run = isVersion(argv) ? printVersion() : argv[0] === '__complete' && argv.length === 2 ? complete(argv[1]!) : runMain();
run.then(
  (code) => {
    process.exitCode = code;
  },
  async (error: unknown) => {
    // main reports every error it expects; this is a bug, still said in one line.
    const { reportError, wantsStack } = await import('./io/report-error.js');
    process.exitCode = reportError(error, {
      stdout: (text) => void process.stdout.write(text),
      stderr: (text) => void process.stderr.write(text),
      secret: process.env.OPENAI_API_KEY,
      json: argv.includes('--json'),
      verbose: wantsStack(argv, process.env),
    });
  },
);

/** `gpt --version` and `gpt -V`, as commander prints them. */
function isVersion(args: string[]): boolean {
  return args.length === 1 && (args[0] === '--version' || args[0] === '-V');
}

async function printVersion(): Promise<number> {
  process.stdout.write(`${VERSION}\n`);
  return ExitCode.ok;
}

/** `gpt __complete KIND`, which every Tab on a thread name or model waits for. */
async function complete(kind: string): Promise<number> {
  const { DYNAMIC_KINDS } = await import('./core/completion-script.js');
  // An unknown kind is a usage error: commander says so.
  if (!(DYNAMIC_KINDS as readonly string[]).includes(kind)) return runMain();
  const { quickDeps, runComplete } = await import('./commands/complete.js');
  await runComplete({ kind: kind as (typeof DYNAMIC_KINDS)[number] }, quickDeps(process.env, process.stdout));
  return ExitCode.ok;
}

async function runMain(): Promise<number> {
  const interrupt = new AbortController();
  const onSignal = (name: 'SIGINT' | 'SIGTERM', code: number) => () => {
    // A second signal means "now": leave without waiting for clean-up.
    if (interrupt.signal.aborted) process.exit(code);
    interrupt.abort(name);
  };
  process.on('SIGINT', onSignal('SIGINT', ExitCode.interrupted));
  process.on('SIGTERM', onSignal('SIGTERM', ExitCode.terminated));

  const { main } = await import('./main.js');
  const proc: Process = {
    argv,
    env: process.env,
    cwd: process.cwd(),
    // process.stdin creates its stream when first read: only commands that read stdin pay.
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    signal: interrupt.signal,
  };
  return main(proc);
}
