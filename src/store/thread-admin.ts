import { statSync } from 'node:fs';
import { chmod, constants, copyFile, link, unlink } from './async-fs.js';
import { dirname, join } from 'node:path';
import { GptError, storageError, usageError } from '../core/errors.js';
import { userWords } from '../core/file-prompt.js';
import { spentOn } from '../core/prices.js';
import { THREAD_VERSION, type Thread, type ThreadSummary } from '../core/types.js';
import { code, ensurePrivateDir, pathExists, PRIVATE_FILE, readTextIfExists } from './fs.js';
import { withFileLock } from './lock.js';
import { listThreadFiles, newestFirst, type ThreadFileInfo } from './thread-folder.js';
import { ThreadListCache, type ListedFields } from './thread-list-cache.js';
import { resolveThreadRef, type ThreadRef, type ThreadStore } from './threads.js';

const PREVIEW_CHARS = 60;

/**
 * The threads in the folder, newest first (by file time, as `gpt ask -c` chooses). What the
 * list shows of each comes from the list cache while the file's stamp is the one it was read
 * at (a stat, which listing the folder makes anyway); any other file is read and parsed.
 * `nowMs` is the file system's clock (tests move it on), which tells a settled file.
 */
export async function listThreads(store: ThreadStore, nowMs = Date.now()): Promise<ThreadSummary[]> {
  const files = await listThreadFiles(store.threadsDir);
  files.sort(newestFirst);
  const cache = await ThreadListCache.open(join(store.cacheDir, 'thread-list.json'));
  const listed = await Promise.all(
    files.map(async (info) => {
      const { name, file, mtimeMs } = info;
      const updated = new Date(mtimeMs);
      try {
        return { name, file, updated, ...(await listedFields(info, store, cache, nowMs)) };
      } catch (error) {
        if (!(error instanceof GptError)) throw error;
        return { name, file, updated, model: null, turns: null, preview: '', tokens: null, cost: null, problem: error.message };
      }
    }),
  );
  await cache.save(new Set(files.map((f) => f.file)));
  return listed;
}

async function listedFields({ file, stamp }: ThreadFileInfo, store: ThreadStore, cache: ThreadListCache, nowMs: number): Promise<ListedFields> {
  const cached = cache.get(file, stamp);
  if (cached) return cached;
  const text = await readTextIfExists(file);
  if (text === undefined) return summarise({ version: THREAD_VERSION, messages: [] }); // removed since it was listed
  const fields = summarise(await store.fromText(file, text));
  cache.put(file, stamp, fields, nowMs);
  return fields;
}

export function summarise(thread: Thread): Pick<ThreadSummary, 'model' | 'turns' | 'preview' | 'tokens' | 'cost'> {
  const first = thread.messages.find((m) => m.role === 'user')?.content ?? '';
  return {
    ...spentOn(thread.messages),
    model: thread.model ?? thread.messages.findLast((m) => m.model)?.model ?? null,
    turns: thread.messages.filter((m) => m.role === 'user').length,
    preview: firstWords(userWords(first), PREVIEW_CHARS),
  };
}

/** At most `max` characters, cut after a whole word where there are spaces (not in Chinese, say). */
export function firstWords(text: string, max: number): string {
  const flat = text
    .slice(0, max * 4)
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...flat];
  if (chars.length <= max) return flat;
  const cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  const midWord = chars[max - 1] !== ' ' && space > cut.length / 2;
  return `${(midWord ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** A thread that exists: a name in the threads folder, or a path. Unknown ones are a usage error. */
export async function findThread(value: string, threadsDir: string, cwd: string): Promise<ThreadRef> {
  const ref = resolveThreadRef(value, threadsDir, cwd);
  if (!isFile(ref.file)) {
    throw ref.explicitPath
      ? usageError(`no thread file at ${ref.file}`, 'check the path')
      : usageError(`no thread named '${value}'`, 'gpt thread list shows them');
  }
  return ref;
}

/** Synchronous: `gpt thread path` waits for this one stat, and a promise costs more than the stat. */
function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Where a new thread may be written: refused when something is there already. */
export async function freeThread(value: string, threadsDir: string, cwd: string): Promise<ThreadRef> {
  const ref = resolveThreadRef(value, threadsDir, cwd);
  if (await pathExists(ref.file)) throw existsAlready(ref);
  return ref;
}

const existsAlready = (ref: ThreadRef) =>
  usageError(`${ref.explicitPath ? ref.file : `a thread named '${ref.name}'`} exists already`, 'choose another name, or remove that one first');

/** `ref` itself if no file has its name yet, else the first free of `NAME-2`, `NAME-3`... beside it. */
export async function unusedThread(ref: ThreadRef): Promise<ThreadRef> {
  const ext = /\.(ya?ml|json)$/i.exec(ref.file)?.[0] ?? '';
  const stem = ref.file.slice(0, ref.file.length - ext.length);
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? '' : `-${n}`;
    const file = `${stem}${suffix}${ext}`;
    if (!(await pathExists(file))) return { ...ref, name: `${ref.name}${suffix}`, file };
  }
}

/**
 * A file given by path is only touched if it reads as a thread; files in the threads
 * folder are touched even when damaged, so that they can be removed.
 */
export async function checkIsThread(ref: ThreadRef, store: ThreadStore): Promise<void> {
  if (ref.explicitPath) await store.load(ref.file);
}

/** Removes a thread under its lock, so that no append is lost half-way. */
export async function removeThread(ref: ThreadRef, warn: (line: string) => void): Promise<void> {
  await withFileLock(ref.file, () => fsStep(`remove ${ref.file}`, () => unlink(ref.file)), warn);
}

/** Renames a thread without ever replacing another: a hard link, then the old name goes. */
export async function moveThread(from: ThreadRef, to: ThreadRef, warn: (line: string) => void): Promise<void> {
  await withFileLock(
    from.file,
    async () => {
      await placeAt(from, to, 'link');
      await fsStep(`remove ${from.file}`, () => unlink(from.file));
    },
    warn,
  );
}

/** Copies a thread to a new name, to branch the conversation from there. */
export async function forkThread(from: ThreadRef, to: ThreadRef): Promise<void> {
  await placeAt(from, to, 'copy');
}

/** Puts the file of `from` at `to`, never replacing a file; a link falls back to a copy across devices. */
async function placeAt(from: ThreadRef, to: ThreadRef, how: 'link' | 'copy'): Promise<void> {
  await ensurePrivateDir(dirname(to.file));
  const copy = async () => {
    await copyFile(from.file, to.file, constants.COPYFILE_EXCL);
    await chmod(to.file, PRIVATE_FILE);
  };
  await fsStep(
    `write ${to.file}`,
    async () => {
      if (how === 'copy') return copy();
      try {
        await link(from.file, to.file);
      } catch (error) {
        if (!['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP'].includes(code(error))) throw error;
        await copy();
      }
    },
    to,
  );
}

/** Runs one file-system step; its failure becomes a GptError (an existing target: usage). */
async function fsStep(what: string, step: () => Promise<void>, target?: ThreadRef): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (target && code(error) === 'EEXIST') throw existsAlready(target);
    throw storageError(`cannot ${what} (${code(error)})`, 'check the folder and its permissions', error);
  }
}
