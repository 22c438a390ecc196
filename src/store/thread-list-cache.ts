import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ThreadSummary } from '../core/types.js';
import { ensurePrivateDir, writePrivateFile } from './fs.js';
import type { FileStamp } from './thread-folder.js';

/** What `gpt thread list` shows of a thread. */
export type ListedFields = Pick<ThreadSummary, 'model' | 'turns' | 'preview' | 'tokens' | 'cost'>;

interface Entry extends ListedFields {
  /** The stamp of the file the fields were read from: a file written since (by hand too) is read again. */
  stamp: string;
}

/**
 * A file's times tell a later write apart only when it falls in a later tick of the file
 * system's clock, so a file written less than a tick ago may be written again with the same
 * size and times: its fields are not kept (git's index has the same rule, for "racily clean"
 * entries). A tick is at most ~10 ms where times have fractions of a second (ext4, tmpfs,
 * APFS, NTFS); times in whole seconds are a file system that keeps 1 or 2 s (FAT, HFS+, ext3).
 */
const settledAfterMs = (s: FileStamp) => (s.mtimeMs % 1000 === 0 && s.ctimeMs % 1000 === 0 ? 2_500 : 100);

/**
 * The list's fields of each thread, in one file, so that `gpt thread list` (which shell
 * completion may run on every Tab) stats each thread instead of reading and parsing its YAML.
 * The key is the file's stamp (size, inode, modified and changed times), not its bytes:
 * reading and hashing fifty files cost more than the rest of the listing. A write changes
 * the changed time (which no tool can set), and gpt's own writes replace the file (a new inode).
 */
export class ThreadListCache {
  private changed = false;

  private constructor(
    private readonly file: string,
    private readonly entries: Map<string, Entry>,
  ) {}

  static async open(file: string): Promise<ThreadListCache> {
    const entries = new Map<string, Entry>();
    try {
      // Synchronous: one small file, read on every listing, where a promise costs more than the read.
      const raw = readFileSync(file, 'utf8');
      if (raw) for (const [thread, entry] of Object.entries(JSON.parse(raw) as Record<string, Entry>)) entries.set(thread, entry);
    } catch {
      // A missing, damaged or unreadable cache only costs a parse of every thread.
    }
    return new ThreadListCache(file, entries);
  }

  get(thread: string, stamp: FileStamp): ListedFields | undefined {
    const entry = this.entries.get(thread);
    // An entry of an older gpt (a hash of the bytes, no tokens or cost) is read again.
    if (!entry || entry.stamp !== stampKey(stamp) || !('tokens' in entry)) return undefined;
    const { stamp: _stamp, ...fields } = entry;
    return fields;
  }

  /**
   * Keeps a thread's fields, unless its file was written too recently to be told from a next
   * write (settledAfterMs); `nowMs` is a time before the file's stamp was taken.
   */
  put(thread: string, stamp: FileStamp, fields: ListedFields, nowMs: number): void {
    if (nowMs - Math.max(stamp.mtimeMs, stamp.ctimeMs) < settledAfterMs(stamp)) {
      if (this.entries.delete(thread)) this.changed = true;
      return;
    }
    this.entries.set(thread, { stamp: stampKey(stamp), ...fields });
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

/**
 * How the listed fields are made: raise it when that changes (the preview from the user's
 * own words, 2; tokens unknown when a reply lacks usage, 3), so entries an older gpt kept
 * are read again.
 */
const FIELDS_RULES = 3;

const stampKey = (s: FileStamp) => `${FIELDS_RULES}/${s.size}:${s.ino}:${s.mtimeMs}:${s.ctimeMs}`;
