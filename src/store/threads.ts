import { basename, dirname, join, resolve } from 'node:path';
import { usageError } from '../core/errors.js';
import { THREAD_VERSION, type StoredMessage, type Thread } from '../core/types.js';
import { ensurePrivateDir, readTextIfExists, symlinkTarget, writePrivateFile } from './fs.js';
import { withFileLock } from './lock.js';
import { ThreadCache } from './thread-cache.js';
import type { ThreadText } from './thread-file.js';

/** The YAML code, loaded when a thread is read or written: `gpt thread path` and `list` need less. */
const threadFile = () => import('./thread-file.js');

/** A thread named by the user: a bare name in the threads folder, or a file path. */
export interface ThreadRef {
  name: string;
  file: string;
  /** True when the user gave a path rather than a name. */
  explicitPath: boolean;
}

const storeField = (options: AppendOptions) => (options.attachmentStore === undefined ? {} : { attachment_store: options.attachmentStore });

/**
 * Letters and digits of any script, `.`, `_` and `-`; not starting with a dot. An ASCII name
 * is checked without `\p{...}`, the same rule on ASCII: ICU takes ~1 ms to build those sets,
 * and `gpt thread path NAME` runs on completion Tabs.
 */
const isThreadName = (value: string) =>
  /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(value) || (/[^\0-\x7f]/.test(value) && /^[\p{L}\p{N}_-][\p{L}\p{M}\p{N}._-]*$/u.test(value));
/** A file path rather than a name: it has a `/`, or the ending of a thread file. */
const PATH_LIKE = /\/|\.(ya?ml|json)$/i;
const THREAD_FILE_ENDING = /\.(ya?ml|json)$/i;
/** File names are at most 255 bytes (ext4, tmpfs, APFS...); the lock folder adds `.lock`. */
const MAX_FILE_NAME_BYTES = 255 - '.lock'.length;

/** Resolves `--thread VALUE`: a value with a `/` or a .yaml/.yml/.json ending is a path. */
export function resolveThreadRef(value: string, threadsDir: string, cwd: string): ThreadRef {
  if (PATH_LIKE.test(value)) {
    const file = resolve(cwd, value);
    checkLength(basename(file), 'the file name', 0);
    return { name: basename(file).replace(THREAD_FILE_ENDING, ''), file, explicitPath: true };
  }
  if (!isThreadName(value)) {
    throw usageError(`invalid thread name '${value}'`, 'use letters, digits, ".", "_" and "-" (not starting with "."), or a path containing "/"');
  }
  checkLength(`${value}.yaml`, 'the thread name', '.yaml'.length);
  return { name: value, file: join(threadsDir, `${value}.yaml`), explicitPath: false };
}

function checkLength(fileName: string, what: string, ending: number): void {
  const bytes = Buffer.byteLength(fileName);
  if (bytes <= MAX_FILE_NAME_BYTES) return;
  throw usageError(
    `${what} is too long (${bytes - ending} bytes; at most ${MAX_FILE_NAME_BYTES - ending})`,
    'choose a shorter name (letters outside ASCII count 2 to 4 bytes each)',
  );
}

export interface LoadedThread {
  thread: Thread;
  exists: boolean;
}

export interface AppendOptions {
  /** Header fields for a thread created by this append. */
  create: Pick<Thread, 'model' | 'system' | 'endpoint' | 'reasoning_effort'>;
  /** Where the thread's attachments are kept, for a thread that has none yet (outside the threads folder). */
  attachmentStore?: string;
  now: Date;
}

/**
 * Reads threads and appends turns to them (under the thread's lock, through the cache).
 * Removing, renaming and copying whole files is thread-admin.ts's job, under the same lock.
 */
export class ThreadStore {
  private readonly cache: ThreadCache;

  constructor(
    readonly threadsDir: string,
    readonly cacheDir: string,
    private readonly warn: (line: string) => void,
  ) {
    this.cache = new ThreadCache(join(cacheDir, 'threads'));
  }

