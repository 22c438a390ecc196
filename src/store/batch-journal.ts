import { randomUUID } from 'node:crypto';
import { closeSync, fchmodSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { storageError } from '../core/errors.js';
import { PRIVATE_DIR, PRIVATE_FILE, code } from './fs.js';

/**
 * The journal of batches submitted to the Batch API, so that a run stopped while it waited
 * (Ctrl-C, a kill, a closed terminal) picks its batches up instead of paying for them again.
 *
 * `$XDG_STATE_HOME/gpt/batches.jsonl`: append-only JSON Lines, one event a line, each line
 * written whole with one write and fsynced. A kill can at worst cut the last line short; it is
 * skipped when reading, and ended with a newline before the next append.
 */
export const JOURNAL_FILE = 'batches.jsonl';

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
  /** The absolute path of -o FILE; null for stdout. */
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
  | { op: 'done' | 'cancelled'; batch: string; at: string };

export class BatchJournal {
  readonly file: string;

  constructor(
    stateDir: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.file = join(stateDir, JOURNAL_FILE);
  }

  /** Every submission, oldest first. */
  async read(): Promise<Submission[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw storageError(`cannot read the batch journal ${this.file} (${code(error)})`, 'check its permissions', error);
    }
    return replay(text.split('\n').flatMap(parseEvent));
  }

  /** The newest open submission of the same requests from the same input to the same endpoint. */
  async findOpen(key: Pick<Submission, 'input' | 'endpoint' | 'fingerprint'>): Promise<Submission | undefined> {
    const all = await this.read();
    return all.reverse().find((s) => s.state === 'open' && s.input === key.input && s.endpoint === key.endpoint && s.fingerprint === key.fingerprint);
  }

  /** Written before anything is uploaded: a journal that cannot be written stops the run before it costs money. */
  begin(submission: NewSubmission): Submission {
    const at = this.now();
    const sub = randomUUID();
    this.append({ op: 'submit', sub, at: at.toISOString(), ...submission, parts: submission.parts.map(({ sha256, requests }) => ({ sha256, requests })) });
    return { id: sub, ...submission, createdAt: at, parts: submission.parts.map((p) => ({ ...p })), state: 'open' };
  }

  uploaded(sub: string, part: number, file: string): void {
    this.append({ op: 'uploaded', sub, part, file, at: this.stamp() });
  }

  created(sub: string, part: number, batch: string, status: string): void {
    this.append({ op: 'created', sub, part, batch, status, at: this.stamp() });
  }

  status(batch: string, status: string): void {
    this.append({ op: 'status', batch, status, at: this.stamp() });
  }

  /** Its results were written: running the same input again submits it anew. */
  done(batch: string): void {
    this.append({ op: 'done', batch, at: this.stamp() });
  }

  cancelled(batch: string): void {
    this.append({ op: 'cancelled', batch, at: this.stamp() });
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  private append(event: Event): void {
    let fd: number | undefined;
    try {
      mkdirSync(dirname(this.file), { recursive: true, mode: PRIVATE_DIR });
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

/** True when the file's last line has no newline: a write that a kill cut short. */
function endsCut(fd: number): boolean {
  const { size } = fstatSync(fd);
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  return last[0] !== 0x0a;
}

function parseEvent(line: string): Event[] {
  if (line.trim() === '') return [];
  try {
    const value = JSON.parse(line) as { v?: unknown } & Event;
    return value.v === 1 && typeof value.op === 'string' ? [value] : [];
  } catch {
    return []; // a line cut short by a kill
  }
}

function replay(events: Event[]): Submission[] {
  const subs = new Map<string, Submission>();
  const byBatch = new Map<string, { sub: Submission; part: JournalPart }>();
  const ended = new Map<string, 'done' | 'cancelled'>();
  for (const event of events) {
    if (event.op === 'submit') {
      subs.set(event.sub, {
        id: event.sub,
        input: event.input,
        output: event.output,
        endpoint: event.endpoint,
        fingerprint: event.fingerprint,
        createdAt: new Date(event.at),
        parts: event.parts.map((p) => ({ sha256: p.sha256, requests: p.requests })),
        state: 'open',
      });
      continue;
    }
    if (event.op === 'uploaded' || event.op === 'created') {
      const sub = subs.get(event.sub);
      const part = sub?.parts[event.part];
      if (!sub || !part) continue;
      if (event.op === 'uploaded') part.fileId = event.file;
      else {
        part.batchId = event.batch;
        part.status = event.status;
        byBatch.set(event.batch, { sub, part });
      }
      continue;
    }
    const known = byBatch.get(event.batch);
    if (!known) continue;
    if (event.op === 'status') known.part.status = event.status;
    else ended.set(event.batch, event.op);
  }
  for (const sub of subs.values()) {
    const states = sub.parts.map((p) => (p.batchId ? ended.get(p.batchId) : undefined));
    if (states.includes('cancelled')) sub.state = 'cancelled';
    else if (states.length > 0 && states.every((s) => s === 'done')) sub.state = 'done';
  }
  return [...subs.values()];
}
