import { stat } from './async-fs.js';
import { storageError } from '../core/errors.js';
import { cause, code } from './fs.js';

/** A lock whose holder has not refreshed it for this long was left by a killed process. */
const STALE_MS = 5_000;
/** How long to queue behind other writers: long enough to outlast a stale lock too. */
const PATIENCE_MS = 30_000;

/**
 * Runs `critical` holding the lock `<file>.lock` (a folder, created atomically by mkdir).
 * The holder refreshes it while alive; a stale one is taken over after STALE_MS.
 */
export async function withFileLock<T>(file: string, critical: () => Promise<T>, warn: (line: string) => void): Promise<T> {
  const lockPath = `${file}.lock`;
  await warnIfStale(lockPath, warn);
  const release = await acquire(file, lockPath);
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
async function acquire(file: string, lockPath: string): Promise<() => Promise<void>> {
  // Loaded here, not at start-up: only writers take a lock (it loads graceful-fs too).
  const { default: lockfile } = await import('proper-lockfile');
  const deadline = Date.now() + PATIENCE_MS;
  for (let wait = 5; ; wait = Math.min(wait * 1.5, 200)) {
    try {
      return await lockfile.lock(file, { lockfilePath: lockPath, realpath: false, stale: STALE_MS, retries: 0 });
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
