import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import type { ThreadSummary } from '../core/types.js';
import { ensurePrivateDir, readTextIfExists, writePrivateFile } from './fs.js';

/** What `gpt thread list` shows of a thread. */
export type ListedFields = Pick<ThreadSummary, 'model' | 'turns' | 'preview' | 'tokens' | 'cost'>;

interface Entry extends ListedFields {
  /** Of the exact file bytes the fields were read from: a file edited since (by hand too) is read again. */
  hash: string;
}

/**
 * The list's fields of each thread, in one file, so that `gpt thread list` (which shell
 * completion may run on every Tab) reads and hashes each thread instead of parsing its YAML.
 */
export class ThreadListCache {
  private changed = false;

  private constructor(private readonly file: string, private readonly entries: Map<string, Entry>) {}

  static async open(file: string): Promise<ThreadListCache> {
    const entries = new Map<string, Entry>();
    try {
      const raw = await readTextIfExists(file);
      if (raw) for (const [thread, entry] of Object.entries(JSON.parse(raw) as Record<string, Entry>)) entries.set(thread, entry);
    } catch {
      // A damaged or unreadable cache only costs a parse of every thread.
    }
    return new ThreadListCache(file, entries);
  }

  get(thread: string, text: string): ListedFields | undefined {
    const entry = this.entries.get(thread);
    // An entry written before tokens and cost were listed is read again.
    if (!entry || entry.hash !== hashOf(text) || !('tokens' in entry)) return undefined;
    const { hash: _hash, ...fields } = entry;
    return fields;
  }

  put(thread: string, text: string, fields: ListedFields): void {
    this.entries.set(thread, { hash: hashOf(text), ...fields });
    this.changed = true;
  }

  /** Best effort, and only when something changed; entries of threads no longer listed are dropped. */
  async save(listed: Set<string>): Promise<void> {
    for (const thread of this.entries.keys()) {
      if (listed.has(thread)) continue;
      this.entries.delete(thread);
      this.changed = true;
    }
    if (!this.changed) return;
    try {
      await ensurePrivateDir(dirname(this.file));
      // No fsync: a cache lost in a crash only costs one slower listing.
      await writePrivateFile(this.file, JSON.stringify(Object.fromEntries(this.entries)), { fsync: false });
    } catch {
      // ignored on purpose
    }
  }
}

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');
