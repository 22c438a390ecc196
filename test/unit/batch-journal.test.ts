import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { submitFiles } from '../../src/batch/remote-run.js';
import type { RequestFile } from '../../src/batch/remote.js';
import type { BatchClient, RemoteBatch } from '../../src/llm/batch-client.js';
import { nodeFs, type AtomicWriteFs } from '../../src/store/atomic-write.js';
import { BatchJournal } from '../../src/store/batch-journal.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpt-journal-unit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const key = { input: '/in/p.jsonl', endpoint: 'http://127.0.0.1:1/v1', fingerprint: 'f1' };
const newSubmission = (fingerprint = 'f1') => ({
  ...key,
  fingerprint,
  output: null,
  parts: [
    { sha256: 's1', requests: 2 },
    { sha256: 's2', requests: 1 },
  ],
});
const remote = (id: string): RemoteBatch => ({
  id,
  status: 'validating',
  total: 0,
  completed: 0,
  failed: 0,
  inputFileId: 'f',
  outputFileId: null,
  errorFileId: null,
  errors: [],
  createdAt: new Date(0),
});

describe('the batch journal', () => {
  it('replays uploads, batches, status and done into submissions', async () => {
    const journal = new BatchJournal(join(dir, 'state', 'gpt'));
    const { submission: sub } = await journal.openOrBegin(key, newSubmission());
    await journal.uploaded(sub.id, 0, 'file-1');
    await journal.created(sub.id, 0, 'batch_1', 'validating');
    await journal.status('batch_1', 'in_progress');
    const [open] = await journal.read();
    expect(open).toMatchObject({ ...key, state: 'open', parts: [{ fileId: 'file-1', batchId: 'batch_1', status: 'in_progress' }, { sha256: 's2' }] });
    expect(await journal.findOpen(key)).toMatchObject({ id: sub.id });
    expect(await journal.findOpen({ ...key, fingerprint: 'other' })).toBeUndefined();
    expect(await journal.findOpen({ ...key, endpoint: 'https://api.openai.com/v1' })).toBeUndefined();

    await journal.created(sub.id, 1, 'batch_2', 'validating');
    await journal.done('batch_1');
    expect((await journal.read())[0]!.state).toBe('open'); // one part is not done yet
    await journal.done('batch_2');
    expect((await journal.read())[0]!.state).toBe('done');
    expect(await journal.findOpen(key)).toBeUndefined();
  });

  it('skips a line a kill cut short, and the next append starts on a line of its own', async () => {
    const journal = new BatchJournal(dir);
    const { submission: sub } = await journal.openOrBegin(key, newSubmission());
    await appendFile(journal.file, '{"v":1,"op":"created","sub":"'); // killed mid-line
    await journal.created(sub.id, 0, 'batch_1', 'validating');
    const [entry] = await journal.read();
    expect(entry!.parts[0]!.batchId).toBe('batch_1');
    expect((await readFile(journal.file, 'utf8')).split('\n').filter(Boolean)).toHaveLength(3);
  });
});

