// gpt thread list/show/rm/mv/fork/path called in-process (see test/support/fake-deps.ts).
import { lstat, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAsk } from '../../src/commands/ask.js';
import { runThreadFork, runThreadMv, runThreadRm, runThreadShow } from '../../src/commands/thread.js';
import { runThreadList, runThreadPath } from '../../src/commands/thread-list.js';
import { ExitCode, formatError, type GptError } from '../../src/core/errors.js';
import { writeThreadFile } from '../support/cli.js';
import { eachTestWorld } from '../support/fake-deps.js';

// The list shows local times; the process's zone is the one global these tests set.
beforeAll(() => {
  process.env.TZ = 'UTC';
});

const world = eachTestWorld();

const threadFiles = async () => (await readdir(world.threadsDir).catch(() => [] as string[])).filter((f) => f.endsWith('.yaml')).sort();
/** Runs a command; its output, or the one line gpt would print for its error. */
async function run(command: () => Promise<void>): Promise<{ out: string; stderr: string; exitCode: number }> {
  const before = { out: world.out().length, stderr: world.stderr().length };
  let exitCode: number = ExitCode.ok;
  let errorLine = '';
  try {
    await command();
  } catch (error) {
    exitCode = (error as GptError).exitCode;
    if (exitCode === undefined) throw error;
    errorLine = `${formatError(error as GptError)}\n`;
  }
  return { out: world.out().slice(before.out), stderr: world.stderr().slice(before.stderr) + errorLine, exitCode };
}
const list = (json = false) => run(() => runThreadList({ json }, world.deps));
const show = (thread?: string, more: { json?: boolean; last?: boolean } = {}) =>
  run(() => runThreadShow({ thread, json: more.json ?? false, last: more.last ?? false }, world.deps));
const rm = (...threads: string[]) => run(() => runThreadRm({ threads }, world.deps));
const mv = (from: string, to: string) => run(() => runThreadMv({ from, to }, world.deps));
const fork = (from: string, to: string) => run(() => runThreadFork({ from, to }, world.deps));
const path = (thread: string) => run(() => runThreadPath({ thread }, world.deps));

/** A thread file last changed at `minute` past noon, so the order is known. */
const thread = (name: string, minute: number, body: string) => writeThreadFile(world.threadsDir, name, minute, body);

const WHALES = `model: gpt-4o-mini
system: Be brief.
messages:
  - role: user
    content: What is the biggest animal in the world?
  - role: assistant
    content: The blue whale.
  - role: user
    content: |-
      Please write a poem
      about blue whales.
  - role: assistant
    content: |-
      Majestic and mighty,
      the blue whale swims.
`;
const CHINESE = `model: other-model
messages:
  - role: user
    content: 世界上最大的动物是什么？
  - role: assistant
    content: 世界上最大的动物是蓝鲸。
`;

async function threeThreads() {
  await thread('whales', 30, WHALES);
  await thread('20261127-120000', 45, CHINESE);
  await thread('empty', 10, 'messages: []\n');
}

describe('gpt thread list', () => {
  it('lists name, last update, model, turns, tokens, cost so far and first words, newest first', async () => {
    await threeThreads();
    const r = await list();
    expect(r.stderr).toBe('');
    expect(r.out).toBe(
      [
        // Written by hand: no usage, so tokens and cost unknown (never 0, an undercount).
        '20261127-120000  2026-11-27 12:45  other-model  1  ?  ?   世界上最大的动物是什么？',
        'whales           2026-11-27 12:30  gpt-4o-mini  2  ?  ?   What is the biggest animal in the world?',
        'empty            2026-11-27 12:10  ?            0  0  $0',
        '',
      ].join('\n'),
    );
  });

  it('with no threads: nothing on stdout; on a terminal a note on stderr, not a header alone', async () => {
    expect(await list()).toEqual({ exitCode: 0, out: '', stderr: '' });
    const onTerminal = { ...world.deps, terminal: { ...world.deps.terminal, stdoutIsTTY: true } };
    expect(await run(() => runThreadList({ json: false }, onTerminal))).toEqual({
      exitCode: 0,
      out: '',
      stderr: 'gpt: no threads yet — start one with gpt ask "question"\n',
    });
    expect((await run(() => runThreadList({ json: true }, onTerminal))).out).toBe('[]\n');
  });

  it('prints an array of objects with --json, [] when there are none', async () => {
    expect((await list(true)).out).toBe('[]\n');
    await threeThreads();
    expect(JSON.parse((await list(true)).out)).toEqual([
      {
        name: '20261127-120000',
        file: join(world.threadsDir, '20261127-120000.yaml'),
        updated: '2026-11-27T12:45:00.000Z',
        model: 'other-model',
        turns: 1,
        tokens: null,
        cost: null,
        preview: '世界上最大的动物是什么？',
      },
      {
        name: 'whales',
        file: join(world.threadsDir, 'whales.yaml'),
        updated: '2026-11-27T12:30:00.000Z',
        model: 'gpt-4o-mini',
        turns: 2,
        tokens: null,
        cost: null,
        preview: 'What is the biggest animal in the world?',
      },
      {
        name: 'empty',
        file: join(world.threadsDir, 'empty.yaml'),
        updated: '2026-11-27T12:10:00.000Z',
        model: null,
        turns: 0,
        tokens: 0,
        cost: 0,
        preview: '',
      },
    ]);
  });

  it('still lists a damaged thread, and says what is wrong with it on stderr', async () => {
    await thread('whales', 30, WHALES);
    const bad = await thread('broken', 40, 'messages:\n  - role: robot\n    content: hi\n');
    const r = await list();
    expect(r.exitCode).toBe(0);
    expect(r.out).toMatch(/^broken  +2026-11-27 12:40  \?  +\?  +\?  +\?  +\(not readable as a thread\)\n/);
    expect(r.stderr).toBe(`gpt: ${bad}:3: message 1 has role "robot"; expected system, user, assistant\n`);
  });

  it("shows control characters in a damaged thread's file name and text as text on stderr", async () => {
    const bad = await thread('evil\x1b]0;pwned\x07', 40, 'messages:\n  - role: "\\e[2J"\n    content: hi\n');
    const r = await list();
    expect(r.exitCode).toBe(0);
    expect(r.stderr).not.toMatch(/\x1b|\x07/);
    expect(r.stderr).toBe(`gpt: ${bad.replace('\x1b', '^[').replace('\x07', '^G')}:3: message 1 has role "\\u001b[2J"; expected system, user, assistant\n`);
  });

  it('shortens a long first prompt to its first words', async () => {
    await thread('long', 1, `messages:\n  - role: user\n    content: "${'word '.repeat(40)}"\n`);
    const [entry] = JSON.parse((await list(true)).out);
    expect(entry.preview).toBe(`${'word '.repeat(11)}word…`);
  });
});

