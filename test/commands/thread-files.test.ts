// Thread files as people keep them (escape sequences, JSON, comments, long and non-Latin
// names): runAsk and runThread* called in-process (see test/support/fake-deps.ts).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runAsk, type AskOptions } from '../../src/commands/ask.js';
import { runThreadShow } from '../../src/commands/thread.js';
import { runThreadList } from '../../src/commands/thread-list.js';
import { ExitCode } from '../../src/core/errors.js';
import { eachTestWorld } from '../support/fake-deps.js';

const world = eachTestWorld();

const ask = (args: string[], more: Partial<AskOptions> = {}) => runAsk({ args, continueLatest: false, json: false, stream: true, ...more }, world.deps);
/** What a command printed to stdout, alone. */
async function printed(command: () => Promise<void>): Promise<string> {
  const before = world.out().length;
  await command();
  return world.out().slice(before);
}
const show = (thread: string, last = false) => printed(() => runThreadShow({ thread, json: false, last }, world.deps));

// A prompt that, printed as it is, sets the window title, turns the text red and clears the screen.
const EVIL = 'title\x1b]0;pwned\x07 \x1b[31mred \x1b[2J\x9b2J end';

describe('escape sequences stored in a thread', () => {
  it('are shown harmlessly by thread list and thread show, even to a pipe', async () => {
    await mkdir(world.threadsDir, { recursive: true });
    await writeFile(
      join(world.threadsDir, 'evil.yaml'),
      YAML.stringify({
        version: 1,
        messages: [
          { role: 'user', content: EVIL },
          { role: 'assistant', content: `re: ${EVIL}` },
        ],
      }),
    );
    for (const out of [await printed(() => runThreadList({ json: false }, world.deps)), await show('evil')]) {
      expect(out).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
      expect(out).toContain('title^[]0;pwned^G ^[[31mred ^[[2J\\x9b2J end');
    }
  });
});

describe('a reply cut at --max-tokens', () => {
  it('is marked in gpt thread show', async () => {
    world.client.enqueue({ text: 'The blue wh', finishReason: 'length' });
    await ask(['biggest animal?'], { thread: 'cut' });
    expect(await show('cut')).toMatch(
      /^You: biggest animal\?\n\nAssistant: The blue wh\n\[reply cut short: it reached the token limit \(--max-tokens\)\]\n\n\[1 turn, 13 tokens, \$[\d.]+\]\n$/,
    );
  });
});

describe('thread files and names', () => {
  it('--thread notes/conv.json keeps a JSON thread JSON, with the keys gpt does not know', async () => {
    await mkdir(join(world.home, 'notes'));
    const file = join(world.home, 'notes', 'conv.json');
    await writeFile(
      file,
      `${JSON.stringify(
        {
          title: 'Whales',
          tags: ['sea'],
          messages: [
            { role: 'user', content: 'hi' },
            { role: 'assistant', content: 'hello' },
          ],
        },
        null,
        2,
      )}\n`,
    );
    await ask(['biggest?'], { thread: 'notes/conv.json' });
    const after = JSON.parse(await readFile(file, 'utf8'));
    expect(after).toMatchObject({ title: 'Whales', tags: ['sea'] });
    expect(after.messages.map((m: { content: string }) => m.content)).toEqual(['hi', 'hello', 'biggest?', 'echo: biggest?']);
    expect(world.client.requests.at(-1)!.messages.map((m) => m.content)).toEqual(['hi', 'hello', 'biggest?']);
  });

  it('a comment and a title in a YAML thread survive gpt ask', async () => {
    const file = join(world.home, 'mine.yaml');
    await writeFile(file, '# kept by hand\ntitle: Mine\nmessages:\n  - role: user # first\n    content: hi\n');
    await ask(['more'], { thread: file });
    const after = await readFile(file, 'utf8');
    expect(after).toMatch(/^# kept by hand\ntitle: Mine\n/);
    expect(after).toContain('  - role: user # first\n    content: hi\n');
    expect(YAML.parse(after).messages).toHaveLength(3);
  });

  it('a thread name too long for a file is a usage error naming the limit', async () => {
    await expect(ask(['hi'], { thread: 'x'.repeat(300) })).rejects.toMatchObject({
      exitCode: ExitCode.usage,
      message: 'the thread name is too long (300 bytes; at most 245)',
      hint: 'choose a shorter name (letters outside ASCII count 2 to 4 bytes each)',
    });
    expect(world.client.requests).toHaveLength(0);
  });

  it('a conversation kept without --thread is named in its own script, and shown by that name', async () => {
    await ask(['世界上最大的动物']);
    const name = (await printed(() => runThreadList({ json: false }, world.deps))).split(/\s/)[0]!;
    expect(name).toMatch(/^\d{8}-\d{6}-世界上最大的动物$/);
    expect(await show(name, true)).toBe('echo: 世界上最大的动物\n');
  });
});
