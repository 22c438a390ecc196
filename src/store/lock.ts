import { stat } from './async-fs.js';
import { storageError } from '../core/errors.js';
import { cause, code } from './fs.js';

/** A lock whose holder has not refreshed it for this long was left by a killed process. */
const STALE_MS = 5_000;
/** How long to queue behind other writers: long enough to outlast a stale lock too. */
const PATIENCE_MS = 30_000;

export interface LockOptions {
  /** How long to queue behind another holder (default PATIENCE_MS); Infinity: while it lives. */
  patienceMs?: number;
  /** Stops the queueing (Ctrl-C) with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Runs `critical` holding the lock `<file>.lock` (a folder, created atomically by mkdir).
 * The holder refreshes it while alive; a stale one is taken over after STALE_MS.
 */
export async function withFileLock<T>(file: string, critical: () => Promise<T>, warn: (line: string) => void, options: LockOptions = {}): Promise<T> {
  const lockPath = `${file}.lock`;
  await warnIfStale(lockPath, warn);
  const release = await acquire(file, lockPath, options, warn);
  try {
    return await critical();
  } finally {
    await release().catch(() => undefined);
  }
}

/**
 * proper-lockfile's own retries would also retry a read-only folder for the whole
 * patience; only "held by another process" is worth waiting for.
 */
async function acquire(file: string, lockPath: string, options: LockOptions, warn: (line: string) => void): Promise<() => Promise<void>> {
  // Loaded here, not at start-up: only writers take a lock (it loads graceful-fs too).
  const { default: lockfile } = await import('proper-lockfile');
  const deadline = Date.now() + (options.patienceMs ?? PATIENCE_MS);
  // A refresh that came too late (a laptop asleep through a long hold) is said, not thrown from a timer.
  const onCompromised = (error: Error) => warn(`gpt: lost the lock ${lockPath} (${error.message}); another gpt may have taken it over`);
  for (let wait = 5; ; wait = Math.min(wait * 1.5, 200)) {
    if (options.signal?.aborted) throw options.signal.reason;
    try {
      return await lockfile.lock(file, { lockfilePath: lockPath, realpath: false, stale: STALE_MS, retries: 0, onCompromised });
    } catch (error) {
      if (code(error) !== 'ELOCKED') {
        throw storageError(`cannot lock ${file}: ${cause(error)}`, 'check the folder is writable and the disk has room', error);
      }
      if (Date.now() > deadline) {
        throw storageError(
          `${file} is locked by another gpt process (${lockPath})`,
          'wait for it to finish; if no gpt is running, remove the lock folder',
          error,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, wait * (0.5 + Math.random())));
    }
  }
}

async function warnIfStale(lockPath: string, warn: (line: string) => void): Promise<void> {
  try {
    const { mtimeMs } = await stat(lockPath);
    if (Date.now() - mtimeMs > STALE_MS) {
      warn(`gpt: ${lockPath} was left by a process that did not finish; taking it over`);
    }
  } catch {
    // No lock: the common case.
  }
}
