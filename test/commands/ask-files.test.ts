// gpt ask -f in-process: what the user message holds, stdin as a file, and nothing sent on each error.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runAsk, type AskOptions } from '../../src/commands/ask.js';
import { ExitCode, type GptError } from '../../src/core/errors.js';
import { listThreads } from '../../src/store/thread-admin.js';
import { eachTestWorld } from '../support/fake-deps.js';

const world = eachTestWorld();

const ask = (args: string[], more: Partial<AskOptions> = {}) => runAsk({ args, continueLatest: false, json: false, stream: true, ...more }, world.deps);
const failure = (args: string[], more: Partial<AskOptions>) =>
  ask(args, more).then(
    () => undefined,
    (e: GptError) => e,
  );
const sent = () => world.client.prompts().at(-1);

/** Writes files under the world's working folder (its HOME). */
async function tree(files: Record<string, string | Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(world.home, path)), { recursive: true });
    await writeFile(join(world.home, path), content);
  }
}

describe('gpt ask -f', () => {
  it("puts a folder's text files, fenced and labelled, before the question", async () => {
    await tree({ 'src/b.ts': 'export const b = 2;\n', 'src/a.ts': 'export const a = 1;\n', 'src/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0]) });
    await ask(['review', 'this'], { files: ['src/'] });
    expect(sent()).toBe('src/a.ts\n```\nexport const a = 1;\n```\n\nsrc/b.ts\n```\nexport const b = 2;\n```\n\nreview this');
    expect(world.stderr()).toBe('gpt: -f left out 1 file that is not text: src/logo.png (images and PDFs go with -a)\n');
  });

  it('reads stdin as a file with -f -, then the other files, then the arguments', async () => {
    await world.renew({ stdin: 'piped text\n' });
    await tree({ 'y.txt': 'why\n' });
    await ask(['q'], { files: ['-', 'y.txt'] });
    expect(sent()).toBe('stdin\n```\npiped text\n```\n\ny.txt\n```\nwhy\n```\n\nq');
  });

  it('puts the files before piped text that is the prompt', async () => {
    await world.renew({ stdin: 'the diff\n' });
    await tree({ 'CONTRIBUTING.md': 'rules\n' });
    await ask(['Review', 'the', 'diff'], { files: ['CONTRIBUTING.md'] });
    expect(sent()).toBe('CONTRIBUTING.md\n```\nrules\n```\n\nthe diff\n\nReview the diff');
  });

  it('sends files alone as the prompt, with a system prompt', async () => {
    await world.renew({ flags: { system: 'Summarise what you are given.' } });
    await tree({ 'notes.md': 'my notes\n' });
    await ask([], { files: ['notes.md'] });
    expect(world.client.requests.at(-1)!.messages).toEqual([
      { role: 'system', content: 'Summarise what you are given.' },
      { role: 'user', content: 'notes.md\n```\nmy notes\n```\n' },
    ]);
  });

  it("records the files in the thread's message content, as sent", async () => {
    await tree({ 'a.txt': 'A\n' });
    await ask(['q'], { files: ['a.txt'], thread: 'f' });
    const thread = YAML.parse(await readFile(join(world.threadsDir, 'f.yaml'), 'utf8'));
    expect(thread.messages[0].content).toBe('a.txt\n```\nA\n```\n\nq');
    expect(Object.keys(thread.messages[0]).sort()).toEqual(['content', 'role', 'time']);
  });

  it("fills a template's {{input}} with the files and the prompt", async () => {
    await mkdir(join(world.configHome, 'gpt', 'templates'), { recursive: true });
    await writeFile(join(world.configHome, 'gpt', 'templates', 'review.yaml'), 'prompt: "Review:\\n{{input}}"\n');
    await tree({ 'a.ts': 'a\n' });
    await ask([], { files: ['a.ts'], template: 'review' });
    expect(sent()).toBe('Review:\na.ts\n```\na\n```\n');
  });

  it("names the conversation, and previews it in thread list, from the user's words, not the files before them", async () => {
    await tree({ 'empty.txt': '', 'crlf.txt': 'line1\r\n' });
    await ask(['review', 'this'], { files: ['empty.txt', 'crlf.txt'] });
    await ask([], { files: ['crlf.txt'] }); // files alone: named from the first file
    const names = (await readdir(world.threadsDir)).sort();
    expect(names).toEqual([expect.stringMatching(/^\d{8}-\d{6}-review-this\.yaml$/), expect.stringMatching(/^\d{8}-\d{6}-crlf-txt\.yaml$/)].sort());
    expect((await listThreads(world.deps.store)).map((t) => t.preview).sort()).toEqual(['crlf.txt', 'review this']);
  });

  it('refuses each bad -f with exit 6 naming the path, sending nothing', async () => {
    await tree({
      'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0]),
      'old.txt': Buffer.from('caf\xe9\n', 'latin1'),
      'big.txt': 'x'.repeat(2048),
      'ok.txt': 'ok',
    });
    const cases: [Partial<AskOptions>, RegExp][] = [
      [{ files: ['ok.txt', 'missing.txt'] }, /^-f missing\.txt: no such file or folder$/],
      [{ files: ['logo.png'] }, /^-f logo\.png is binary data, not text$/],
      [{ files: ['old.txt'] }, /^-f old\.txt is not valid UTF-8 text$/],
      [{ files: ['ok.txt', 'big.txt'], maxFilesSize: 1024 }, /^the -f files come to 2 KiB, over the 1 KiB limit \(largest: big\.txt 2 KiB, ok\.txt 2 B\)$/],
      [
        { files: ['big.txt', 'ok.txt'], maxFilesSize: 1024 },
        /^the -f files come to at least 2 KiB, over the 1 KiB limit \(largest of those read: big\.txt 2 KiB\)$/,
      ],
      [{ files: [''] }, /^-f: the path is empty$/],
    ];
    for (const [more, message] of cases) {
      const error = await failure(['q'], { ...more, thread: 'never' });
      expect(error?.exitCode, String(more.files)).toBe(ExitCode.badInput);
      expect(error?.message).toMatch(message);
    }
    expect(world.client.requests).toHaveLength(0);
    await expect(readFile(join(world.threadsDir, 'never.yaml'))).rejects.toThrow();
  });

  it('refuses -f - twice, and -f - with --no-stdin, as usage errors', async () => {
    expect(await failure(['q'], { files: ['-', '-'] })).toMatchObject({ exitCode: ExitCode.usage, message: '-f - is given twice' });
    expect(await failure(['q'], { files: ['-'], stdin: false })).toMatchObject({ exitCode: ExitCode.usage });
    expect(world.client.requests).toHaveLength(0);
  });

  it('does not wait for a silent open pipe when only files are given (as with arguments)', async () => {
    await world.renew({ stdin: undefined }); // an open pipe that sends nothing
    await tree({ 'a.txt': 'a\n' });
    await ask([], { files: ['a.txt'] });
    expect(sent()).toBe('a.txt\n```\na\n```\n');
    expect(world.stderr()).toMatch(/stdin sent nothing within 1s/);
  });
});

describe('gpt ask -f --dry-run', () => {
  it('names the files the question holds, with their sizes, and sends nothing', async () => {
    await tree({ 'src/a.ts': 'export const a = 1;\n', 'notes.md': 'x'.repeat(2048) });
    await ask(['review'], { files: ['src/', 'notes.md'], dryRun: true });
    const lines = world.out().split('\n');
    expect(lines[1]).toBe('messages:');
    expect(lines[2]).toMatch(/^ {2}user: 2\.1 KiB, with files src\/a\.ts \(20 B\), notes\.md \(2 KiB\)$/);
    expect(world.client.requests).toHaveLength(0);
  });

  it('names ten files and counts the rest', async () => {
    const files = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`d/f${String(i).padStart(2, '0')}.txt`, 'abc\n']));
    await tree(files);
    await ask(['q'], { files: ['d'], dryRun: true });
    expect(world.out()).toContain(', d/f09.txt (4 B), and 2 more (8 B)\n');
  });
});
