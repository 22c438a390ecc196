import { join } from 'node:path';
import type { Thread } from '../core/types.js';
import { ensurePrivateDir, readTextIfExists, writePrivateFile } from './fs.js';
import type { ThreadText } from './thread-file.js';

/**
 * Parsing YAML is the slow part of a long thread (~0.3 s for 400 KB), so the parsed
 * thread is kept as JSON beside a hash of the exact file bytes it came from.
 * A file edited by hand no longer matches its hash and is parsed afresh.
 */
/** Below this size parsing is quick (a few ms), so no cache file is read or written. */
const CACHE_MIN_BYTES = 64 * 1024;

interface CacheEntry {
  hash: string;
  messagesOffset: number;
  thread: Thread;
}

export interface CachedThread {
  thread: Thread;
  messagesOffset: number;
}

export class ThreadCache {
  constructor(private readonly dir: string) {}

  async get(file: string, text: string): Promise<CachedThread | undefined> {
    if (text.length < CACHE_MIN_BYTES) return undefined;
    const raw = await readTextIfExists(await this.entryPath(file)).catch(() => undefined);
    if (!raw) return undefined;
    try {
      const entry = JSON.parse(raw) as CacheEntry;
      return entry.hash === (await hashOf(text)) ? { thread: entry.thread, messagesOffset: entry.messagesOffset } : undefined;
    } catch {
      return undefined; // A damaged cache only costs a re-parse.
    }
  }

  /** Best effort: a cache that cannot be written only makes the next read slower. */
  async put(file: string, written: ThreadText, thread: Thread): Promise<void> {
    if (written.text.length < CACHE_MIN_BYTES) return;
    const entry: CacheEntry = { hash: await hashOf(written.text), messagesOffset: written.messagesOffset, thread };
    try {
      await ensurePrivateDir(this.dir);
      // No fsync: a cache lost in a crash only costs one slower read.
      await writePrivateFile(await this.entryPath(file), JSON.stringify(entry), { fsync: false });
    } catch {
      // ignored on purpose
    }
  }

  private async entryPath(file: string): Promise<string> {
    return join(this.dir, `${(await hashOf(file)).slice(0, 32)}.json`);
  }
}

/** node:crypto is loaded only for a long thread: loading it costs `gpt thread list` ~5 ms. */
const hashOf = async (text: string) => (await import('node:crypto')).createHash('sha256').update(text).digest('hex');