describe('gpt thread show', () => {
  it('prints the conversation for a person, plain when piped', async () => {
    await threeThreads();
    const r = await show('whales');
    expect(r.exitCode).toBe(0);
    expect(r.out).toBe(
      [
        'System: Be brief.',
        '',
        'You: What is the biggest animal in the world?',
        '',
        'Assistant: The blue whale.',
        '',
        'You: Please write a poem',
        'about blue whales.',
        '',
        'Assistant: Majestic and mighty,',
        'the blue whale swims.',
        '',
        '[2 turns, tokens unknown, cost unknown]',
        '',
      ].join('\n'),
    );
    expect(r.out).not.toContain('\x1b');
  });

  it('prints the messages as JSON, or only the last reply', async () => {
    await threeThreads();
    const json = JSON.parse((await show('whales', { json: true })).out);
    expect(json.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect((await show('whales', { last: true })).out).toBe('Majestic and mighty,\nthe blue whale swims.\n');
    expect(JSON.parse((await show('whales', { last: true, json: true })).out)).toEqual({
      role: 'assistant',
      content: 'Majestic and mighty,\nthe blue whale swims.',
    });
  });

  it('shows the most recently updated thread when no name is given, and takes a path', async () => {
    await threeThreads();
    expect((await show(undefined, { last: true })).out).toBe('世界上最大的动物是蓝鲸。\n');
    const copy = join(world.home, 'copy.yaml');
    await writeFile(copy, `version: 1\n${CHINESE}`);
    expect((await show(copy)).out).toBe('You: 世界上最大的动物是什么？\n\nAssistant: 世界上最大的动物是蓝鲸。\n\n[1 turn, tokens unknown, cost unknown]\n');
    expect((await show('./copy.yaml', { last: true })).out).toBe('世界上最大的动物是蓝鲸。\n');
  });

  it('refuses unknown names and threads with no reply (exit 2), damaged files (exit 6)', async () => {
    await threeThreads();
    const unknown = await show('walrus');
    expect(unknown).toEqual({ exitCode: 2, out: '', stderr: "gpt: no thread named 'walrus' — gpt thread list shows them\n" });
    const missingPath = await show('./nowhere.yaml');
    expect(missingPath).toEqual({ exitCode: 2, out: '', stderr: `gpt: no thread file at ${join(world.home, 'nowhere.yaml')} — check the path\n` });
    const noReply = await show('empty', { last: true });
    expect(noReply).toEqual({ exitCode: 2, out: '', stderr: "gpt: thread 'empty' has no reply yet — gpt thread show empty shows all of it\n" });
    await thread('broken', 1, 'messages: [\n');
    expect((await show('broken')).exitCode).toBe(6);
  });

  it('says so when there is no thread at all', async () => {
    expect(await show()).toEqual({ exitCode: 2, out: '', stderr: 'gpt: there are no threads yet — start one with gpt ask "question"\n' });
  });
});

describe('gpt thread rm, mv, fork, path', () => {
  it('removes threads, and removes nothing when one name is unknown', async () => {
    await threeThreads();
    const typo = await rm('whales', 'emtpy');
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toBe("gpt: no thread named 'emtpy' — gpt thread list shows them\n");
    expect(await threadFiles()).toHaveLength(3);

    expect(await rm('whales', 'empty', 'whales')).toEqual({ exitCode: 0, out: '', stderr: '' });
    expect(await threadFiles()).toEqual(['20261127-120000.yaml']);
  });

  it('never touches a file that is not a thread unless given as a path, and then only a thread', async () => {
    await threeThreads();
    await writeFile(join(world.home, 'notes.txt'), 'my notes\n');
    await writeFile(join(world.threadsDir, 'notes.txt'), 'not a thread\n');
    // A bare name is only ever NAME.yaml in the threads folder...
    expect((await rm('notes.txt')).exitCode).toBe(2);
    expect((await rm('notes')).exitCode).toBe(2);
    expect((await rm('..')).exitCode).toBe(2);
    // ...and a path must hold a thread.
    expect((await rm('./notes.txt')).exitCode).toBe(6);
    expect(await readFile(join(world.home, 'notes.txt'), 'utf8')).toBe('my notes\n');
    expect(await readFile(join(world.threadsDir, 'notes.txt'), 'utf8')).toBe('not a thread\n');

    const outside = join(world.home, 'kept.yaml');
    await writeFile(outside, `version: 1\n${CHINESE}`);
    expect((await rm(outside)).exitCode).toBe(0);
    await expect(stat(outside)).rejects.toThrow();
  });

  it('removes a symbolic link in the threads folder, never the file it points to', async () => {
    await threeThreads();
    const outside = join(world.home, 'precious.yaml');
    await writeFile(outside, `version: 1\n${CHINESE}`);
    await symlink(outside, join(world.threadsDir, 'linked.yaml'));
    expect((await rm('linked')).exitCode).toBe(0);
    expect(await readFile(outside, 'utf8')).toBe(`version: 1\n${CHINESE}`);
    await expect(lstat(join(world.threadsDir, 'linked.yaml'))).rejects.toThrow(/ENOENT/);
    expect(await readdir(world.home)).not.toContain('precious.yaml.lock');
    expect(await threadFiles()).toHaveLength(3);
  });

  it('renames a thread, keeping its bytes and its place in the list, and never replaces one', async () => {
    await threeThreads();
    const before = await readFile(join(world.threadsDir, 'whales.yaml'), 'utf8');
    expect(await mv('whales', 'blue-whales')).toEqual({ exitCode: 0, out: '', stderr: '' });
    expect(await readFile(join(world.threadsDir, 'blue-whales.yaml'), 'utf8')).toBe(before);
    expect(await threadFiles()).toEqual(['20261127-120000.yaml', 'blue-whales.yaml', 'empty.yaml']);
    expect((await list()).out).toContain('blue-whales      2026-11-27 12:30');

    const taken = await mv('blue-whales', 'empty');
    expect(taken.exitCode).toBe(2);
    expect(taken.stderr).toBe("gpt: a thread named 'empty' exists already — choose another name, or remove that one first\n");
    expect(await readFile(join(world.threadsDir, 'blue-whales.yaml'), 'utf8')).toBe(before);
    expect((await mv('walrus', 'seal')).exitCode).toBe(2);
    expect((await mv('empty', 'bad name')).exitCode).toBe(2);
  });

  it('moves a thread out of the folder and back in by path', async () => {
    await threeThreads();
    expect((await mv('whales', './exported.yaml')).exitCode).toBe(0);
    expect(await threadFiles()).not.toContain('whales.yaml');
    expect((await mv('./exported.yaml', 'whales')).exitCode).toBe(0);
    expect(await threadFiles()).toContain('whales.yaml');
  });

  it('forks a thread; the copy goes on on its own and becomes the latest', async () => {
    await threeThreads();
    const r = await fork('whales', 'whales-b');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe("gpt: forked 'whales' as 'whales-b' — continue it with gpt ask --thread whales-b\n");
    const original = await readFile(join(world.threadsDir, 'whales.yaml'), 'utf8');
    expect(await readFile(join(world.threadsDir, 'whales-b.yaml'), 'utf8')).toBe(original);
    expect((await stat(join(world.threadsDir, 'whales-b.yaml'))).mode & 0o777).toBe(0o600);

    await runAsk({ args: ['And the smallest?'], continueLatest: true, json: false, stream: true }, world.deps);
    expect(world.client.requests[0]!.messages).toHaveLength(6); // system, 4 history, the question
    expect(await readFile(join(world.threadsDir, 'whales.yaml'), 'utf8')).toBe(original);

    expect((await fork('whales', 'empty')).exitCode).toBe(2);
    expect((await fork('walrus', 'seal')).exitCode).toBe(2);
  });

  it('prints the file path of a thread, for $EDITOR', async () => {
    await threeThreads();
    expect((await path('whales')).out).toBe(`${join(world.threadsDir, 'whales.yaml')}\n`);
    const unknown = await path('walrus');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.out).toBe('');
  });
});