  async load(file: string): Promise<LoadedThread> {
    const text = await readTextIfExists(file);
    if (text === undefined) return { thread: { version: THREAD_VERSION, messages: [] }, exists: false };
    return { thread: (await this.parse(file, text)).thread, exists: true };
  }

  /**
   * Appends messages under the thread's lock, re-reading the file first so that
   * concurrent writers each add their turn. The file is replaced atomically.
   */
  async append(file: string, added: StoredMessage[], options: AppendOptions): Promise<Thread> {
    await ensurePrivateDir(dirname(file));
    const target = await symlinkTarget(file);
    if (target) this.warn(`gpt: ${file} is a symbolic link; writing to ${target}`);
    const { appendToThreadText, canonicalOffset, newThreadText } = await threadFile();
    return withFileLock(
      file,
      async () => {
        const text = await readTextIfExists(file);
        const stamp = options.now.toISOString();
        let thread: Thread;
        let written: ThreadText;
        if (text === undefined) {
          thread = { version: THREAD_VERSION, ...options.create, ...storeField(options), created: stamp, updated: stamp, messages: added };
          written = newThreadText(thread, file);
        } else {
          const old = await this.parse(file, text);
          // A store the file names already is kept: it may be one the user chose.
          const header = { ...old.thread, ...(old.thread.attachment_store === undefined ? storeField(options) : {}), updated: stamp };
          const messagesOffset = old.messagesOffset >= 0 ? old.messagesOffset : canonicalOffset(text, old.thread);
          written = appendToThreadText({ text, messagesOffset }, header, added);
          thread = { ...header, messages: [...old.thread.messages, ...added] };
        }
        await writePrivateFile(file, written.text);
        await this.cache.put(file, written, thread);
        return thread;
      },
      this.warn,
    );
  }

  /** The thread in `text`, read from `file` (by `gpt thread list`, which reads the text itself). */
  async fromText(file: string, text: string): Promise<Thread> {
    return (await this.parse(file, text)).thread;
  }

  /**
   * `/retry`: the thread's last turn `replaced` gives way to `added`, under the lock; the replaced
   * reply is not kept. `added` is appended instead when the file no longer ends with that turn
   * (another gpt wrote after it, or it was never saved) or is not in gpt's own layout.
   */
  async replaceLastTurn(file: string, replaced: StoredMessage[], added: StoredMessage[], options: AppendOptions): Promise<Thread> {
    const { canonicalOffset, newThreadText } = await threadFile();
    const rewrite = await withFileLock(
      file,
      async () => {
        const text = await readTextIfExists(file);
        if (text === undefined) return undefined;
        const parsed = await this.parse(file, text);
        const old = parsed.thread;
        // A file written or edited by hand would lose its comments and own keys in a rewrite.
        if (parsed.messagesOffset < 0 && canonicalOffset(text, old) < 0) return undefined;
        const kept = old.messages.slice(0, old.messages.length - replaced.length);
        const tail = old.messages.slice(kept.length);
        const same = tail.length === replaced.length && tail.every((m, i) => m.content === replaced[i]!.content && m.time === replaced[i]!.time);
        if (!same) return undefined;
        const thread = {
          ...old,
          ...(old.attachment_store === undefined ? storeField(options) : {}),
          updated: options.now.toISOString(),
          messages: [...kept, ...added],
        };
        const written = newThreadText(thread, file);
        await writePrivateFile(file, written.text);
        await this.cache.put(file, written, thread);
        return thread;
      },
      this.warn,
    );
    return rewrite ?? this.append(file, added, options);
  }

  private async parse(file: string, text: string) {
    const cached = await this.cache.get(file, text);
    if (cached) return cached;
    const parsed = { thread: (await threadFile()).parseThread(text, file), messagesOffset: -1 };
    // Remembered so the next read of this file (say, a file edited by hand) is quick too.
    await this.cache.put(file, { text, messagesOffset: -1 }, parsed.thread);
    return parsed;
  }
}
