import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listThreads } from '../../src/store/thread-admin.js';
import { listThreadFiles, threadNames } from '../../src/store/thread-folder.js';
import { ThreadStore } from '../../src/store/threads.js';

/** A store that counts the threads it parses. */
class CountingStore extends ThreadStore {
  parsed = 0;
  override async fromText(file: string, text: string) {
    this.parsed++;
    return super.fromText(file, text);
  }
}

const thread = (prompt: string) => `version: 1\nmodel: m1\nmessages:\n  - role: user\n    content: ${prompt}\n  - role: assistant\n    content: fine\n`;

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setUp() {
  dir = mkdtempSync(join(tmpdir(), 'gpt-list-'));
  const threads = join(dir, 'threads');
  mkdirSync(threads, { recursive: true });
  const store = new CountingStore(threads, join(dir, 'cache'), () => {});
  return { threads, store };
}

describe('gpt thread list', () => {
  // A listing made a while after the files were written (they have settled), by the file system's clock.
  const later = () => Date.now() + 60_000;

  it('parses a thread once, then lists it from the list cache until its file is written again', async () => {
    const { threads, store } = setUp();
    for (const name of ['a', 'b', 'c']) writeFileSync(join(threads, `${name}.yaml`), thread(`question ${name}`));
    const first = await listThreads(store, later());
    expect(store.parsed).toBe(3);
    expect(first.map((t) => t.preview).sort()).toEqual(['question a', 'question b', 'question c']);

    store.parsed = 0;
    expect(await listThreads(store, later())).toEqual(first);
    expect(store.parsed).toBe(0);

    // Edited by hand in place, same size, its modified time set back: the changed time tells.
    const file = join(threads, 'b.yaml');
    const { mtime } = statSync(file);
    writeFileSync(file, thread('question B'));
    utimesSync(file, mtime, mtime);
    const edited = await listThreads(store, later());
    expect(store.parsed).toBe(1);
    expect(edited.find((t) => t.name === 'b')?.preview).toBe('question B');
  });

  it('does not keep a thread written within the last tick of the file clock: a next write could keep its stamp', async () => {
    const { threads, store } = setUp();
    const file = join(threads, 'fresh.yaml');
    writeFileSync(file, thread('first'));
    const now = statSync(file).ctimeMs;
    expect((await listThreads(store, now))[0]?.preview).toBe('first');
    expect((await listThreads(store, now))[0]?.preview).toBe('first');
    expect(store.parsed).toBe(2);
    // Once settled, it is kept.
    await listThreads(store, now + 200);
    await listThreads(store, now + 200);
    expect(store.parsed).toBe(3);
  });

  it('waits longer for a file system that keeps whole seconds', async () => {
    const { threads, store } = setUp();
    const file = join(threads, 'fat.yaml');
    writeFileSync(file, thread('whole seconds'));
    const stamp = { ...statSync(file) };
    const whole = { ...stamp, mtimeMs: Math.floor(stamp.mtimeMs / 1000) * 1000, ctimeMs: Math.floor(stamp.ctimeMs / 1000) * 1000 };
    const { ThreadListCache } = await import('../../src/store/thread-list-cache.js');
    const cache = await ThreadListCache.open(join(store.cacheDir, 'x.json'));
    const fields = { model: 'm1', turns: 1, preview: 'p', tokens: 0, cost: 0 };
    cache.put(file, whole, fields, whole.ctimeMs + 1_000);
    expect(cache.get(file, whole)).toBeUndefined();
    cache.put(file, whole, fields, whole.ctimeMs + 3_000);
    expect(cache.get(file, whole)).toEqual(fields);
    cache.put(file, stamp, fields, stamp.ctimeMs + 1_000);
    expect(cache.get(file, stamp)).toEqual(fields);
  });

  it('reads again an entry an older gpt kept (its fields were made by older rules)', async () => {
    const { threads, store } = setUp();
    const file = join(threads, 'old.yaml');
    writeFileSync(file, thread('made now'));
    const s = statSync(file);
    const cacheFile = join(store.cacheDir, 'old.json');
    mkdirSync(store.cacheDir, { recursive: true });
    // The key an older gpt wrote: the stamp alone, with a preview made by its rules.
    writeFileSync(
      cacheFile,
      JSON.stringify({ [file]: { stamp: `${s.size}:${s.ino}:${s.mtimeMs}:${s.ctimeMs}`, model: 'm', turns: 1, preview: 'old rule', tokens: 0, cost: 0 } }),
    );
    const { ThreadListCache } = await import('../../src/store/thread-list-cache.js');
    expect((await ThreadListCache.open(cacheFile)).get(file, s)).toBeUndefined();
  });

  it('reads again an entry kept when a reply without usage counted as 0 tokens (rules 2)', async () => {
    const { threads, store } = setUp();
    const file = join(threads, 'hand.yaml');
    writeFileSync(file, thread('by hand'));
    const s = statSync(file);
    const cacheFile = join(store.cacheDir, 'thread-list.json');
    mkdirSync(store.cacheDir, { recursive: true });
    writeFileSync(
      cacheFile,
      JSON.stringify({ [file]: { stamp: `2/${s.size}:${s.ino}:${s.mtimeMs}:${s.ctimeMs}`, model: 'm1', turns: 1, preview: 'by hand', tokens: 0, cost: null } }),
    );
    expect((await listThreads(store, s.ctimeMs + 10_000))[0]).toMatchObject({ tokens: null, cost: null });
  });

  it('still reports a damaged thread on every listing', async () => {
    const { threads, store } = setUp();
    writeFileSync(join(threads, 'bad.yaml'), 'messages: [unclosed\n');
    for (let i = 0; i < 2; i++) expect((await listThreads(store))[0]?.problem).toMatch(/bad\.yaml:\d+: not valid YAML/);
  });
});

describe('threadNames (what a completion Tab offers)', () => {
  it('names the thread files listThreadFiles finds, without statting them', async () => {
    const { threads } = setUp();
    writeFileSync(join(threads, 'plain.yaml'), thread('a'));
    writeFileSync(join(threads, 'ünï 鲸.yaml'), thread('b'));
    writeFileSync(join(threads, '.hidden.yaml'), thread('c'));
    writeFileSync(join(threads, 'notes.txt'), 'not a thread');
    writeFileSync(join(dir, 'elsewhere.yaml'), thread('d'));
    symlinkSync(join(dir, 'elsewhere.yaml'), join(threads, 'linked.yaml'));
    mkdirSync(join(threads, 'folder.yaml'));
    const listed = (await listThreadFiles(threads)).map((t) => t.name).sort();
    expect(listed).toEqual(['linked', 'plain', 'ünï 鲸']);
    expect(threadNames(threads).sort()).toEqual(listed);
  });

  it('is empty for a threads folder that does not exist yet', () => {
    setUp();
    expect(threadNames(join(dir, 'missing'))).toEqual([]);
  });
});
