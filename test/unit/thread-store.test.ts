import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { StoredMessage, Thread } from '../../src/core/types.js';
import { appendToThreadText, parseThread, serializeThread } from '../../src/store/thread-file.js';
import { resolveThreadRef, ThreadStore } from '../../src/store/threads.js';
import type { GptError } from '../../src/core/errors.js';

const turn = (q: string, a: string): StoredMessage[] => [
  { role: 'user', content: q, time: '2026-11-27T10:00:00.000Z' },
  { role: 'assistant', content: a, model: 'm-1', usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } },
];

describe('thread file format', () => {
  it('writes readable YAML: header first, block scalars, Unicode as itself', () => {
    const thread: Thread = {
      version: 1,
      model: 'm',
      system: 'You are a helpful assistant.',
      messages: turn('世界上最大的动物是什么？', '蓝鲸。\n它们可以长达30米。'),
    };
    const { text } = serializeThread(thread);
    expect(text).toContain('世界上最大的动物是什么？');
    expect(text).toContain('content: |-\n      蓝鲸。\n      它们可以长达30米。');
    expect(text.indexOf('version: 1')).toBeLessThan(text.indexOf('messages:'));
    expect(parseThread(text, 't.yaml')).toEqual(thread);
  });

  it('appends turns without re-serialising, to the same text a whole write gives', () => {
    const tricky = ['plain', 'two\nlines', '  leading spaces\nx', 'ends with newline\n', '', 'key: value', '- dash', '"quoted"', '# hash', 'yes'];
    let thread: Thread = { version: 1, model: 'm', created: 'c', updated: 'u1', messages: [] };
    let written = serializeThread(thread);
    for (const [i, text] of tricky.entries()) {
      const added = turn(text, `${text} (reply ${i})`);
      const header = { ...thread, updated: `u${i + 2}` };
      written = appendToThreadText(written, header, added);
      thread = { ...header, messages: [...thread.messages, ...added] };
      expect(written.text).toBe(serializeThread(thread).text);
      expect(parseThread(written.text, 't.yaml')).toEqual(thread);
    }
  });

  it('reads a hand-written file that has only messages', () => {
    const thread = parseThread('messages:\n  - role: user\n    content: hi\n', 'h.yaml');
    expect(thread.messages).toEqual([{ role: 'user', content: 'hi' }]);
    expect(parseThread('', 'empty.yaml').messages).toEqual([]);
  });

  it('names the file and the line of what is wrong', () => {
    expect(() => parseThread('messages:\n  - role: user\n    content: [unclosed\n', 'bad.yaml')).toThrow(/^bad\.yaml:\d+: not valid YAML/);
    expect(() => parseThread('messages:\n  - role: user\n    content: hi\n  - role: robot\n    content: x\n', 'r.yaml')).toThrow(
      /^r\.yaml:4: message 2 has role "robot"/,
    );
    expect(() => parseThread('- a\n- b\n', 'list.yaml')).toThrow(/^list\.yaml:1: not a thread/);
    expect(() => parseThread('42\n', 'num.yaml')).toThrow(/not a thread/);
    expect(() => parseThread('messages:\n  - role: user\n', 'nc.yaml')).toThrow(/^nc\.yaml:2: message 1 has no text `content`/);
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    bomb.push('messages: []');
    expect(() => parseThread(bomb.join('\n'), 'bomb.yaml')).toThrow(/bomb\.yaml/);
  });
});

