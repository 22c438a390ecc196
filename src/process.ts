import type { Env } from './core/types.js';

/** What a run of gpt gets from its process: main and run.ts share it, and tests can fake it. */
export interface Process {
  argv: string[];
  env: Env;
  cwd: string;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Aborted on SIGINT/SIGTERM, with the GptError to exit with (`interrupted`, 130; `terminated`, 143) as its reason. */
  signal: AbortSignal;
}
