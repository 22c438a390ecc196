import type { Env } from './core/types.js';

/** What a run of gpt gets from its process: main and run.ts share it, and tests can fake it. */
export interface Process {
  argv: string[];
  env: Env;
  cwd: string;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Aborted on SIGINT/SIGTERM, with 'SIGINT' or 'SIGTERM' as its reason. */
  signal: AbortSignal;
}
