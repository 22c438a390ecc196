/** A spinner on stderr while waiting for the first token; a no-op unless stderr is decorated. */
export interface Spinner {
  start(text: string): void;
  stop(): void;
}

const silent: Spinner = { start() {}, stop() {} };

export async function createSpinner(enabled: boolean): Promise<Spinner> {
  // A terminal of width 0 (a pty nobody sized, e.g. `script` fed by a pipe) sends ora's
  // line count to Infinity, and its clear() into an endless loop.
  if (!enabled || !process.stderr.columns) return silent;
  // Loaded only when shown: ora and its dependencies cost start-up time.
  const { default: ora } = await import('ora');
  const spinner = ora({ stream: process.stderr, discardStdin: false });
  return {
    start: (text) => void spinner.start(text),
    stop: () => void spinner.stop(),
  };
}
