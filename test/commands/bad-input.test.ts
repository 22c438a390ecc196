// Bad thread files and bad batch inputs are refused before anything is sent or changed:
// runAsk and runBatch called in-process (see test/support/fake-deps.ts).
import { readFile, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAsk } from '../../src/commands/ask.js';
import { runBatch } from '../../src/commands/batch.js';
import type { BatchOptions } from '../../src/commands/batch-options.js';
import { ExitCode, formatError, type GptError } from '../../src/core/errors.js';
import { eachTestWorld } from '../support/fake-deps.js';
import { jsonLines } from '../support/json-lines.js';

const world = eachTestWorld();

const write = async (name: string, text: string | Buffer) => {
  const file = join(world.home, name);
  await writeFile(file, text);
  return file;
};
const readOut = (name = 'out.jsonl') => readFile(join(world.home, name), 'utf8');
const batch = (file: string, more: Partial<BatchOptions> = {}) =>
  runBatch({ file, resume: false, dryRun: false, remote: false, wait: true, ...more }, world.deps);
/** The error line gpt prints for a command's failure, and its exit code. */
const failure = (run: Promise<void>) =>
  run.then(
    () => {
      throw new Error('expected the command to fail');
    },
    (error: GptError) => ({ exitCode: error.exitCode, line: `${formatError(error)}\n` }),
  );

