import { ExitCode, GptError } from './core/errors.js';
import { VERSION } from './core/version.js';
import type { Process } from './process.js';

// The start of every run, built into a bundle of its own (dist/gpt.cjs) that stays small:
// start-up is most of what `gpt --version`, `gpt thread list` and a completion Tab cost, so
// the command lines in cli/quick.ts are answered here. Every other one goes to main and
// commander, in the large bundle (dist/cli.cjs) that bin/gpt.cjs loads on demand.

/** What the large bundle gives: main, the composition root. */
export type LoadCli = () => Promise<typeof import('./main.js')>;

export function start(loadCli: LoadCli): void {
  const argv = process.argv.slice(2);
  runLine(argv, loadCli).then(
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
}

async function runLine(argv: string[], loadCli: LoadCli): Promise<number> {
  // `gpt --version` and `gpt -V`, as commander prints them: no module more is evaluated.
  // Written to the descriptor (creating process.stdout costs more than the rest); a write
  // that fails is not reported, as it never was.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    const { writeAll } = await import('./io/output.js');
    try {
      writeAll(1, `${VERSION}\n`);
    } catch {}
    return ExitCode.ok;
  }
  const proc = processOf(argv);
  const { quickLine } = await import('./cli/quick.js');
  const quick = quickLine(argv);
  if (quick) return quick(proc);
  // A reader that stops early (`gpt ask ... | head -1`) is not an error. Any other failed
  // write (a full disk) is reported by the command that wrote (io/output.ts).
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(ExitCode.ok);
  });
  const { main } = await loadCli();
  return main(proc);
}

/** The process as main and the commands see it; SIGINT/SIGTERM abort its signal. */
function processOf(argv: string[]): Process {
  const interrupt = new AbortController();
  const onSignal = (code: ExitCode, message: string) => () => {
    // A second signal means "now": leave without waiting for clean-up, saying so.
    if (interrupt.signal.aborted) {
      process.stderr.write(`gpt: ${message} again: left at once, without finishing what was under way\n`);
      process.exit(code);
    }
    interrupt.abort(new GptError(code, message));
  };
  process.on('SIGINT', onSignal(ExitCode.interrupted, 'interrupted'));
  process.on('SIGTERM', onSignal(ExitCode.terminated, 'terminated'));
  return {
    argv,
    env: process.env,
    cwd: process.cwd(),
    // process.stdin creates its stream when first read: only commands that read stdin pay.
    get stdin() {
      return process.stdin;
    },
    // Created when first used: the quick lines write stdout without it (io/output.ts), and
    // stderr on a pipe loads node:net, which a quiet command never needs.
    get stdout() {
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
    signal: interrupt.signal,
  };
}