describe('thread names', () => {
  it('keeps names in the threads folder and takes paths as given', () => {
    expect(resolveThreadRef('notes', '/d/threads', '/cwd')).toEqual({ name: 'notes', file: '/d/threads/notes.yaml', explicitPath: false });
    expect(resolveThreadRef('proj/chat.yaml', '/d/threads', '/cwd')).toMatchObject({ file: '/cwd/proj/chat.yaml', explicitPath: true });
    expect(resolveThreadRef('chat.yml', '/d/threads', '/cwd')).toMatchObject({ file: '/cwd/chat.yml', explicitPath: true });
    expect(resolveThreadRef('conv.json', '/d/threads', '/cwd')).toEqual({ name: 'conv', file: '/cwd/conv.json', explicitPath: true });
    expect(resolveThreadRef('notes/conv.json', '/d/threads', '/cwd')).toMatchObject({ file: '/cwd/notes/conv.json', explicitPath: true });
  });

  it('refuses names that are not letters, digits, ".", "_" and "-"', () => {
    for (const bad of ['..', '.hidden', 'a b', 'x;rm', '', 'a\u001b[31m']) {
      expect(() => resolveThreadRef(bad, '/d/threads', '/cwd')).toThrow(/invalid thread name/);
    }
    for (const good of ['ü', '鲸鱼', 'v1.2_final-draft']) expect(resolveThreadRef(good, '/d/threads', '/cwd').explicitPath).toBe(false);
  });

  it('takes a name exactly when it is letters, digits (any script), marks after the first, ".", "_" and "-"', () => {
    // The rule as one Unicode pattern; threads.ts checks ASCII names without it (faster).
    const rule = /^[\p{L}\p{N}_-][\p{L}\p{M}\p{N}._-]*$/u;
    const chars = [...Array.from({ length: 0x180 }, (_, i) => String.fromCharCode(i)), '\u0301', '鲸', '٣', '\u{1F600}'].filter((c) => c !== '/');
    for (const first of chars) {
      for (const value of [first, `${first}a`, `a${first}`, `a${first}b`]) {
        if (/\.(ya?ml|json)$/i.test(value)) continue; // a path, not a name
        const taken = (() => {
          try {
            return resolveThreadRef(value, '/d/threads', '/cwd').explicitPath === false;
          } catch {
            return false;
          }
        })();
        expect(taken, JSON.stringify(value)).toBe(rule.test(value));
      }
    }
  });

  it('refuses a name too long for a file as a usage error that names the limit', () => {
    const refuse = (value: string) => {
      try {
        resolveThreadRef(value, '/d/threads', '/cwd');
      } catch (error) {
        return error as GptError;
      }
      throw new Error(`accepted ${value}`);
    };
    expect(refuse('x'.repeat(300))).toMatchObject({ exitCode: 2, message: 'the thread name is too long (300 bytes; at most 245)' });
    expect(refuse('鲸'.repeat(90)).message).toBe('the thread name is too long (270 bytes; at most 245)');
    expect(refuse(`dir/${'y'.repeat(260)}.yaml`)).toMatchObject({ exitCode: 2, message: 'the file name is too long (265 bytes; at most 250)' });
    expect(resolveThreadRef('x'.repeat(245), '/d/threads', '/cwd').name).toHaveLength(245);
  });
});

