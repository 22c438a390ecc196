import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { realpath, rename, stat, unlink } from './async-fs.js';

// Loaded on the first write, for its FileHandle: the quick lines that only read never pay for it.
const open = async (path: string, flags: string, mode?: number) => (await import('node:fs/promises')).open(path, flags, mode);

/** The few calls on an open file that a write needs (a node FileHandle has them). */
export interface WritableFile {
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  stat(): Promise<{ size: number }>;
  chown(uid: number, gid: number): Promise<void>;
  close(): Promise<void>;
}

/** The file-system calls of an atomic write; tests pass their own to inject short writes and ENOSPC. */
export interface AtomicWriteFs {
  open(path: string, flags: string, mode?: number): Promise<WritableFile>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  stat(path: string): Promise<{ uid: number; gid: number }>;
  realpath(path: string): Promise<string>;
}

export const nodeFs: AtomicWriteFs = {
  open,
  rename,
  unlink,
  stat,
  realpath: (path) => realpath(path),
};

export interface AtomicWriteOptions {
  mode: number;
  /** Flush the file and its folder to the disk before returning (off for caches). */
  fsync: boolean;
  fs?: AtomicWriteFs;
}

/**
 * Replaces `file` with `data` so that readers, and a crash, see the old file or the new one:
 * a private temp file beside it, every byte written (a short write is not an error to
 * `write`, so the count is checked), fsync, its size checked, then renamed over the target.
 * On any failure the temp file is removed and the old file is left as it was.
 * A symbolic link is written through, to the file it points at.
 */
export async function writeFileAtomically(file: string, data: string | Uint8Array, options: AtomicWriteOptions): Promise<void> {
  const io = options.fs ?? nodeFs;
  const target = await io.realpath(file).catch(() => file);
  // Not node:crypto's randomBytes: loading it costs ~6 ms (`gpt thread list` saving its cache).
  // The name needs to be unique, not secret: 'wx' refuses a file (or link) already there.
  const temp = join(dirname(target), `.${basename(target).slice(0, 40)}.${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const handle = await io.open(temp, 'wx', options.mode);
  let failure: unknown;
  try {
    await keepOwner(io, target, handle);
    await writeAll(handle, bytes);
    if (options.fsync) await handle.sync();
    const { size } = await handle.stat();
    if (size !== bytes.length) throw errnoError('EIO', `${size} of ${bytes.length} bytes reached the file`);
  } catch (error) {
    failure = error;
  }
  // A failed close can be the first sign of a failed write (NFS), so it counts too.
  await handle.close().catch((error: unknown) => (failure ??= error));
  if (failure === undefined) await io.rename(temp, target).catch((error: unknown) => (failure = error));
  if (failure !== undefined) {
    await io.unlink(temp).catch(() => undefined);
    throw failure;
  }
  if (options.fsync) await syncFolder(dirname(target));
}

async function writeAll(handle: WritableFile, bytes: Buffer): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, done);
    // No progress and no error: there is no room left (the kernel reports ENOSPC on the next try).
    if (bytesWritten <= 0) throw errnoError('ENOSPC', `only ${done} of ${bytes.length} bytes could be written`);
    done += bytesWritten;
  }
}

/** Run as root (sudo), a file replaced for its owner stays theirs, as an edit in place would. */
async function keepOwner(io: AtomicWriteFs, target: string, handle: WritableFile): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const old = await io.stat(target).catch(() => undefined);
  if (old && (old.uid !== 0 || old.gid !== 0)) await handle.chown(old.uid, old.gid);
}

/** Makes the rename itself durable. Some file systems cannot sync a folder; that is not a failed write. */
async function syncFolder(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // The file is in place; only its durability across a power cut is less certain.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function errnoError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}
