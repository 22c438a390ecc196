import { stat } from 'node:fs/promises';
import lockfile from 'proper-lockfile';
import { storageError } from '../core/errors.js';

/** A lock whose holder has not refreshed it for this long was left by a killed process. */
const STALE_MS = 5_000;

/**
 * Runs `critical` holding the lock `<file>.lock` (a folder, created atomically by mkdir).
 * The holder refreshes it while alive; a stale one is taken over after STALE_MS.
 */
export async function withFileLock<T>(file: string, critical: () => Promise<T>, warn: (line: string) => void): Promise<T> {
  const lockPath = `${file}.lock`;
  await warnIfStale(lockPath, warn);
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(file, {
      lockfilePath: lockPath,
      realpath: false,
      stale: STALE_MS,
      // Enough patience to outlast a stale lock and a queue of concurrent writers.
      retries: { retries: 200, factor: 1.3, minTimeout: 10, maxTimeout: 200, randomize: true },
    });
  } catch (error) {
    throw storageError(`${file} is locked by another gpt process (${lockPath})`,
      'wait for it to finish; if no gpt is running, remove the lock folder', error);
  }
  try {
    return await critical();
  } finally {
    await release().catch(() => undefined);
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
