import { lstat, mkdir, readFile, realpath } from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';
import { storageError } from '../core/errors.js';

export const PRIVATE_FILE = 0o600;
export const PRIVATE_DIR = 0o700;

/** Creates a folder (and its parents) readable by the owner only. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: PRIVATE_DIR });
  } catch (error) {
    throw storageError(`cannot create folder ${dir} (${code(error)})`, 'check its permissions and free space', error);
  }
}

/** Temp file in the same folder, fsync, rename: readers see the old file or the new one. */
export async function writePrivateFile(file: string, data: string, options = { fsync: true }): Promise<void> {
  try {
    await writeFileAtomic(file, data, { mode: PRIVATE_FILE, fsync: options.fsync });
  } catch (error) {
    throw storageError(`cannot write ${file} (${code(error)})`, 'check the folder is writable and the disk has room', error);
  }
}

export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw storageError(`cannot read ${file} (${code(error)})`, 'check its permissions', error);
  }
}

/** Where a write to `file` really lands, when `file` is a symbolic link; undefined otherwise. */
export async function symlinkTarget(file: string): Promise<string | undefined> {
  try {
    if (!(await lstat(file)).isSymbolicLink()) return undefined;
    return await realpath(file);
  } catch {
    return undefined;
  }
}

export function code(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e?.code ?? (e instanceof Error ? e.message : String(e));
}

export async function pathExists(path: string): Promise<boolean> {
  return lstat(path).then(() => true, () => false);
}
