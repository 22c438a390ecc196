import { fstatSync, statSync, writeSync } from 'node:fs';
import { GptError, ExitCode } from '../core/errors.js';

/** Where a command writes its stdout, and what it learns of a write that failed. */
export interface Stdout {
  write(text: string): void;
  /** Once every write is done: the error to exit with when one failed. */
  settled(): Promise<GptError | undefined>;
  /** The error to exit with, if a write has failed by now. */
  failed(): GptError | undefined;
  /** Whether stdout is a terminal, and its width when it is. */
  readonly isTTY: boolean;
  readonly columns: number | undefined;
}

/**
 * stdout for a command. A write that fails (a full disk, /dev/full) arrives later as an 'error'
 * event; it is kept rather than thrown, so the command finishes its work (a reply is still saved
 * to its thread) and the failure is reported once at the end. Later writes are dropped.
 * EPIPE, a reader that left, is a quiet success handled in bin.ts.
 */
export function watchOutput(stream: NodeJS.WriteStream, savesReplies = false): Stdout {
  let failure: NodeJS.ErrnoException | undefined;
  let lastWrite: Promise<void> = Promise.resolve();
  stream.on('error', (error: NodeJS.ErrnoException) => {
    failure ??= error;
  });
  return {
    write(text: string): void {
      if (failure) return;
      lastWrite = new Promise((resolve) =>
        stream.write(text, (error) => {
          // The callback comes a tick before the 'error' event.
          if (error) failure ??= error as NodeJS.ErrnoException;
          resolve();
        }),
      );
    },
    async settled() {
      await lastWrite;
      return this.failed();
    },
    failed: () => failure && outputFailed(failure, savesReplies),
    get isTTY() {
      return Boolean(stream.isTTY);
    },
    get columns() {
      return stream.columns;
    },
  };
}

/**
 * stdout written straight to its file descriptor, for the quick lines (cli/quick.ts):
 * creating process.stdout costs milliseconds, more than such a command's work. The same
 * contract as watchOutput: a failed write is kept and later ones dropped; EPIPE, a reader
 * that left, drops them quietly. `stream` (process.stdout) is created only to ask a
 * character device other than /dev/null whether it is a terminal, and for a terminal's width.
 */
export function fdOutput(fd: number, stream: () => NodeJS.WriteStream): Stdout {
  let failure: NodeJS.ErrnoException | undefined;
  let readerLeft = false;
  let isTTY: boolean | undefined;
  return {
    write(text: string): void {
      if (failure || readerLeft) return;
      try {
        writeAll(fd, text);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EPIPE') readerLeft = true;
        else failure ??= error as NodeJS.ErrnoException;
      }
    },
    async settled() {
      return this.failed();
    },
    failed: () => failure && outputFailed(failure, false),
    get isTTY() {
      isTTY ??= mayBeTerminal(fd) && Boolean(stream().isTTY);
      return isTTY;
    },
    get columns() {
      return this.isTTY ? stream().columns : undefined;
    },
  };
}

/**
 * Whether `fd` may be a terminal: a character device, and not the null device. /dev/null is a
 * character device too (where scripts and benchmarks send output), and asking it through
 * process.stdout would cost 2-4 ms; the device number (rdev) tells it from any terminal.
 */
function mayBeTerminal(fd: number): boolean {
  const info = fstatSync(fd);
  if (!info.isCharacterDevice()) return false;
  try {
    const nullDevice = statSync('/dev/null');
    return !(nullDevice.isCharacterDevice() && nullDevice.rdev === info.rdev);
  } catch {
    return true; // no /dev/null (Windows): the stream says
  }
}

/** Writes all of `text`, however many writes that takes. */
export function writeAll(fd: number, text: string): void {
  let rest = Buffer.from(text);
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(fd, rest));
    } catch (error) {
      // A non-blocking pipe (shared with another process) that is full: wait for the reader.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(PAUSE, 0, 0, 1);
    }
  }
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** `savesReplies`: the command keeps replies in threads (ask, chat, batch), so the hint can say they are safe. */
const outputFailed = (failure: NodeJS.ErrnoException, savesReplies: boolean) =>
  new GptError(
    ExitCode.storage,
    `cannot write to stdout (${failure.code ?? failure.message})`,
    `make room where stdout goes, or send it elsewhere${savesReplies ? '; a reply kept in a thread was saved there' : ''}`,
    { cause: failure },
  );
