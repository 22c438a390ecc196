import { dirname, join, resolve } from 'node:path';
import { usageError } from '../core/errors.js';
import type { StoredMessage, Thread } from '../core/types.js';
import { ensurePrivateDir, readTextIfExists, symlinkTarget, writePrivateFile } from './fs.js';
import { withFileLock } from './lock.js';
import { ThreadCache } from './thread-cache.js';
import { THREAD_VERSION, appendToThreadText, parseThread, serializeThread, type ThreadText } from './thread-file.js';

/** A thread named by the user: a bare name in the threads folder, or a file path. */
export interface ThreadRef {
  name: string;
  file: string;
  /** True when the user gave a path rather than a name. */
  explicitPath: boolean;
}

const NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Resolves `--thread VALUE`: a value with a `/` or a .yaml/.yml ending is a path. */
export function resolveThreadRef(value: string, threadsDir: string, cwd: string): ThreadRef {
  if (value.includes('/') || /\.ya?ml$/i.test(value)) {
    const file = resolve(cwd, value);
    const name = file.split('/').pop()!.replace(/\.ya?ml$/i, '');
    return { name, file, explicitPath: true };
  }
  if (!NAME.test(value)) {
    throw usageError(`invalid thread name '${value}'`,
      'use letters, digits, ".", "_" and "-" (not starting with "."), or a path containing "/"');
  }
  return { name: value, file: join(threadsDir, `${value}.yaml`), explicitPath: false };
}

export interface LoadedThread {
  thread: Thread;
  exists: boolean;
}

export interface AppendOptions {
  /** Header fields for a thread created by this append. */
  create: Pick<Thread, 'model' | 'system'>;
  now: Date;
}

/** Thread files on disk: the only code that reads or writes them. */
export class ThreadStore {
  private readonly cache: ThreadCache;

  constructor(
    readonly threadsDir: string,
    cacheDir: string,
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
    return withFileLock(file, async () => {
      const text = await readTextIfExists(file);
      const stamp = options.now.toISOString();
      let thread: Thread;
      let written: ThreadText;
      if (text === undefined) {
        thread = { version: THREAD_VERSION, ...options.create, created: stamp, updated: stamp, messages: added };
        written = serializeThread(thread);
      } else {
        const old = await this.parse(file, text);
        const header = { ...old.thread, updated: stamp };
        written = appendToThreadText({ text, messagesOffset: old.messagesOffset }, header, added);
        thread = { ...header, messages: [...old.thread.messages, ...added] };
      }
      await writePrivateFile(file, written.text);
      await this.cache.put(file, written, thread);
      return thread;
    }, this.warn);
  }

  private async parse(file: string, text: string) {
    const cached = await this.cache.get(file, text);
    if (cached) return cached;
    const parsed = { thread: parseThread(text, file), messagesOffset: -1 };
    // Remembered so the next read of this file (say, a file edited by hand) is quick too.
    await this.cache.put(file, { text, messagesOffset: -1 }, parsed.thread);
    return parsed;
  }
}
