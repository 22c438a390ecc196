/** A spinner on stderr while waiting for the first token; a no-op unless stderr is decorated. */
export interface Spinner {
  start(text: string): void;
  stop(): void;
}

const silent: Spinner = { start() {}, stop() {} };

export async function createSpinner(enabled: boolean): Promise<Spinner> {
  if (!enabled) return silent;
  // Loaded only when shown: ora and its dependencies cost start-up time.
  const { default: ora } = await import('ora');
  const spinner = ora({ stream: process.stderr, discardStdin: false });
  return {
    start: (text) => void spinner.start(text),
    stop: () => void spinner.stop(),
  };
}