describe('submitFiles', () => {
  const files: RequestFile[] = [
    { path: '/tmp/r1', requests: 2, bytes: 10, sha256: 's1' },
    { path: '/tmp/r2', requests: 1, bytes: 5, sha256: 's2' },
  ];

  /** `madeOnServer`: the batches the API lists, by the file they were made from (a create whose answer was lost). */
  function client(name: string, failCreate = false, madeOnServer: Record<string, string> = {}) {
    const calls: string[] = [];
    let n = 0;
    const fake: BatchClient = {
      upload: async (path) => (calls.push(`upload ${path}`), `${name}-file-${++n}`),
      async create(fileId) {
        calls.push(`create ${fileId}`);
        if (failCreate) throw new Error('connection reset');
        return remote(`batch-for-${fileId}`);
      },
      batchOfFile: async (fileId) => {
        calls.push(`look for ${fileId}`);
        return madeOnServer[fileId] ? remote(madeOnServer[fileId]) : undefined;
      },
      retrieve: async (id) => remote(id),
      cancel: async (id) => remote(id),
      lines: async function* () {},
    };
    return { fake, calls };
  }

  it('records the upload before create(), so a failed create does not lose it; the next run creates from it', async () => {
    const journal = new BatchJournal(dir);
    const { submission: sub } = await journal.openOrBegin(key, newSubmission());
    const record = {
      uploaded: (i: number, f: string) => journal.uploaded(sub.id, i, f),
      created: (i: number, b: RemoteBatch) => journal.created(sub.id, i, b.id, b.status),
    };
    const first = client('first', true);
    await expect(submitFiles(first.fake, files, 'p.jsonl', sub.parts, record)).rejects.toThrow('connection reset');
    expect(first.calls).toEqual(['upload /tmp/r1', 'create first-file-1']);

    const open = (await journal.findOpen(key))!;
    const second = client('second');
    const ids = await submitFiles(second.fake, files, 'p.jsonl', open.parts, record);
    expect(second.calls).toEqual(['look for first-file-1', 'create first-file-1', 'upload /tmp/r2', 'create second-file-1']);
    expect(ids).toEqual(['batch-for-first-file-1', 'batch-for-second-file-1']);

    const third = client('third');
    expect(await submitFiles(third.fake, files, 'p.jsonl', (await journal.findOpen(key))!.parts, record)).toEqual(ids);
    expect(third.calls).toEqual([]); // every part has its batch: nothing is sent
  });

  it('takes a batch the API already made from an uploaded file, and records it, rather than creating another', async () => {
    const journal = new BatchJournal(dir);
    const { submission: sub } = await journal.openOrBegin(key, newSubmission());
    const found: string[] = [];
    const record = {
      uploaded: (i: number, f: string) => journal.uploaded(sub.id, i, f),
      created: async (i: number, b: RemoteBatch, wasFound?: boolean) => {
        if (wasFound) found.push(b.id);
        await journal.created(sub.id, i, b.id, b.status);
      },
    };
    // The first run uploaded the first file, asked for its batch, and was stopped before the answer.
    await expect(submitFiles(client('first', true).fake, files, 'p.jsonl', sub.parts, record)).rejects.toThrow('connection reset');
    const second = client('second', false, { 'first-file-1': 'batch_made_unrecorded' });
    const ids = await submitFiles(second.fake, files, 'p.jsonl', (await journal.findOpen(key))!.parts, record);
    expect(ids).toEqual(['batch_made_unrecorded', 'batch-for-second-file-1']);
    expect(second.calls).toEqual(['look for first-file-1', 'upload /tmp/r2', 'create second-file-1']);
    expect(found).toEqual(['batch_made_unrecorded']);
    expect((await journal.findOpen(key))!.parts.map((p) => p.batchId)).toEqual(ids);
  });
});

describe('two runs of one input at once (two journals on one folder, as two processes have)', () => {
  it('one begins the submission and the other picks it up', async () => {
    const [a, b] = [new BatchJournal(dir), new BatchJournal(dir)];
    const opened = await Promise.all([a.openOrBegin(key, newSubmission()), b.openOrBegin(key, newSubmission())]);
    expect(opened.map((o) => o.picked).sort()).toEqual([false, true]);
    expect(opened[0]!.submission.id).toBe(opened[1]!.submission.id);
    expect(await a.read()).toHaveLength(1);
  });

  it('the one that picked it up sends nothing while the other sends it, then finds its batches', async () => {
    const [a, b] = [new BatchJournal(dir), new BatchJournal(dir)];
    const { submission } = await a.openOrBegin(key, newSubmission());
    let entered!: () => void;
    const aSending = new Promise<void>((resolve) => (entered = resolve));
    const seenByB: Array<string | undefined> = [];
    const first = a.sending(submission.id, async () => {
      entered();
      // Long enough for b to send too if nothing held it back.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await a.uploaded(submission.id, 0, 'file-1');
      await a.created(submission.id, 0, 'batch_1', 'validating');
    });
    await aSending;
    const second = b.sending(submission.id, async (now) => void seenByB.push(now.parts[0]!.batchId));
    await Promise.all([first, second]);
    expect(seenByB).toEqual(['batch_1']);
  });
});

