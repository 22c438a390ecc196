import { lstat, mkdir, readdir, readFile, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGpt, threadFiles } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

const gpt = (...args: string[]) => runGpt(sandbox, args, { env: { TZ: 'UTC' } });

/** A thread file as gpt writes it, last changed at `minute` past noon (so the order is known). */
async function thread(name: string, minute: number, body: string): Promise<string> {
  await mkdir(sandbox.threadsDir, { recursive: true });
  const file = join(sandbox.threadsDir, `${name}.yaml`);
  await writeFile(file, `version: 1\n${body}`, { mode: 0o600 });
  const time = new Date(Date.UTC(2026, 10, 27, 12, minute));
  await utimes(file, time, time);
  return file;
}

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
    const r = await gpt('thread', 'list');
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe([
      // Written by hand: no usage, so no tokens counted and the cost unknown.
      '20261127-120000  2026-11-27 12:45  other-model  1  0  ?   世界上最大的动物是什么？',
      'whales           2026-11-27 12:30  gpt-4o-mini  2  0  ?   What is the biggest animal in the world?',
      'empty            2026-11-27 12:10  ?            0  0  $0',
      '',
    ].join('\n'));
    expect((await gpt('thread', 'ls')).stdout).toBe(r.stdout);
  });

  it('prints an array of objects with --json, [] when there are none', async () => {
    expect((await gpt('thread', 'list', '--json')).stdout).toBe('[]\n');
    await threeThreads();
    const r = await gpt('thread', 'list', '--json');
    expect(JSON.parse(r.stdout as string)).toEqual([
      { name: '20261127-120000', file: join(sandbox.threadsDir, '20261127-120000.yaml'), updated: '2026-11-27T12:45:00.000Z', model: 'other-model', turns: 1, tokens: 0, cost: null, preview: '世界上最大的动物是什么？' },
      { name: 'whales', file: join(sandbox.threadsDir, 'whales.yaml'), updated: '2026-11-27T12:30:00.000Z', model: 'gpt-4o-mini', turns: 2, tokens: 0, cost: null, preview: 'What is the biggest animal in the world?' },
      { name: 'empty', file: join(sandbox.threadsDir, 'empty.yaml'), updated: '2026-11-27T12:10:00.000Z', model: null, turns: 0, tokens: 0, cost: 0, preview: '' },
    ]);
  });

  it('still lists a damaged thread, and says what is wrong with it on stderr', async () => {
    await thread('whales', 30, WHALES);
    const bad = await thread('broken', 40, 'messages:\n  - role: robot\n    content: hi\n');
    const r = await gpt('thread', 'list');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^broken  +2026-11-27 12:40  \?  +\?  +\?  +\?  +\(not readable as a thread\)\n/);
    expect(r.stderr).toBe(`gpt: ${bad}:3: message 1 has role "robot"; expected system, user, assistant\n`);
  });

  it('shortens a long first prompt to its first words', async () => {
    await thread('long', 1, `messages:\n  - role: user\n    content: "${'word '.repeat(40)}"\n`);
    const [entry] = JSON.parse((await gpt('thread', 'list', '--json')).stdout as string);
    expect(entry.preview).toBe(`${'word '.repeat(11)}word…`);
  });
});

