import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runGpt, threadFiles } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

// Issue 3, "Continuing without planning ahead": conversations kept without --thread, and -c.
useHarness();

const contents = (i: number) => (server.chatRequests()[i]!.body.messages as { content: string }[]).map((m) => m.content);
const config = async (text: string) => {
  await mkdir(join(sandbox.configHome, 'gpt'), { recursive: true });
  await writeFile(join(sandbox.configHome, 'gpt', 'config.yaml'), text, { mode: 0o600 });
};

describe('conversations kept without --thread', () => {
  it('are named from the time and the first words, with no extra request to the model', async () => {
    const r = await runGpt(sandbox, ['ask', 'Café: what is the BIGGEST animal, really?']);
    expect(r.exitCode).toBe(0);
    expect(server.chatRequests()).toHaveLength(1);
    expect(await threadFiles(sandbox)).toEqual([expect.stringMatching(/^\d{8}-\d{6}-cafe-what-is-the-biggest\.yaml$/)]);
  });

  it('keep only the newest keep_conversations, from ask and chat alike; named threads are never removed', async () => {
    await config('keep_conversations: 2\n');
    await runGpt(sandbox, ['ask', '--thread', 'named', 'old but named']);
    for (const q of ['one', 'two']) await runGpt(sandbox, ['ask', q]);
    await runGpt(sandbox, ['chat'], { input: 'three\nnew\nfour\n' });
    const files = await threadFiles(sandbox);
    expect(files).toHaveLength(3);
    expect(files).toContain('named.yaml');
    expect(files.filter((f) => f !== 'named.yaml').map((f) => f.replace(/^\d{8}-\d{6}-/, '')).sort())
      .toEqual(['four.yaml', 'three.yaml']);
  });

  it('are not kept with save_conversations: false, and then -c has nothing to continue', async () => {
    await config('save_conversations: false\n');
    expect((await runGpt(sandbox, ['ask', 'q'])).exitCode).toBe(0);
    expect(await threadFiles(sandbox)).toEqual([]);
    const r = await runGpt(sandbox, ['ask', '-c', 'more']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('gpt: there is no conversation to continue yet — start one with gpt ask "question"\n');
  });
});

describe('gpt ask -c', () => {
  it('continues the most recently updated conversation, not the most recently created', async () => {
    await runGpt(sandbox, ['ask', 'first question']);
    const [auto] = await threadFiles(sandbox);
    await runGpt(sandbox, ['ask', '--thread', 'later', 'created later']);
    await runGpt(sandbox, ['ask', '--thread', auto!.replace(/\.yaml$/, ''), 'updated last']);
    server.requests.length = 0;
    await runGpt(sandbox, ['ask', '-c', 'and now']);
    expect(contents(0)).toEqual(['first question', 'echo: first question', 'updated last', 'echo: updated last', 'and now']);
    await runGpt(sandbox, ['ask', '--thread', 'later', 'now later is newest']);
    await runGpt(sandbox, ['ask', '-c', 'so this goes there']);
    expect(contents(2).at(0)).toBe('created later');
  });

  it('reads stdin exactly as without -c or --thread: piped text, a blank line, the arguments', async () => {
    await runGpt(sandbox, ['ask', '--thread', 'notes', 'start']);
    server.requests.length = 0;
    await runGpt(sandbox, ['ask', '-c', 'Summarise this'], { input: 'piped text\n' });
    await runGpt(sandbox, ['ask', '--thread', 'notes'], { input: 'only piped\n' });
    expect(contents(0).at(-1)).toBe('piped text\n\nSummarise this');
    expect(contents(1).at(-1)).toBe('only piped\n');
    const saved = YAML.parse(await readFile(join(sandbox.threadsDir, 'notes.yaml'), 'utf8'));
    expect(saved.messages).toHaveLength(6);
  });

  it('refuses -c together with --thread', async () => {
    const r = await runGpt(sandbox, ['ask', '-c', '--thread', 'x', 'q']);
    expect(r.exitCode).toBe(2);
    expect(server.chatRequests()).toHaveLength(0);
  });
});
