import { randomUUID } from 'node:crypto';
import { closeSync, fchmodSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { storageError } from '../core/errors.js';
import type { AtomicWriteFs } from './atomic-write.js';
import { PRIVATE_DIR, PRIVATE_FILE, code, writePrivateFile } from './fs.js';
import { withFileLock } from './lock.js';

/**
 * The journal of batches submitted to the Batch API, so that a run stopped while it waited
 * (Ctrl-C, a kill, a closed terminal) picks its batches up instead of paying for them again.
 *
 * `$XDG_STATE_HOME/gpt/batches.jsonl`: append-only JSON Lines, one event a line, each line
 * written whole with one write and fsynced. A kill can at worst cut the last line short; it is
 * skipped when reading, and ended with a newline before the next append.
 *
 * Every write holds the lock `batches.jsonl.lock` (lock.ts): a run's look for an open submission
 * and its new one are one step, so two runs of one input share a submission; and an append
 * cannot land in the old file while a compaction replaces it.
 */
export const JOURNAL_FILE = 'batches.jsonl';

/**
 * Past this size the journal is compacted when a submission begins. A submission takes about
 * 1 KB of lines, so this is about a thousand of them: replayed in milliseconds, and rewritten
 * about once per nine hundred submissions.
 */
export const COMPACT_AT_BYTES = 1024 * 1024;
/** Ended submissions (results written, or cancelled) a compaction keeps, newest first; open ones all stay. */
export const ENDED_KEPT = 100;

/** One request file of a submission: its batch once created. */
export interface JournalPart {
  /** sha256 of the request file as uploaded. */
  sha256: string;
  requests: number;
  fileId?: string;
  batchId?: string;
  /** The batch's status as last seen by gpt. */
  status?: string;
}

/** What one `gpt batch FILE --remote` sent: one or more batches. */
export interface Submission {
  id: string;
  /** The input's absolute path, or `stdin`. */
  input: string;
  /** The absolute path of -o FILE; null for stdout. Where results were last written, once written. */
  output: string | null;
  /** The API's base URL (never the key). */
  endpoint: string;
  /** sha256 over the request files: the same input with other options is another submission. */
  fingerprint: string;
  createdAt: Date;
  parts: JournalPart[];
  /** `open` until its results have been written (`done`) or gpt cancelled it (`cancelled`). */
  state: 'open' | 'done' | 'cancelled';
}

export type NewSubmission = Pick<Submission, 'input' | 'output' | 'endpoint' | 'fingerprint'> & {
  parts: Array<Pick<JournalPart, 'sha256' | 'requests'>>;
};

export type SubmissionKey = Pick<Submission, 'input' | 'endpoint' | 'fingerprint'>;

export interface JournalOptions {
  now?: () => Date;
  /** Told when a lock left by a killed gpt is taken over. */
  warn?: (line: string) => void;
  /** The compaction's file calls (tests pass their own to act in the middle of one). */
  fs?: AtomicWriteFs;
  compactAtBytes?: number;
  endedKept?: number;
}

type Event =
  | {
      op: 'submit';
      sub: string;
      at: string;
      input: string;
      output: string | null;
      endpoint: string;
      fingerprint: string;
      parts: Array<{ sha256: string; requests: number }>;
    }
  | { op: 'uploaded'; sub: string; part: number; file: string; at: string }
  | { op: 'created'; sub: string; part: number; batch: string; status: string; at: string }
  | { op: 'status'; batch: string; status: string; at: string }
  /** Results written (`done`), or cancelled with `gpt batch cancel`. */
  | { op: 'done' | 'cancelled'; batch: string; at: string; output?: string | null };

export class BatchJournal {
  readonly file: string;
  private readonly now: () => Date;
  private readonly warn: (line: string) => void;

  constructor(
    stateDir: string,
    private readonly options: JournalOptions = {},
  ) {
    this.file = join(stateDir, JOURNAL_FILE);
    this.now = options.now ?? (() => new Date());
    this.warn = options.warn ?? (() => undefined);
  }

  /** Every submission, oldest first. */
  async read(): Promise<Submission[]> {
    return [...replay(linesOf(await this.text())).keys()];
  }

  /** The newest open submission of the same requests from the same input to the same endpoint. */
  async findOpen(key: SubmissionKey): Promise<Submission | undefined> {
    return findOpen(await this.read(), key);
  }

  /**
   * The open submission of `key` to pick up (`picked`), or a new one recorded before anything is
   * uploaded (a journal that cannot be written stops the run before it costs money). One step
   * under the lock: of two runs started together, the second picks up the first's submission.
   * A journal grown past COMPACT_AT_BYTES is compacted first.
   */
  async openOrBegin(key: SubmissionKey, submission: NewSubmission, options: { anew?: boolean } = {}): Promise<{ submission: Submission; picked: boolean }> {
    return this.locked(async () => {
      const text = await this.text();
      const lines = linesOf(text);
      const all = replay(lines);
      const earlier = options.anew ? undefined : findOpen([...all.keys()], key);
      if (earlier) return { submission: earlier, picked: true };
      if (Buffer.byteLength(text) > (this.options.compactAtBytes ?? COMPACT_AT_BYTES)) await this.compact(lines, all);
      return { submission: this.begin(submission), picked: false };
    });
  }

  /**
   * Runs `send` (the uploads and batch creations of `sub`) holding the submission's own lock, with
   * the submission as it now stands: a run that picked it up waits while another run sends it
   * (however long, as long as that run lives), then finds its batches and sends nothing.
   */
  async sending<T>(sub: string, send: (now: Submission) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withFileLock(
      `${this.file}.${sub}`,
      async () => {
        const now = (await this.read()).find((s) => s.id === sub);
        if (!now) throw storageError(`the batch journal ${this.file} no longer has submission ${sub}`, 'run again with --new-batch to submit anew');
        return send(now);
      },
      this.warn,
      { patienceMs: Number.POSITIVE_INFINITY, signal },
    );
  }

  async uploaded(sub: string, part: number, file: string): Promise<void> {
    await this.record({ op: 'uploaded', sub, part, file, at: this.stamp() });
  }

  async created(sub: string, part: number, batch: string, status: string): Promise<void> {
    await this.record({ op: 'created', sub, part, batch, status, at: this.stamp() });
  }

  async status(batch: string, status: string): Promise<void> {
    await this.record({ op: 'status', batch, status, at: this.stamp() });
  }

  /** Its results were written: running the same input again submits it anew. */
  async done(batch: string, output?: string | null): Promise<void> {
    await this.record({ op: 'done', batch, at: this.stamp(), ...(output === undefined ? {} : { output }) });
  }

  async cancelled(batch: string): Promise<void> {
    await this.record({ op: 'cancelled', batch, at: this.stamp() });
  }

  /** Under the lock, held here by openOrBegin. */
  private begin(submission: NewSubmission): Submission {
    const at = this.now();
    const sub = randomUUID();
    this.append({ op: 'submit', sub, at: at.toISOString(), ...submission, parts: submission.parts.map(({ sha256, requests }) => ({ sha256, requests })) });
    return { id: sub, ...submission, createdAt: at, parts: submission.parts.map((p) => ({ ...p })), state: 'open' };
  }

  /**
   * Rewrites the journal with the lines of every open submission and of the ENDED_KEPT newest
   * ended ones, in their order, atomically (the old file or the new, never half). Lines of another
   * version of gpt are kept, for it to judge; lines cut short by a kill, and lines of submissions
   * left out, are dropped. Under the lock, so no append is lost to the replaced file.
   */
  private async compact(lines: string[], all: Map<Submission, number[]>): Promise<void> {
    const ended = [...all.keys()].filter((s) => s.state !== 'open');
    const dropped = new Set(ended.slice(0, Math.max(0, ended.length - (this.options.endedKept ?? ENDED_KEPT))));
    const kept = new Set<number>();
    lines.forEach((line, i) => {
      if (isForeign(line)) kept.add(i);
    });
    for (const [sub, indexes] of all) if (!dropped.has(sub)) for (const i of indexes) kept.add(i);
    const text = lines
      .filter((_, i) => kept.has(i))
      .map((line) => `${line}\n`)
      .join('');
    await writePrivateFile(this.file, text, { fsync: true, fs: this.options.fs });
  }

  private async text(): Promise<string> {
    try {
      return await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw storageError(`cannot read the batch journal ${this.file} (${code(error)})`, 'check its permissions', error);
    }
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  private async record(event: Event): Promise<void> {
    await this.locked(async () => this.append(event));
  }

  private async locked<T>(critical: () => Promise<T>): Promise<T> {
    try {
      mkdirSync(dirname(this.file), { recursive: true, mode: PRIVATE_DIR });
    } catch (error) {
      throw storageError(`cannot write the batch journal ${this.file} (${code(error)})`, 'check the folder is writable and the disk has room', error);
    }
    return withFileLock(this.file, critical, this.warn);
  }

  private append(event: Event): void {
    let fd: number | undefined;
    try {
      fd = openSync(this.file, 'a+', PRIVATE_FILE);
      fchmodSync(fd, PRIVATE_FILE);
      const line = Buffer.from(`${endsCut(fd) ? '\n' : ''}${JSON.stringify({ v: 1, ...event })}\n`);
      const written = writeSync(fd, line);
      if (written !== line.length) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
      fsyncSync(fd);
    } catch (error) {
      throw storageError(`cannot write the batch journal ${this.file} (${code(error)})`, 'check the folder is writable and the disk has room', error);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}

/** The file's lines, a cut last one too: what replay and compaction read. */
const linesOf = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

function findOpen(all: Submission[], key: SubmissionKey): Submission | undefined {
  return [...all].reverse().find((s) => s.state === 'open' && s.input === key.input && s.endpoint === key.endpoint && s.fingerprint === key.fingerprint);
}

/** True when the file's last line has no newline: a write that a kill cut short. */
function endsCut(fd: number): boolean {
  const { size } = fstatSync(fd);
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  return last[0] !== 0x0a;
}

const OPS = new Set<string>(['submit', 'uploaded', 'created', 'status', 'done', 'cancelled'] satisfies Event['op'][]);

/** An event of this version; undefined for a line cut short by a kill, or another gpt's line. */
function parseEvent(line: string): Event | undefined {
  const value = parseJson(line) as ({ v?: unknown } & Event) | undefined;
  return value?.v === 1 && OPS.has(value.op) ? value : undefined;
}

/** A line that is JSON but not an event this gpt knows (another version's): kept by a compaction. */
function isForeign(line: string): boolean {
  return parseEvent(line) === undefined && parseJson(line) !== undefined;
}

function parseJson(line: string): object | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The submissions the lines tell of, oldest first, each with the indexes of its lines. */
function replay(lines: string[]): Map<Submission, number[]> {
  const subs = new Map<string, { sub: Submission; lines: number[] }>();
  const byBatch = new Map<string, { entry: { sub: Submission; lines: number[] }; part: JournalPart }>();
  const ended = new Map<string, 'done' | 'cancelled'>();
  lines.forEach((line, index) => {
    const event = parseEvent(line);
    if (!event) return;
    if (event.op === 'submit') {
      const sub: Submission = {
        id: event.sub,
        input: event.input,
        output: event.output,
        endpoint: event.endpoint,
        fingerprint: event.fingerprint,
        createdAt: new Date(event.at),
        parts: event.parts.map((p) => ({ sha256: p.sha256, requests: p.requests })),
        state: 'open',
      };
      subs.set(event.sub, { sub, lines: [index] });
      return;
    }
    if (event.op === 'uploaded' || event.op === 'created') {
      const entry = subs.get(event.sub);
      const part = entry?.sub.parts[event.part];
      if (!entry || !part) return;
      entry.lines.push(index);
      if (event.op === 'uploaded') part.fileId = event.file;
      else {
        part.batchId = event.batch;
        part.status = event.status;
        byBatch.set(event.batch, { entry, part });
      }
      return;
    }
    const known = byBatch.get(event.batch);
    if (!known) return;
    known.entry.lines.push(index);
    if (event.op === 'status') known.part.status = event.status;
    else {
      ended.set(event.batch, event.op);
      // `gpt batch results ID -o OTHER` wrote them elsewhere than the run's -o.
      if (event.op === 'done' && event.output !== undefined) known.entry.sub.output = event.output;
    }
  });
  for (const { sub } of subs.values()) {
    const states = sub.parts.map((p) => (p.batchId ? ended.get(p.batchId) : undefined));
    if (states.includes('cancelled')) sub.state = 'cancelled';
    else if (states.length > 0 && states.every((s) => s === 'done')) sub.state = 'done';
  }
  return new Map([...subs.values()].map(({ sub, lines }) => [sub, lines]));
}