describe('compaction', () => {
  /** A journal with `ended` submissions whose results were written, then one still open. */
  async function journalOf(journal: BatchJournal, ended: number) {
    const ids: string[] = [];
    for (let i = 0; i < ended; i++) {
      const { submission } = await journal.openOrBegin(key, newSubmission(`done-${i}`));
      for (const part of [0, 1]) {
        await journal.created(submission.id, part, `batch_${i}_${part}`, 'validating');
        await journal.done(`batch_${i}_${part}`);
      }
      ids.push(submission.id);
    }
    const { submission: open } = await journal.openOrBegin(key, newSubmission('open'));
    await journal.created(open.id, 0, 'batch_open', 'validating');
    return { ids, open };
  }

  it('past the threshold, keeps every open submission and the newest ended ones; foreign lines stay, cut ones go', async () => {
    const big = new BatchJournal(dir);
    const { ids, open } = await journalOf(big, 5);
    const { submission: cancelled } = await big.openOrBegin(key, newSubmission('cancelled'));
    await big.created(cancelled.id, 0, 'batch_c', 'in_progress');
    await big.cancelled('batch_c');
    await appendFile(
      big.file,
      '{"v":2,"op":"from a newer gpt"}\n{"v":1,"op":"archived","batch":"batch_open"}\nnot json\n{"v":1,"op":"status","batch":"batch_open","status":"in_',
    );
    const before = (await stat(big.file)).size;
    const small = new BatchJournal(dir, { compactAtBytes: before - 1, endedKept: 2 });

    const { submission: added } = await small.openOrBegin(key, newSubmission('new'));
    const after = await readFile(small.file, 'utf8');
    expect(after.length).toBeLessThan(before);
    expect((await stat(small.file)).mode & 0o777).toBe(0o600);
    const kept = await small.read();
    // Ended ones newest first: the cancelled one, then the last done one; the open ones all stay.
    expect(kept.map((s) => s.id)).toEqual([ids[4], open.id, cancelled.id, added.id]);
    expect(kept.map((s) => s.state)).toEqual(['done', 'open', 'cancelled', 'open']);
    expect(kept[1]!.parts[0]).toMatchObject({ batchId: 'batch_open', status: 'validating' });
    expect(after).toContain('{"v":2,"op":"from a newer gpt"}\n{"v":1,"op":"archived","batch":"batch_open"}\n');
    expect(after).not.toContain('not json');
    expect(after).not.toContain('"status":"in_\n');
    expect(after.endsWith('\n')).toBe(true);
    for (const id of ids.slice(0, 4)) expect(after).not.toContain(id);
  });

  it('below the threshold the file is left as it is', async () => {
    const journal = new BatchJournal(dir, { endedKept: 0 });
    await journalOf(journal, 3);
    const before = await readFile(journal.file, 'utf8');
    await journal.openOrBegin(key, newSubmission('new'));
    expect((await readFile(journal.file, 'utf8')).startsWith(before)).toBe(true);
  });

  it('an append made while a compaction runs is kept', async () => {
    const { open } = await journalOf(new BatchJournal(dir), 3);
    const other = new BatchJournal(dir);
    let appended: Promise<void> | undefined;
    // The other journal appends between the compaction's read and its rename: it must wait for the
    // rename, or its line would go into the file being replaced.
    const fs: AtomicWriteFs = {
      ...nodeFs,
      async rename(from, to) {
        appended = other.status('batch_open', 'in_progress');
        await Promise.race([appended, new Promise((resolve) => setTimeout(resolve, 300))]);
        await nodeFs.rename(from, to);
      },
    };
    const compacting = new BatchJournal(dir, { compactAtBytes: 1, endedKept: 1, fs });
    await compacting.openOrBegin(key, newSubmission('new'));
    expect(appended).toBeDefined(); // the compaction ran
    await appended;
    const kept = await compacting.read();
    expect(kept).toHaveLength(3);
    expect(kept.find((s) => s.id === open.id)!.parts[0]!.status).toBe('in_progress');
  });
});