describe('ThreadStore', () => {
  let dir: string;
  let store: ThreadStore;
  const warnings: string[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gpt-store-'));
    store = new ThreadStore(join(dir, 'threads'), join(dir, 'cache'), (l) => warnings.push(l));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('creates private files and folders and appends turns', async () => {
    const file = join(dir, 'threads', 'a.yaml');
    await store.append(file, turn('q1', 'a1'), { create: { model: 'm', system: 's' }, now: new Date(0) });
    await store.append(file, turn('q2', 'a2'), { create: { model: 'other' }, now: new Date(1000) });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'threads'))).mode & 0o777).toBe(0o700);
    const { thread } = await store.load(file);
    expect(thread.messages.map((m) => m.content)).toEqual(['q1', 'a1', 'q2', 'a2']);
    expect(thread).toMatchObject({ model: 'm', system: 's', created: '1970-01-01T00:00:00.000Z', updated: '1970-01-01T00:00:01.000Z' });
  });

  it('replaces the last turn for /retry only while the file still ends with it, in its own layout', async () => {
    const file = join(dir, 'threads', 'r.yaml');
    const first = turn('q1', 'a1');
    const old = turn('q2', 'a2');
    await store.append(file, [...first, ...old], { create: { model: 'm' }, now: new Date(0) });
    await store.replaceLastTurn(file, old, turn('q2', 'retried'), { create: {}, now: new Date(1000) });
    const contents = async () => (await store.load(file)).thread.messages.map((m) => m.content);
    expect(await contents()).toEqual(['q1', 'a1', 'q2', 'retried']);
    // The file no longer ends with the turn to replace: nothing is removed, the new turn is added.
    await store.replaceLastTurn(file, old, turn('q2', 'again'), { create: {}, now: new Date(2000) });
    expect(await contents()).toEqual(['q1', 'a1', 'q2', 'retried', 'q2', 'again']);

    const hand = join(dir, 'threads', 'hand.yaml');
    await writeFile(hand, `# my notes\ntitle: kept\nmessages:\n  - {role: user, content: q, time: '${old[0]!.time}'}\n  - {role: assistant, content: a2}\n`);
    await store.replaceLastTurn(
      hand,
      old.map((m, i) => (i === 0 ? { ...m, content: 'q' } : m)),
      turn('q', 'new'),
      { create: {}, now: new Date(0) },
    );
    const text = await readFile(hand, 'utf8');
    expect(text).toContain('# my notes');
    expect(text).toContain('title: kept');
    expect((await store.load(hand)).thread.messages.map((m) => m.content)).toEqual(['q', 'a2', 'q', 'new']);
  });

  it('notices a file edited by hand since the cache was written', async () => {
    const file = join(dir, 'threads', 'b.yaml');
    await store.append(file, turn('q1', 'a1'), { create: {}, now: new Date(0) });
    const edited = (await readFile(file, 'utf8')).replace('content: a1', 'content: edited by hand');
    await writeFile(file, edited);
    await store.append(file, turn('q2', 'a2'), { create: {}, now: new Date(0) });
    const { thread } = await store.load(file);
    expect(thread.messages.map((m) => m.content)).toEqual(['q1', 'edited by hand', 'q2', 'a2']);
    expect(YAML.parse(await readFile(file, 'utf8')).messages).toHaveLength(4);
  });

  it('uses its cache for a long thread, and notices a hand edit all the same', async () => {
    const file = join(dir, 'threads', 'long.yaml');
    const long = 'x'.repeat(100 * 1024);
    await store.append(file, turn(long, 'a1'), { create: {}, now: new Date(0) });
    await store.append(file, turn('q2', 'a2'), { create: {}, now: new Date(0) });
    expect((await readdir(join(dir, 'cache', 'threads'))).length).toBe(1);
    const edited = (await readFile(file, 'utf8')).replace('content: a2', 'content: edited by hand');
    await writeFile(file, edited);
    await store.append(file, turn('q3', 'a3'), { create: {}, now: new Date(0) });
    const { thread } = await store.load(file);
    expect(thread.messages.map((m) => m.content)).toEqual([long, 'a1', 'q2', 'edited by hand', 'q3', 'a3']);
    expect(YAML.parse(await readFile(file, 'utf8')).messages).toHaveLength(6);
  });

  it('keeps every turn of concurrent appends', async () => {
    const file = join(dir, 'threads', 'c.yaml');
    await Promise.all(Array.from({ length: 8 }, (_, i) => store.append(file, turn(`q${i}`, `a${i}`), { create: {}, now: new Date() })));
    const { thread } = await store.load(file);
    expect(thread.messages).toHaveLength(16);
    expect(new Set(thread.messages.map((m) => m.content)).size).toBe(16);
  });

  it('leaves a malformed file untouched', async () => {
    const file = join(dir, 'threads', 'd.yaml');
    await store.append(file, turn('q', 'a'), { create: {}, now: new Date() });
    await writeFile(file, 'messages: [oops\n');
    await expect(store.append(file, turn('q2', 'a2'), { create: {}, now: new Date() })).rejects.toThrow(/d\.yaml:\d+: not valid YAML/);
    expect(await readFile(file, 'utf8')).toBe('messages: [oops\n');
  });
});
