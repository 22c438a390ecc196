import { GptError, ExitCode } from '../core/errors.js';

/**
 * stdout for a command. A write that fails (a full disk, /dev/full) arrives later as an 'error'
 * event; it is kept rather than thrown, so the command finishes its work (a reply is still saved
 * to its thread) and the failure is reported once at the end. Later writes are dropped.
 * EPIPE, a reader that left, is a quiet success handled in bin.ts.
 */
export function watchOutput(stream: NodeJS.WritableStream) {
  let failure: NodeJS.ErrnoException | undefined;
  let lastWrite: Promise<void> = Promise.resolve();
  stream.on('error', (error: NodeJS.ErrnoException) => {
    failure ??= error;
  });
  return {
    write(text: string): void {
      if (failure) return;
      lastWrite = new Promise((resolve) => stream.write(text, (error) => {
        // The callback comes a tick before the 'error' event.
        if (error) failure ??= error as NodeJS.ErrnoException;
        resolve();
      }));
    },
    /** Once every write is done: the error to exit with when one failed. */
    async settled(): Promise<GptError | undefined> {
      await lastWrite;
      return this.failed();
    },
    /** The error to exit with, if a write has failed by now. */
    failed(): GptError | undefined {
      if (!failure) return undefined;
      return new GptError(ExitCode.storage, `cannot write to stdout (${failure.code ?? failure.message})`,
        'make room where stdout goes, or send it elsewhere; a reply kept in a thread was saved there', { cause: failure });
    },
  };
}
