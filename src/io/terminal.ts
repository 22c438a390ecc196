import type { Env } from '../core/types.js';

/** Facts about the process streams, computed once at start-up (stdin's when first asked). */
export interface Terminal {
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Spinners and colours: only on a terminal, and never with NO_COLOR set. */
  decorate: boolean;
  /** The width of the terminal stdout is on (80 when unknown): where Markdown is wrapped. */
  columns: number;
  /** Where the spinner, the progress bar and chat's prompt are drawn. */
  stderr: NodeJS.WriteStream;
}

/** The streams main() was given (never the global `process` ones, so commands can be tested in-process). */
type Streams = { stdin: NodeJS.ReadStream; stderr: NodeJS.WriteStream };

/** `stdout` is the command's (io/output.ts): the quick lines write it without a stream. */
export function detectTerminal(env: Env, streams: Streams, stdout: { isTTY: boolean; columns: number | undefined }): Terminal {
  return {
    // Creating process.stdin costs milliseconds, and only commands that read it ask; so does
    // process.stderr on a pipe (it loads node:net), which `gpt thread list` never writes to,
    // and process.stdout, which the quick lines write without.
    get stdinIsTTY() {
      return Boolean(streams.stdin.isTTY);
    },
    get stdoutIsTTY() {
      return stdout.isTTY;
    },
    get stderrIsTTY() {
      return Boolean(streams.stderr.isTTY);
    },
    get decorate() {
      return this.stderrIsTTY && !('NO_COLOR' in env && env.NO_COLOR !== '');
    },
    get columns() {
      return stdout.columns || 80;
    },
    get stderr() {
      return streams.stderr;
    },
  };
}
