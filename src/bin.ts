import { ExitCode } from './core/errors.js';
import { reportError, wantsStack } from './io/report-error.js';
import { main } from './main.js';

// A reader that stops early (`gpt ask ... | head -1`) is not an error. Any other failed
// write (a full disk) is reported by the command that wrote (io/output.ts).
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(ExitCode.ok);
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
    process.exitCode = reportError(error, {
      stdout: (text) => void process.stdout.write(text),
      stderr: (text) => void process.stderr.write(text),
      secret: process.env.OPENAI_API_KEY,
      json: process.argv.includes('--json'),
      verbose: wantsStack(process.argv, process.env),
    });
  },
);
