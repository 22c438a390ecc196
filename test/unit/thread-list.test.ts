import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listThreads } from '../../src/store/thread-admin.js';
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
  it('parses a thread once, then lists it from the list cache until its bytes change', async () => {
    const { threads, store } = setUp();
    for (const name of ['a', 'b', 'c']) writeFileSync(join(threads, `${name}.yaml`), thread(`question ${name}`));
    const first = await listThreads(store);
    expect(store.parsed).toBe(3);
    expect(first.map((t) => t.preview).sort()).toEqual(['question a', 'question b', 'question c']);

    store.parsed = 0;
    expect(await listThreads(store)).toEqual(first);
    expect(store.parsed).toBe(0);

    // Edited by hand: same size, same file time; only the bytes tell.
    const file = join(threads, 'b.yaml');
    const { mtime } = statSync(file);
    writeFileSync(file, thread('question B'));
    utimesSync(file, mtime, mtime);
    const edited = await listThreads(store);
    expect(store.parsed).toBe(1);
    expect(edited.find((t) => t.name === 'b')?.preview).toBe('question B');
  });

  it('still reports a damaged thread on every listing', async () => {
    const { threads, store } = setUp();
    writeFileSync(join(threads, 'bad.yaml'), 'messages: [unclosed\n');
    for (let i = 0; i < 2; i++) expect((await listThreads(store))[0]?.problem).toMatch(/bad\.yaml:\d+: not valid YAML/);
  });
});
