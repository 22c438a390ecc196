import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { submitFiles } from '../../src/batch/remote-run.js';
import type { RequestFile } from '../../src/batch/remote.js';
import type { BatchClient, RemoteBatch } from '../../src/llm/batch-client.js';
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

  function client(name: string, failCreate = false) {
    const calls: string[] = [];
    let n = 0;
    const fake: BatchClient = {
      upload: async (path) => (calls.push(`upload ${path}`), `${name}-file-${++n}`),
      async create(fileId) {
        calls.push(`create ${fileId}`);
        if (failCreate) throw new Error('connection reset');
        return remote(`batch-for-${fileId}`);
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
    expect(second.calls).toEqual(['create first-file-1', 'upload /tmp/r2', 'create second-file-1']);
    expect(ids).toEqual(['batch-for-first-file-1', 'batch-for-second-file-1']);

    const third = client('third');
    expect(await submitFiles(third.fake, files, 'p.jsonl', (await journal.findOpen(key))!.parts, record)).toEqual(ids);
    expect(third.calls).toEqual([]); // every part has its batch: nothing is sent
  });
});