describe('gpt thread show', () => {
  it('prints the conversation for a person, plain when piped', async () => {
    await threeThreads();
    const r = await gpt('thread', 'show', 'whales');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe([
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
      '[2 turns, 0 tokens, cost unknown]',
      '',
    ].join('\n'));
    expect(r.stdout).not.toContain('\x1b');
  });

  it('prints the messages as JSON, or only the last reply', async () => {
    await threeThreads();
    const json = JSON.parse((await gpt('thread', 'show', 'whales', '--json')).stdout as string);
    expect(json.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect((await gpt('thread', 'show', 'whales', '--last')).stdout).toBe('Majestic and mighty,\nthe blue whale swims.\n');
    expect(JSON.parse((await gpt('thread', 'show', 'whales', '--last', '--json')).stdout as string))
      .toEqual({ role: 'assistant', content: 'Majestic and mighty,\nthe blue whale swims.' });
  });

  it('shows the most recently updated thread when no name is given, and takes a path', async () => {
    await threeThreads();
    expect((await gpt('thread', 'show', '--last')).stdout).toBe('世界上最大的动物是蓝鲸。\n');
    const copy = join(sandbox.home, 'copy.yaml');
    await writeFile(copy, `version: 1\n${CHINESE}`);
    expect((await gpt('thread', 'show', copy)).stdout).toBe('You: 世界上最大的动物是什么？\n\nAssistant: 世界上最大的动物是蓝鲸。\n\n[1 turn, 0 tokens, cost unknown]\n');
    expect((await gpt('thread', 'show', './copy.yaml', '--last')).stdout).toBe('世界上最大的动物是蓝鲸。\n');
  });

  it('refuses unknown names and threads with no reply (exit 2), damaged files (exit 6)', async () => {
    await threeThreads();
    const unknown = await gpt('thread', 'show', 'walrus');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toBe("gpt: no thread named 'walrus' — gpt thread list shows them\n");
    const missingPath = await gpt('thread', 'show', './nowhere.yaml');
    expect(missingPath.exitCode).toBe(2);
    expect(missingPath.stderr).toBe(`gpt: no thread file at ${join(sandbox.home, 'nowhere.yaml')} — check the path\n`);
    const noReply = await gpt('thread', 'show', 'empty', '--last');
    expect(noReply.exitCode).toBe(2);
    expect(noReply.stderr).toBe("gpt: thread 'empty' has no reply yet — gpt thread show empty shows all of it\n");
    await thread('broken', 1, 'messages: [\n');
    expect((await gpt('thread', 'show', 'broken')).exitCode).toBe(6);
  });

  it('says so when there is no thread at all', async () => {
    const r = await gpt('thread', 'show');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('gpt: there are no threads yet — start one with gpt ask "question"\n');
  });
});

describe('gpt thread rm, mv, fork, path', () => {
  it('removes threads, and removes nothing when one name is unknown', async () => {
    await threeThreads();
    const typo = await gpt('thread', 'rm', 'whales', 'emtpy');
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toBe("gpt: no thread named 'emtpy' — gpt thread list shows them\n");
    expect(await threadFiles(sandbox)).toHaveLength(3);

    const r = await gpt('thread', 'rm', 'whales', 'empty', 'whales');
    expect(r.exitCode).toBe(0);
    expect(r.stdout + r.stderr).toBe('');
    expect(await threadFiles(sandbox)).toEqual(['20261127-120000.yaml']);
  });

  it('never touches a file that is not a thread unless given as a path, and then only a thread', async () => {
    await threeThreads();
    await writeFile(join(sandbox.home, 'notes.txt'), 'my notes\n');
    await writeFile(join(sandbox.threadsDir, 'notes.txt'), 'not a thread\n');
    // A bare name is only ever NAME.yaml in the threads folder...
    expect((await gpt('thread', 'rm', 'notes.txt')).exitCode).toBe(2);
    expect((await gpt('thread', 'rm', 'notes')).exitCode).toBe(2);
    expect((await gpt('thread', 'rm', '..')).exitCode).toBe(2);
    // ...and a path must hold a thread.
    const notThread = await gpt('thread', 'rm', './notes.txt');
    expect(notThread.exitCode).toBe(6);
    expect(await readFile(join(sandbox.home, 'notes.txt'), 'utf8')).toBe('my notes\n');
    expect(await readFile(join(sandbox.threadsDir, 'notes.txt'), 'utf8')).toBe('not a thread\n');

    const outside = join(sandbox.home, 'kept.yaml');
    await writeFile(outside, `version: 1\n${CHINESE}`);
    expect((await gpt('thread', 'rm', outside)).exitCode).toBe(0);
    await expect(stat(outside)).rejects.toThrow();
  });

  it('removes a symbolic link in the threads folder, never the file it points to', async () => {
    await threeThreads();
    const outside = join(sandbox.home, 'precious.yaml');
    await writeFile(outside, `version: 1\n${CHINESE}`);
    await symlink(outside, join(sandbox.threadsDir, 'linked.yaml'));
    const r = await gpt('thread', 'rm', 'linked');
    expect(r.exitCode).toBe(0);
    expect(await readFile(outside, 'utf8')).toBe(`version: 1\n${CHINESE}`);
    await expect(lstat(join(sandbox.threadsDir, 'linked.yaml'))).rejects.toThrow(/ENOENT/);
    expect(await readdir(sandbox.home)).not.toContain('precious.yaml.lock');
    expect(await threadFiles(sandbox)).toHaveLength(3);
  });

  it('renames a thread, keeping its bytes and its place in the list, and never replaces one', async () => {
    await threeThreads();
    const before = await readFile(join(sandbox.threadsDir, 'whales.yaml'), 'utf8');
    const r = await gpt('thread', 'mv', 'whales', 'blue-whales');
    expect(r.exitCode).toBe(0);
    expect(r.stdout + r.stderr).toBe('');
    expect(await readFile(join(sandbox.threadsDir, 'blue-whales.yaml'), 'utf8')).toBe(before);
    expect(await threadFiles(sandbox)).toEqual(['20261127-120000.yaml', 'blue-whales.yaml', 'empty.yaml']);
    expect((await gpt('thread', 'list')).stdout).toContain('blue-whales      2026-11-27 12:30');

    const taken = await gpt('thread', 'mv', 'blue-whales', 'empty');
    expect(taken.exitCode).toBe(2);
    expect(taken.stderr).toBe("gpt: a thread named 'empty' exists already — choose another name, or remove that one first\n");
    expect(await readFile(join(sandbox.threadsDir, 'blue-whales.yaml'), 'utf8')).toBe(before);
    expect((await gpt('thread', 'mv', 'walrus', 'seal')).exitCode).toBe(2);
    expect((await gpt('thread', 'mv', 'empty', 'bad name')).exitCode).toBe(2);
  });

  it('moves a thread out of the folder and back in by path', async () => {
    await threeThreads();
    expect((await gpt('thread', 'mv', 'whales', './exported.yaml')).exitCode).toBe(0);
    expect(await threadFiles(sandbox)).not.toContain('whales.yaml');
    expect((await gpt('thread', 'mv', './exported.yaml', 'whales')).exitCode).toBe(0);
    expect(await threadFiles(sandbox)).toContain('whales.yaml');
  });

  it('forks a thread; the copy goes on on its own and becomes the latest', async () => {
    await threeThreads();
    const r = await gpt('thread', 'fork', 'whales', 'whales-b');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe("gpt: forked 'whales' as 'whales-b' — continue it with gpt ask --thread whales-b\n");
    const original = await readFile(join(sandbox.threadsDir, 'whales.yaml'), 'utf8');
    expect(await readFile(join(sandbox.threadsDir, 'whales-b.yaml'), 'utf8')).toBe(original);
    expect((await stat(join(sandbox.threadsDir, 'whales-b.yaml'))).mode & 0o777).toBe(0o600);

    const next = await runGpt(sandbox, ['ask', '-c', 'And the smallest?']);
    expect(next.exitCode).toBe(0);
    expect(server.chatRequests()[0]!.body.messages).toHaveLength(6); // system, 4 history, the question
    expect(await readFile(join(sandbox.threadsDir, 'whales.yaml'), 'utf8')).toBe(original);

    expect((await gpt('thread', 'fork', 'whales', 'empty')).exitCode).toBe(2);
    expect((await gpt('thread', 'fork', 'walrus', 'seal')).exitCode).toBe(2);
  });

  it('prints the file path of a thread, for $EDITOR', async () => {
    await threeThreads();
    const r = await gpt('thread', 'path', 'whales');
    expect(r.stdout).toBe(`${join(sandbox.threadsDir, 'whales.yaml')}\n`);
    const unknown = await gpt('thread', 'path', 'walrus');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stdout).toBe('');
  });

  it('rejects a missing argument or an unknown subcommand as usage, pointing at the right help', async () => {
    for (const args of [['rm'], ['mv', 'whales'], ['fork'], ['path']]) {
      const r = await gpt('thread', ...args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^gpt: missing required argument '.*' — see gpt thread ${args[0]} --help\n$`));
    }
    const typo = await gpt('thread', 'frok');
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toBe("gpt: unknown command 'frok' (Did you mean fork?) — see gpt thread --help\n");
  });
});
