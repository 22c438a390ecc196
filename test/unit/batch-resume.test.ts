import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareForResume, readDoneIds } from '../../src/batch/resume.js';
import { ServerWatch, cannotConnect } from '../../src/batch/server-gone.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpt-resume-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const line = (id: string, exitCode?: number) =>
  JSON.stringify(exitCode === undefined ? { id, reply: 'r' } : { id, reply: null, error: { message: 'x', exit_code: exitCode } });

describe('prepareForResume', () => {
  it('retries errors worth retrying (exit_code 5) unless the id also has a settled line; keeps lasting failures', async () => {
    const file = join(dir, 'out.jsonl');
    await writeFile(file, [line('a'), line('b', 5), line('c', 4), line('d', 5), line('d'), line('e', 8)].join('\n') + '\n');
    const done = await readDoneIds(file);
    expect([...done.retry]).toEqual(['b']);
    expect(done.failedKept).toBe(2);
  });

  it('rewrites the file without the retried lines and a cut last line, other lines byte for byte, private, no temp file left', async () => {
    const file = join(dir, 'out.jsonl');
    const kept = [line('a'), '{"id": "c",  "reply": "spaced as it was"}', line('e', 4)];
    await writeFile(file, `${kept[0]}\n${line('b', 5)}\n${kept[1]}\n${line('d', 5)}\n${kept[2]}\n{"id":"f","rep`, { mode: 0o644 });
    await prepareForResume(file, await readDoneIds(file));
    expect(await readFile(file, 'utf8')).toBe(`${kept.join('\n')}\n`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['out.jsonl']);
  });
});

describe('ServerWatch', () => {
  const refused = Object.assign(new Error('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
  const wrapped = new Error('cannot connect', { cause: new Error('Connection error.', { cause: refused }) });

  it('tells a connection that could not be made from other failures, through causes', () => {
    expect(cannotConnect(wrapped)).toBe(true);
    expect(cannotConnect(new AggregateError([Object.assign(new Error('x'), { code: 'EHOSTUNREACH' })]))).toBe(true);
    expect(cannotConnect(Object.assign(new Error('terminated'), { cause: { code: 'UND_ERR_SOCKET' } }))).toBe(false);
    expect(cannotConnect(new Error('the server failed (500)'))).toBe(false);
  });

  it('says the server is gone after `limit` items in a row could not connect; any other outcome starts the count again', () => {
    const watch = new ServerWatch(3);
    expect([watch.gone(wrapped), watch.gone(wrapped), watch.gone()]).toEqual([false, false, false]);
    expect([watch.gone(wrapped), watch.gone(new Error('500')), watch.gone(wrapped), watch.gone(wrapped)]).toEqual([false, false, false, false]);
    expect(watch.gone(wrapped)).toBe(true);
  });
});
