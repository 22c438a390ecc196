/** What a run of gpt gets from its process: main and run.ts share it, and tests can fake it. */
export interface Process {
  argv: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Aborted on SIGINT/SIGTERM, with 'SIGINT' or 'SIGTERM' as its reason. */
  signal: AbortSignal;
}
