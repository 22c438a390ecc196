import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AUTO_NAME } from '../core/names.js';

export interface ThreadFileInfo {
  name: string;
  file: string;
  mtimeMs: number;
  /** What the file's stat tells of its bytes (the list cache's key). */
  stamp: FileStamp;
}

/** A file's size, inode, and modified and changed times: a write, a rename over it, or setting its time changes one. */
export interface FileStamp {
  size: number;
  ino: number;
  mtimeMs: number;
  ctimeMs: number;
}

/** The thread files in the threads folder (`NAME.yaml`), in no particular order. */
export async function listThreadFiles(dir: string): Promise<ThreadFileInfo[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const infos = await Promise.all(
    entries
      .filter((entry) => entry.endsWith('.yaml') && !entry.startsWith('.'))
      .map(async (entry) => {
        const file = join(dir, entry);
        try {
          const info = await stat(file);
          if (!info.isFile()) return undefined;
          const stamp = { size: info.size, ino: info.ino, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs };
          return { name: entry.slice(0, -'.yaml'.length), file, mtimeMs: info.mtimeMs, stamp };
        } catch {
          return undefined; // removed while we looked
        }
      }),
  );
  return infos.filter((info): info is ThreadFileInfo => info !== undefined);
}

/**
 * The order of `gpt thread list` and `search`: newest first (as `gpt ask -c` chooses), then
 * by name. Names compare by code point: `localeCompare` would load ICU's collator, about
 * 25 ms of every listing.
 */
export const newestFirst = (a: ThreadFileInfo, b: ThreadFileInfo) =>
  b.mtimeMs - a.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The most recently updated thread, named or not. */
export async function latestThread(dir: string): Promise<ThreadFileInfo | undefined> {
  const files = await listThreadFiles(dir);
  return files.reduce<ThreadFileInfo | undefined>((best, f) => (!best || f.mtimeMs > best.mtimeMs ? f : best), undefined);
}

/** Keeps the newest `keep` automatically named conversations; named threads are never touched. */
export async function pruneAutoThreads(dir: string, keep: number): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  const autoCount = entries.filter((e) => e.endsWith('.yaml') && AUTO_NAME.test(e.slice(0, -5))).length;
  if (autoCount <= keep) return;
  const auto = (await listThreadFiles(dir)).filter((f) => AUTO_NAME.test(f.name));
  auto.sort((a, b) => b.mtimeMs - a.mtimeMs);
  await Promise.all(auto.slice(keep).map((f) => unlink(f.file).catch(() => undefined)));
}
