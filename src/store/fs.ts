import { lstat, mkdir, readFile, realpath, rmdir } from './async-fs.js';
import { dirname } from 'node:path';
import { storageError } from '../core/errors.js';
import { writeFileAtomically, type AtomicWriteFs } from './atomic-write.js';

export const PRIVATE_FILE = 0o600;
export const PRIVATE_DIR = 0o700;

/** Creates a folder (and its parents) readable by the owner only. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  try {
    await makeDir(dir);
  } catch (error) {
    throw storageError(`cannot create folder ${dir}: ${cause(error)}`, hintFor(error), error);
  }
}

/**
 * A recursive mkdir reports ENOENT whatever stopped it from creating a parent (a read-only
 * file system, no permission): then each missing folder is created in turn for the real cause.
 */
async function makeDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: PRIVATE_DIR });
  } catch (error) {
    if (code(error) !== 'ENOENT' || dirname(dir) === dir) throw error;
    await makeDir(dirname(dir));
    await mkdir(dir, { mode: PRIVATE_DIR }).catch((again: unknown) => {
      if (code(again) !== 'EEXIST') throw again;
    });
  }
}

/** Replaces the file atomically (see atomic-write.ts): all of `data`, or the old file untouched. */
export async function writePrivateFile(
  file: string,
  data: string | Uint8Array,
  options: { fsync: boolean; fs?: AtomicWriteFs } = { fsync: true },
): Promise<void> {
  try {
    await writeFileAtomically(file, data, { mode: PRIVATE_FILE, ...options });
  } catch (error) {
    throw storageError(`cannot write ${file}: ${cause(error)}`, `${hintFor(error)}; the file was left as it was`, error);
  }
}

const CAUSES: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'the folder does not exist',
  ENOTDIR: 'a part of the path is not a folder',
  EIO: 'an input/output error',
  ENAMETOOLONG: 'a name in the path is too long',
};

/** The real reason in words, with its code: `the disk is full (ENOSPC)`. */
export function cause(error: unknown): string {
  const c = code(error);
  const words = CAUSES[c];
  if (!words) return c;
  const detail = c === 'EIO' && error instanceof Error ? `: ${error.message}` : '';
  return `${words} (${c}${detail})`;
}

function hintFor(error: unknown): string {
  switch (code(error)) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'free some space and try again';
    case 'EROFS':
      return 'choose a writable place (XDG_DATA_HOME, or --thread PATH)';
    default:
      return 'check the folder and its permissions';
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
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/** Removes a folder if it is empty (rmdir never removes one that is not); a folder still in use, or gone, stays as it is. */
export async function removeIfEmpty(dir: string): Promise<void> {
  await rmdir(dir).catch(() => undefined);
}
