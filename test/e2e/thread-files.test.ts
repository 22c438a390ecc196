import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { GPT_BIN, runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

// A prompt that, printed as it is, sets the window title, turns the text red and clears the screen.
const EVIL = 'title\x1b]0;pwned\x07 \x1b[31mred \x1b[2J\x9b2J end';

async function evilThread(): Promise<string> {
  await mkdir(sandbox.threadsDir, { recursive: true });
  const file = join(sandbox.threadsDir, 'evil.yaml');
  await writeFile(file, YAML.stringify({ version: 1, messages: [{ role: 'user', content: EVIL }, { role: 'assistant', content: `re: ${EVIL}` }] }));
  return file;
}

/** Runs gpt with stdout on a pseudo-terminal (`script`); what the terminal would receive. */
async function onTerminal(args: string[]): Promise<string> {
  const command = ['node', GPT_BIN, ...args].map((a) => `'${a}'`).join(' ');
  const r = await execa('script', ['-qefc', `stty cols 200 rows 24; exec ${command}`, '/dev/null'], {
    env: { ...sandbox.env, TERM: 'dumb', NO_COLOR: '1' }, extendEnv: false, cwd: sandbox.home, reject: false, timeout: 15_000, input: '',
  });
  expect(r.exitCode).toBe(0);
  return String(r.stdout);
}

describe('escape sequences stored in a thread', () => {
  it('are shown harmlessly by thread list and thread show, even to a pipe', async () => {
    await evilThread();
    const list = await runGpt(sandbox, ['thread', 'list']);
    const show = await runGpt(sandbox, ['thread', 'show', 'evil']);
    for (const r of [list, show]) {
      expect(r.exitCode).toBe(0);
      expect(r.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
      expect(r.stdout).toContain('title^[]0;pwned^G ^[[31mred ^[[2J\\x9b2J end');
    }
  });

  it('--json and --last to a pipe stay exact; --last on a terminal is harmless too', async () => {
    await evilThread();
    expect(JSON.parse((await runGpt(sandbox, ['thread', 'show', 'evil', '--json'])).stdout)[0].content).toBe(EVIL);
    expect((await runGpt(sandbox, ['thread', 'show', 'evil', '--last'])).stdout).toBe(`re: ${EVIL}\n`);
    const seen = await onTerminal(['thread', 'show', 'evil', '--last']);
    expect(seen).not.toContain('\x1b');
    expect(seen).toContain('re: title^[]0;pwned^G');
  });
});

describe('a reply cut at --max-tokens', () => {
  it('is marked in gpt thread show', async () => {
    server.enqueue({ kind: 'reply', text: 'The blue wh', finishReason: 'length' });
    expect((await runGpt(sandbox, ['ask', '--thread', 'cut', '--max-tokens', '3', 'biggest animal?'])).exitCode).toBe(0);
    expect((await runGpt(sandbox, ['thread', 'show', 'cut'])).stdout)
      .toBe('You: biggest animal?\n\nAssistant: The blue wh\n[reply cut short: it reached the token limit (--max-tokens)]\n\n[1 turn, 13 tokens, cost unknown]\n');
  });
});

describe('thread files and names', () => {
  it('--thread notes/conv.json keeps a JSON thread JSON, with the keys gpt does not know', async () => {
    await mkdir(join(sandbox.home, 'notes'));
    const file = join(sandbox.home, 'notes', 'conv.json');
    await writeFile(file, `${JSON.stringify({ title: 'Whales', tags: ['sea'], messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] }, null, 2)}\n`);
    const r = await runGpt(sandbox, ['ask', '--thread', 'notes/conv.json', 'biggest?']);
    expect(r.exitCode).toBe(0);
    const after = JSON.parse(await readFile(file, 'utf8'));
    expect(after).toMatchObject({ title: 'Whales', tags: ['sea'] });
    expect(after.messages.map((m: { content: string }) => m.content)).toEqual(['hi', 'hello', 'biggest?', 'echo: biggest?']);
    expect(server.chatRequests().at(-1)!.body.messages.map((m: { content: string }) => m.content)).toEqual(['hi', 'hello', 'biggest?']);
  });

  it('a comment and a title in a YAML thread survive gpt ask', async () => {
    const file = join(sandbox.home, 'mine.yaml');
    await writeFile(file, '# kept by hand\ntitle: Mine\nmessages:\n  - role: user # first\n    content: hi\n');
    expect((await runGpt(sandbox, ['ask', '--thread', file, 'more'])).exitCode).toBe(0);
    const after = await readFile(file, 'utf8');
    expect(after).toMatch(/^# kept by hand\ntitle: Mine\n/);
    expect(after).toContain('  - role: user # first\n    content: hi\n');
    expect(YAML.parse(after).messages).toHaveLength(3);
  });

  it('a thread name too long for a file is a usage error naming the limit', async () => {
    const r = await runGpt(sandbox, ['ask', '--thread', 'x'.repeat(300), 'hi']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('gpt: the thread name is too long (300 bytes; at most 245) — choose a shorter name (letters outside ASCII count 2 to 4 bytes each)\n');
    expect(server.chatRequests()).toHaveLength(0);
  });

  it('a conversation kept without --thread is named in its own script, and shown by that name', async () => {
    const r = await runGpt(sandbox, ['ask', '世界上最大的动物']);
    expect(r.exitCode).toBe(0);
    const list = (await runGpt(sandbox, ['thread', 'list'])).stdout;
    const name = list.split(/\s/)[0]!;
    expect(name).toMatch(/^\d{8}-\d{6}-世界上最大的动物$/);
    expect((await runGpt(sandbox, ['thread', 'show', name, '--last'])).stdout).toBe('echo: 世界上最大的动物\n');
  });
});
