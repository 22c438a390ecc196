// gpt thread search and gpt thread export, on thread files written here.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGpt, writeThreadFile } from '../support/cli.js';
import { sandbox, useHarness } from '../support/harness.js';

useHarness();

const gpt = (...args: string[]) => runGpt(sandbox, args);

/** A thread file last changed at `minute` past noon, so the order is known. */
const thread = (name: string, minute: number, body: string) => writeThreadFile(sandbox.threadsDir, name, minute, body);

const WHALES = `model: gpt-4o-mini
system: Be brief.
created: 2026-11-27T12:00:00.000Z
messages:
  - role: user
    content: What is the biggest animal in the world?
  - role: assistant
    content: The Blue Whale, by far. It can grow up to 30 metres long and weigh as much as 200 tonnes, eating krill.
`;
const KRILL = `messages:
  - role: user
    content: "What do blue whales eat? \\e]0;pwned\\a (a.k.a. *krill*?)"
`;

describe('gpt thread search', () => {
  it('lists the messages that contain the text, any case, newest thread first, with context', async () => {
    await thread('whales', 1, WHALES);
    await thread('krill', 2, KRILL);
    const r = await gpt('thread', 'search', 'BLUE whale');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(
      'krill  2026-11-27T12:02:00.000Z\n  #0 user: What do blue whales eat? ^[]0;pwned^G (a.k.a. *krill*?)\n\n' +
        'whales  2026-11-27T12:01:00.000Z\n  #1 assistant: The Blue Whale, by far. It can grow up to 30 metres lo…\n',
    );
  });

  it('takes the text literally, and grep is its other name', async () => {
    await thread('krill', 2, KRILL);
    await thread('whales', 1, WHALES);
    expect((await gpt('thread', 'grep', '*krill*?')).stdout).toContain('krill  ');
    expect((await gpt('thread', 'grep', 'a.k.a')).exitCode).toBe(0);
    expect((await gpt('thread', 'grep', 'a.k.x')).exitCode).toBe(1);
  });

  it('--json: one object per message, the excerpt exact', async () => {
    const file = await thread('krill', 2, KRILL);
    const r = await gpt('thread', 'search', 'whales eat', '--json');
    expect(JSON.parse(r.stdout)).toEqual([
      {
        thread: 'krill',
        file,
        updated: '2026-11-27T12:02:00.000Z',
        message: 0,
        role: 'user',
        excerpt: 'What do blue whales eat? \u001b]0;pwned\u0007 (a.k.a. *krill*?)',
      },
    ]);
  });

  it('exits 1 with nothing on stdout or stderr when nothing matches (like grep); --json prints []', async () => {
    await thread('whales', 1, WHALES);
    expect(await gpt('thread', 'search', 'zebra')).toMatchObject({ exitCode: 1, stdout: '', stderr: '' });
    expect(await gpt('thread', 'search', 'zebra', '--json')).toMatchObject({ exitCode: 1, stdout: '[]\n', stderr: '' });
    expect(await gpt('thread', 'search', 'zebra', '--json')).toMatchObject({ exitCode: 1 });
  });

  it('warns about a file that is not a thread and searches the rest', async () => {
    await thread('whales', 1, WHALES);
    await thread('broken', 3, 'messages: [unclosed\n');
    const r = await gpt('thread', 'search', 'krill');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('whales');
    expect(r.stderr).toMatch(/^gpt: .*broken\.yaml/);
  });
});

describe('gpt thread export', () => {
  it('writes Markdown by default: title, facts, then each message under its speaker', async () => {
    await thread('whales', 1, WHALES);
    const r = await gpt('thread', 'export', 'whales');
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    expect(r.stdout).toBe(`# whales

- Model: gpt-4o-mini
- Created: 2026-11-27T12:00:00.000Z

## System

Be brief.

## You

What is the biggest animal in the world?

## Assistant

The Blue Whale, by far. It can grow up to 30 metres long and weigh as much as 200 tonnes, eating krill.
`);
  });

  it('--format json -o FILE: the thread as JSON in a new private file', async () => {
    await thread('whales', 1, WHALES);
    const r = await gpt('thread', 'export', 'whales', '--format', 'json', '-o', 'whales.json');
    expect(r).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    const out = join(sandbox.home, 'whales.json');
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const json = JSON.parse(await readFile(out, 'utf8'));
    expect(json).toMatchObject({ name: 'whales', model: 'gpt-4o-mini', system: 'Be brief.' });
    expect(json.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
  });

  it('is exact to a pipe, and refuses an unknown thread or format (exit 2)', async () => {
    await thread('krill', 2, KRILL);
    expect((await gpt('thread', 'export', 'krill')).stdout).toContain('\u001b]0;pwned\u0007');
    expect(await gpt('thread', 'export', 'nope')).toMatchObject({ exitCode: 2, stderr: /no thread named 'nope'/ });
    expect((await gpt('thread', 'export', 'krill', '--format', 'html')).exitCode).toBe(2);
  });
});
