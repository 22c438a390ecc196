import type { Env } from '../core/types.js';

/** Facts about the process streams, computed once at start-up. */
export interface Terminal {
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Spinners and colours: only on a terminal, and never with NO_COLOR set. */
  decorate: boolean;
}

export function detectTerminal(env: Env): Terminal {
  const stderrIsTTY = Boolean(process.stderr.isTTY);
  return {
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY,
    decorate: stderrIsTTY && !('NO_COLOR' in env && env.NO_COLOR !== ''),
  };
}