const aliasBomb = (prefix: string) => [
  `${prefix}&a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`,
  ...'bcdefghi'.split('').map((c, i) => `${prefix.replace('a', c)}&${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
];
const billionLaughs = aliasBomb('a: ').join('\n');

const threads: Array<{ name: string; text: string; error: RegExp }> = [
  { name: 'malformed YAML', text: 'messages:\n  - role: user\n    content: "open\n', error: /:\d+: not valid YAML/ },
  { name: 'a list, not a thread', text: '- role: user\n  content: hi\n', error: /:1: not a thread: expected a mapping with a `messages` list/ },
  { name: 'a number, not a thread', text: '42\n', error: /:1: not a thread/ },
  { name: 'messages that is not a list', text: 'messages: hello\n', error: /:1: `messages` must be a list/ },
  {
    name: 'an unknown role',
    text: 'messages:\n  - role: user\n    content: hi\n  - role: wizard\n    content: boo\n',
    error: /:4: message 2 has role "wizard"; expected system, user, assistant/,
  },
  { name: 'content that is not text', text: 'messages:\n  - role: user\n    content:\n      nested: map\n', error: /:4: message 1 has no text `content`/ },
  {
    name: 'a newer format version',
    text: 'version: 99\nmessages: []\n',
    error: /bad\.yaml was written by a newer gpt \(thread format 99; this gpt reads 1\) — upgrade gpt/,
  },
  { name: 'a billion-laughs alias bomb', text: `${billionLaughs}\nmessages: []`, error: /bomb|alias|resource exhaustion/i },
];

describe.each(threads)('a thread file with $name', ({ text, error }) => {
  it('is refused with file and line, exit 6, nothing sent and nothing changed', async () => {
    await mkdir(world.threadsDir, { recursive: true });
    const file = join(world.threadsDir, 'bad.yaml');
    await writeFile(file, text);
    const r = await failure(runAsk({ args: ['hi'], thread: 'bad', continueLatest: false, json: false, stream: true }, world.deps));
    expect(r.exitCode).toBe(ExitCode.badInput);
    expect(r.line.startsWith(`gpt: ${file}`)).toBe(true);
    expect(r.line).toMatch(error);
    expect(r.line.split('\n').filter(Boolean)).toHaveLength(1);
    expect(world.client.requests).toHaveLength(0);
    expect(await readFile(file, 'utf8')).toBe(text);
  });
});

const sevenLines = [...Array.from({ length: 6 }, (_, i) => `{"prompt": "p${i}"}`), '{"prompt": "broken'].join('\n');
const badInputs: Array<{ name: string; file: string; text: string | Buffer; error: RegExp }> = [
  { name: 'an empty file', file: 'p.jsonl', text: '', error: /^gpt: p\.jsonl: no items: the input is empty — nothing was sent; give at least one prompt\n$/ },
  { name: 'a file of blank lines', file: 'p.txt', text: '\n  \n\n', error: /^gpt: p\.txt: no items: the input is empty/ },
  { name: 'an empty YAML list', file: 'p.yaml', text: '[]\n', error: /^gpt: p\.yaml: no items: the input is empty/ },
  {
    name: 'duplicate ids',
    file: 'p.jsonl',
    text: '{"id": "a", "prompt": "x"}\n{"id": "b", "prompt": "y"}\n\n{"id": "a", "prompt": "z"}\n',
    error: /^gpt: p\.jsonl:4: duplicate id 'a' \(also on line 1\)/,
  },
  {
    name: 'a duplicate id made by a line number',
    file: 'p.jsonl',
    text: '{"prompt": "x"}\n{"id": 1, "prompt": "y"}\n',
    error: /^gpt: p\.jsonl:2: duplicate id '1' \(also on line 1\)/,
  },
  { name: 'invalid JSON on line 7', file: 'p.jsonl', text: sevenLines, error: /^gpt: p\.jsonl:7: not valid JSON/ },
  { name: 'a billion-laughs alias bomb in a mapping', file: 'p.yaml', text: billionLaughs, error: /^gpt: p\.yaml:1: expected a list of prompts/ },
  {
    name: 'a billion-laughs alias bomb in a list',
    file: 'p.yaml',
    text: [...aliasBomb('- '), '- prompt: hi'].join('\n'),
    error: /^gpt: p\.yaml:\d+: .*alias/i,
  },
  {
    name: 'invalid UTF-8 in text',
    file: 'p.txt',
    text: Buffer.from([0x68, 0x69, 0x0a, 0xff, 0xfe, 0x0a]),
    error: /^gpt: p\.txt:2: not valid UTF-8 text — convert it first/,
  },
  {
    name: 'invalid UTF-8 in JSON Lines',
    file: 'p.jsonl',
    text: Buffer.concat([Buffer.from('{"prompt": "ok"}\n{"prompt": "caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]),
    error: /^gpt: p\.jsonl:2: not valid UTF-8 text/,
  },
  {
    name: 'invalid UTF-8 in YAML',
    file: 'p.yaml',
    text: Buffer.concat([Buffer.from('- ok\n- fine\n- caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
    error: /^gpt: p\.yaml:3: not valid UTF-8 text/,
  },
  // The rule of gpt ask's stdin (src/core/text.ts): a NUL byte is binary data, not a prompt.
  {
    name: 'a NUL byte in a text item',
    file: 'p.txt',
    text: Buffer.from('hi\nab\0c\n'),
    error: /^gpt: p\.txt:2: binary data \(a NUL byte\), not text — a batch file holds text; nothing was sent\n$/,
  },
  {
    name: 'a NUL byte in a JSON Lines item',
    file: 'p.jsonl',
    text: Buffer.from('{"prompt": "ok"}\n{"prompt": "a\0b"}\n'),
    error: /^gpt: p\.jsonl:2: binary data \(a NUL byte\), not text/,
  },
  { name: 'a NUL byte in YAML', file: 'p.yaml', text: Buffer.from('- ok\n- fine\n- a\0b\n'), error: /^gpt: p\.yaml:3: binary data \(a NUL byte\), not text/ },
  {
    name: 'a line over 32 MiB',
    file: 'p.txt',
    text: `hi\n${'x'.repeat(33 * 1024 * 1024)}`,
    error: /^gpt: p\.txt:2: a line longer than 32 MiB — no model takes a prompt that long; nothing was sent\n$/,
  },
];

describe.each(badInputs)('gpt batch with $name', ({ file, text, error }) => {
  it('is refused before anything is sent, with one clear line, and -o FILE is neither created nor changed', async () => {
    await write(file, text);
    const fresh = await failure(batch(file, { output: 'new.jsonl' }));
    expect(fresh.exitCode).toBe(ExitCode.badInput);
    expect(fresh.line).toMatch(error);
    expect(fresh.line.split('\n').filter(Boolean)).toHaveLength(1);
    await expect(stat(join(world.home, 'new.jsonl'))).rejects.toThrow(/ENOENT/);

    // An earlier run's results, overwritten by a run that goes ahead, survive a refused one;
    // with --resume too, even when its last line was cut short.
    const earlier = '{"id":"old","reply":"kept","model":"m","finish_reason":"stop","usage":null}\n{"id":"cut","rep';
    await write('out.jsonl', earlier);
    for (const resume of [false, true]) {
      const again = await failure(batch(file, { output: 'out.jsonl', resume }));
      expect(again.exitCode).toBe(ExitCode.badInput);
      expect(again.line).toMatch(error);
      expect(await readOut()).toBe(earlier);
    }
    expect(world.client.requests).toHaveLength(0);
  });
});

describe('gpt batch: empty and edited inputs', () => {
  it('refuses an empty stdin like an empty file, and stdin that is not UTF-8', async () => {
    const empty = await failure(batch('-', { output: 'out.jsonl' }));
    expect(empty).toMatchObject({ exitCode: ExitCode.badInput, line: expect.stringMatching(/^gpt: stdin: no items: the input is empty/) });
    await world.renew({ stdin: Buffer.from('caf\xe9\n', 'latin1') });
    const latin1 = await failure(batch('-', { format: 'text', output: 'out.jsonl' }));
    expect(latin1).toMatchObject({ exitCode: ExitCode.badInput, line: expect.stringMatching(/^gpt: stdin:1: not valid UTF-8 text/) });
    await expect(stat(join(world.home, 'out.jsonl'))).rejects.toThrow(/ENOENT/);
    expect(world.client.requests).toHaveLength(0);
  });

  it('reads CRLF line ends and a byte-order mark as a text editor wrote them', async () => {
    await write('p.jsonl', '\uFEFF{"id": "a", "prompt": "café"}\r\n{"id": "b", "prompt": "two"}\r\n');
    await batch('p.jsonl');
    expect(jsonLines(world.out()).map((x) => [x.id, x.reply])).toEqual([
      ['a', 'echo: café'],
      ['b', 'echo: two'],
    ]);
  });

  it('reads a YAML file that starts with a byte-order mark, as the other formats do', async () => {
    await write('p.yaml', '\uFEFF- id: a\n  prompt: café\n- two\n');
    await batch('p.yaml');
    expect(jsonLines(world.out()).map((x) => [x.id, x.reply])).toEqual([
      ['a', 'echo: café'],
      ['2', 'echo: two'],
    ]);
  });

  it('a --resume with every item already done sends nothing and succeeds', async () => {
    await write('p.txt', 'one\ntwo\n');
    await batch('p.txt', { output: 'out.jsonl' });
    const before = await readOut();
    world.client.requests.length = 0;
    await batch('p.txt', { output: 'out.jsonl', resume: true });
    expect(world.stderr()).toMatch(/^gpt: resuming: 2 items already in out\.jsonl$/m);
    expect(world.client.requests).toHaveLength(0);
    expect(await readOut()).toBe(before);
  });
});
