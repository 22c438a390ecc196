import { ExitCode } from './core/errors.js';
import { main } from './main.js';

// A reader that stops early (`gpt ask ... | head -1`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(ExitCode.ok);
  throw error;
});

const interrupt = new AbortController();
const onSignal = (name: 'SIGINT' | 'SIGTERM', code: number) => () => {
  // A second signal means "now": leave without waiting for clean-up.
  if (interrupt.signal.aborted) process.exit(code);
  interrupt.abort(name);
};
process.on('SIGINT', onSignal('SIGINT', ExitCode.interrupted));
process.on('SIGTERM', onSignal('SIGTERM', ExitCode.terminated));

main({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: interrupt.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // main reports every error it expects; this is a bug, still said in one line.
    process.stderr.write(`gpt: internal error: ${(error as Error)?.message ?? String(error)} — please report this\n`);
    if (process.env.DEBUG) process.stderr.write(`${(error as Error)?.stack}\n`);
    process.exitCode = ExitCode.internal;
  },
);
