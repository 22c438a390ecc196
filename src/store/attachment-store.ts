// The attachment store: each attached file's bytes kept once, under their sha256, so a
// thread records only a reference and can be continued after the file changed or went.
import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { sha256Of } from '../core/sha256.js';
import { storageError } from '../core/errors.js';
import type { AttachmentRef } from '../core/types.js';
import { cause, code, ensurePrivateDir, readTextIfExists, writePrivateFile } from './fs.js';

/** The store of a thread kept outside the threads folder: a folder beside the thread file. */
export const PROJECT_STORE = 'gpt-attachments';

/**
 * Where a thread's attachments are kept: for a thread in the threads folder, always
 * `attachments/` beside that folder (a header a thread brought along when it was moved in
 * from a project does not make a second store there); for any other thread, where its
 * header's `attachment_store` says (relative to the thread file), else `gpt-attachments/`
 * beside its file, so a project folder holds its threads' attachments too.
 */
export function attachmentStoreDir(threadFile: string, threadsDir: string, header?: string): string {
  if (inThreadsFolder(threadFile, threadsDir)) return defaultStoreDir(threadsDir);
  return resolve(dirname(threadFile), header ?? PROJECT_STORE);
}

/** The store of the threads folder: `$XDG_DATA_HOME/gpt/attachments`, beside `threads/`. */
export const defaultStoreDir = (threadsDir: string) => join(dirname(resolve(threadsDir)), 'attachments');

/** The `attachment_store` a thread file records: only one outside the threads folder says where. */
export const storeHeader = (threadFile: string, threadsDir: string) => (inThreadsFolder(threadFile, threadsDir) ? undefined : PROJECT_STORE);

const inThreadsFolder = (file: string, threadsDir: string) => resolve(dirname(file)) === resolve(threadsDir);

/** The bytes of attachments, named by their sha256 in one folder (0700; files 0600, written atomically). */
export class AttachmentStore {
  constructor(readonly dir: string) {}

  fileOf(sha256: string): string {
    return join(this.dir, sha256);
  }

  /** Keeps `bytes` (whose hash is `sha256`) unless the store has them already. */
  async put(bytes: Uint8Array, sha256: string): Promise<void> {
    const file = this.fileOf(sha256);
    const there = await stat(file).catch(() => undefined);
    if (there?.isFile() && there.size === bytes.byteLength) return;
    await ensurePrivateDir(this.dir);
    await writePrivateFile(file, bytes);
  }

  /** The bytes of a reference, when the store has them and they still hash to its sha256. */
  async get(ref: AttachmentRef): Promise<Buffer | undefined> {
    if (!ref.sha256) return undefined;
    const bytes = await readFile(this.fileOf(ref.sha256)).catch((error: unknown) => {
      if (code(error) === 'ENOENT') return undefined;
      throw storageError(`cannot read ${this.fileOf(ref.sha256!)}: ${cause(error)}`, 'check the attachment store and its permissions', error);
    });
    return bytes && sha256Of(bytes) === ref.sha256 ? bytes : undefined;
  }

  /**
   * Removes the stored files of `refs` that no other thread file in `folder` names (a
   * thread file's text holding the hash counts, so a damaged file keeps its attachments).
   */
  async removeUnshared(refs: readonly AttachmentRef[], folder: string, removedFile: string): Promise<void> {
    const hashes = new Set(refs.flatMap((r) => (r.sha256 ? [r.sha256] : [])));
    if (hashes.size === 0) return;
    const others = (await readdir(folder).catch(() => [] as string[])).filter((name) => /\.(ya?ml|json)$/i.test(name) && name !== basename(removedFile));
    for (const name of others) {
      // A thread that cannot be read may use any of them: then all are kept.
      const text = await readTextIfExists(join(folder, name)).catch(() => null);
      if (text === null) return;
      for (const hash of hashes) if (text?.includes(hash)) hashes.delete(hash);
      if (hashes.size === 0) return;
    }
    for (const hash of hashes) {
      await unlink(this.fileOf(hash)).catch((error: unknown) => {
        if (code(error) !== 'ENOENT')
          throw storageError(`cannot remove ${this.fileOf(hash)}: ${cause(error)}`, 'check the attachment store and its permissions', error);
      });
    }
  }
}
