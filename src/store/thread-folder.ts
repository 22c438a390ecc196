import { type Dirent, readdirSync, statSync, type Stats } from 'node:fs';
import { readdir, readFile, unlink } from './async-fs.js';
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

/**
 * The thread files in the threads folder (`NAME.yaml`), in no particular order. Read with
 * synchronous calls: a promise and a trip through libuv's threads for each of fifty files
 * cost `gpt thread list` and every completion Tab ~4 ms; these take microseconds each.
 */
export async function listThreadFiles(dir: string): Promise<ThreadFileInfo[]> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const infos: ThreadFileInfo[] = [];
  // join(dir, entry) for each entry, which has no `/` and does not start with a dot: fifty
  // joins cost a listing ~0.2 ms.
  const folder = join(dir, '/');
  for (const entry of entries) {
    if (!isThreadFileName(entry)) continue;
    const file = folder + entry;
    let info: Stats;
    try {
      info = statSync(file);
    } catch {
      continue; // removed while we looked
    }
    if (!info.isFile()) continue;
    const stamp = { size: info.size, ino: info.ino, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs };
    infos.push({ name: entry.slice(0, -'.yaml'.length), file, mtimeMs: info.mtimeMs, stamp });
  }
  return infos;
}

/**
 * The names of the thread files in the threads folder, as listThreadFiles gives them, told
 * from the folder alone: no file is statted (a completion Tab needs only names). A link is
 * taken, as the link to a file it usually is.
 */
export function threadNames(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.filter((e) => isThreadFileName(e.name) && (e.isFile() || e.isSymbolicLink())).map((e) => e.name.slice(0, -'.yaml'.length));
}

const isThreadFileName = (entry: string) => entry.endsWith('.yaml') && !entry.startsWith('.');

/**
 * The order of `gpt thread list` and `search`: newest first (as `gpt ask -c` chooses), then
 * by name. Names compare by code point: `localeCompare` would load ICU's collator, about
 * 25 ms of every listing.
 */
export const newestFirst = (a: ThreadFileInfo, b: ThreadFileInfo) => b.mtimeMs - a.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The most recently updated thread, named or not. */
export async function latestThread(dir: string): Promise<ThreadFileInfo | undefined> {
  const files = await listThreadFiles(dir);
  return files.reduce<ThreadFileInfo | undefined>((best, f) => (!best || f.mtimeMs > best.mtimeMs ? f : best), undefined);
}

/**
 * Keeps the newest `keep` automatically named conversations; named threads are never touched.
 * Returns the text of each file removed, for its attachments to be tidied too.
 */
export async function pruneAutoThreads(dir: string, keep: number): Promise<string[]> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  const autoCount = entries.filter((e) => e.endsWith('.yaml') && AUTO_NAME.test(e.slice(0, -5))).length;
  if (autoCount <= keep) return [];
  const auto = (await listThreadFiles(dir)).filter((f) => AUTO_NAME.test(f.name));
  auto.sort((a, b) => b.mtimeMs - a.mtimeMs);
  const removed = await Promise.all(
    auto.slice(keep).map(async (f) => {
      const text = await readFile(f.file, 'utf8').catch(() => '');
      return unlink(f.file).then(
        () => text,
        () => '',
      );
    }),
  );
  return removed.filter((text) => text !== '');
}
