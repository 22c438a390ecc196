import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

const billionLaughs = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
  'messages: []',
].join('\n');

const threads: Array<{ name: string; text: string; error: RegExp }> = [
  { name: 'malformed YAML', text: 'messages:\n  - role: user\n    content: "open\n', error: /:\d+: not valid YAML/ },
  { name: 'a list, not a thread', text: '- role: user\n  content: hi\n', error: /:1: not a thread: expected a mapping with a `messages` list/ },
  { name: 'a number, not a thread', text: '42\n', error: /:1: not a thread/ },
  { name: 'messages that is not a list', text: 'messages: hello\n', error: /:1: `messages` must be a list/ },
  { name: 'an unknown role', text: 'messages:\n  - role: user\n    content: hi\n  - role: wizard\n    content: boo\n', error: /:4: message 2 has role "wizard"; expected system, user, assistant/ },
  { name: 'content that is not text', text: 'messages:\n  - role: user\n    content:\n      nested: map\n', error: /:4: message 1 has no text `content`/ },
  { name: 'a newer format version', text: 'version: 99\nmessages: []\n', error: /bad\.yaml was written by a newer gpt \(thread format 99; this gpt reads 1\) — upgrade gpt/ },
  { name: 'a billion-laughs alias bomb', text: billionLaughs, error: /bomb|alias|resource exhaustion/i },
];

describe.each(threads)('a thread file with $name', ({ text, error }) => {
  it('is refused with file and line, exit 6, nothing sent and nothing changed', async () => {
    await mkdir(sandbox.threadsDir, { recursive: true });
    const file = join(sandbox.threadsDir, 'bad.yaml');
    await writeFile(file, text);
    const r = await runGpt(sandbox, ['ask', '--thread', 'bad', 'hi'], { timeout: 10_000 });
    expect(r.exitCode).toBe(6);
    expect(r.stderr.startsWith(`gpt: ${file}`)).toBe(true);
    expect(r.stderr).toMatch(error);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(server.chatRequests()).toHaveLength(0);
    expect(await readFile(file, 'utf8')).toBe(text);
  });
});

describe('stdin', () => {
  it('refuses invalid UTF-8', async () => {
    const r = await runGpt(sandbox, ['ask'], { input: Buffer.from([0x68, 0x69, 0xff, 0xfe, 0x0a]) });
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toBe('gpt: stdin is not valid UTF-8 text — convert it first, e.g. iconv -t UTF-8\n');
  });

  it('refuses 50 MB with a clear limit instead of truncating it', async () => {
    const r = await runGpt(sandbox, ['ask'], { input: Buffer.alloc(50 * 1024 * 1024, 'a') });
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toBe('gpt: stdin is larger than 10 MiB — send less text, or split it (gpt batch runs many prompts)\n');
    expect(server.chatRequests()).toHaveLength(0);
  });

  it('accepts text just under the limit, byte for byte', async () => {
    const text = `${'é'.repeat(4 * 1024 * 1024)}\n`; // 8 MiB of two-byte characters
    const r = await runGpt(sandbox, ['ask', '--json'], { input: text });
    expect(r.exitCode).toBe(0);
    expect(server.chatRequests()[0]!.body.messages[0].content).toBe(text);
  });
});

describe('flags', () => {
  it.each([
    [['ask', '--temperature', 'abc', 'x'], /temperature must be a number from 0 to 2/],
    [['ask', '--max-retries', '-1', 'x'], /--max-retries must be a whole number from 0 to 20/],
    [['ask', '--unknown', 'x'], /unknown option '--unknown'/],
    [['ask', '--thread'], /option '--thread <name\|path>' argument missing/],
    [['nonsense'], /unknown command 'nonsense'/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await runGpt(sandbox, args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^gpt: /);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});
