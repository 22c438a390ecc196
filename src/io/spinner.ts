/** A spinner on stderr while waiting for the first token; a no-op unless stderr is decorated. */
export interface Spinner {
  start(text: string): void;
  /** Removes the spinner; does nothing unless it is spinning, so it may be called for every piece of a reply. */
  stop(): void;
}

const silent: Spinner = { start() {}, stop() {} };

export async function createSpinner(enabled: boolean, stream: NodeJS.WriteStream): Promise<Spinner> {
  // A terminal of width 0 (a pty nobody sized, e.g. `script` fed by a pipe) sends ora's
  // line count to Infinity, and its clear() into an endless loop.
  if (!enabled || !stream.columns) return silent;
  // Loaded only when shown: ora and its dependencies cost start-up time.
  const { default: ora } = await import('ora');
  const spinner = ora({ stream, discardStdin: false });
  return {
    start: (text) => void spinner.start(text),
    // ora's stop() always clears, i.e. moves the cursor to column 1 of the terminal that
    // stdout shares: after a piece of the reply, the next piece would overwrite it.
    stop: () => void (spinner.isSpinning && spinner.stop()),
  };
}
