// A batch item's `files:` and `attachments:` in-process (README "gpt batch"): what is sent,
// what a thread keeps, and every refusal before anything is sent (a batch file is data).
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runBatch } from '../../src/commands/batch.js';
import type { BatchOptions } from '../../src/commands/batch-options.js';
import type { Deps } from '../../src/commands/deps.js';
import { ExitCode } from '../../src/core/errors.js';
import { apiMessage } from '../../src/llm/message-parts.js';
import { dataUrl, pdf, png } from '../support/attachment-files.js';
import { eachTestWorld, failure, threadsFolder } from '../support/fake-deps.js';

const world = eachTestWorld();

const home = (...parts: string[]) => join(world.home, ...parts);
const put = async (name: string, bytes: Buffer | string) => {
  await mkdir(join(world.home, name, '..'), { recursive: true });
  await writeFile(home(name), bytes);
  return Buffer.from(bytes);
};
const lines = (...items: object[]) => items.map((i) => JSON.stringify(i)).join('\n');
const batch = (file: string, more: Partial<BatchOptions> = {}, deps: Deps = world.deps) =>
  runBatch({ file, resume: false, dryRun: false, remote: false, wait: true, ...more }, deps);
const results = () =>
  world
    .out()
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
/** The last message of each request as it goes on the wire, in the order sent. */
const sentLast = () => world.client.requests.map((r) => apiMessage(r.messages.at(-1)!));
const fence = (label: string, text: string) => `${label}\n\`\`\`\n${text}\`\`\`\n`;

describe('gpt batch: what an item with files and attachments sends', () => {
  it("puts the files before the prompt (as -f) and the attachments after it as parts (as -a), paths from the input file's folder", async () => {
    await put('job/notes.md', 'remember the whales\n');
    await put('job/src/a.ts', 'export const a = 1;\n');
    await put('job/src/b.ts', 'export const b = 2;\n');
    const image = await put('job/shot.png', png(4, 3));
    const doc = await put('job/docs/r.pdf', pdf('numbers'));
    await put(
      'job/p.jsonl',
      lines(
        { id: 'one', prompt: 'review', files: ['notes.md', 'src'], attachments: ['shot.png', 'docs/r.pdf'], detail: 'low' },
        { id: 'two', prompt: 'by URL', attachments: ['https://example.com/cat.jpg'] },
        { id: 'three', prompt: 'plain' },
      ),
    );
    await batch('job/p.jsonl', { concurrency: 1 });
    expect(results().map((r) => [r.id, r.error])).toEqual([
      ['one', undefined],
      ['two', undefined],
      ['three', undefined],
    ]);
    expect(sentLast()).toEqual([
      {
        role: 'user',
        content: [
          {
            type: 'text',
            text: `${fence('notes.md', 'remember the whales\n')}\n${fence('src/a.ts', 'export const a = 1;\n')}\n${fence('src/b.ts', 'export const b = 2;\n')}\nreview`,
          },
          { type: 'image_url', image_url: { url: dataUrl('image/png', image), detail: 'low' } },
          { type: 'file', file: { filename: 'r.pdf', file_data: dataUrl('application/pdf', doc) } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'by URL' },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
        ],
      },
      { role: 'user', content: 'plain' },
    ]);
  });

  it("reads stdin's items from the working folder, and says which files a folder left out as not text", async () => {
    await world.renew({ stdin: lines({ prompt: 'look', files: ['d'] }) });
    await put('d/a.txt', 'alpha\n');
    await put('d/logo.png', png(2, 2));
    await batch('-');
    expect(sentLast()[0]!.content).toBe(`${fence('d/a.txt', 'alpha\n')}\nlook`);
    expect(world.stderr()).toContain('gpt: stdin:1: `files` left out 1 file that is not text: d/logo.png (images and PDFs go in `attachments`)');
  });

  it("--resume reads only the files of the items it sends: a done item's file may be gone", async () => {
    await put('job/a.txt', 'a\n');
    await put('job/b.txt', 'b\n');
    await put('job/p.jsonl', lines({ id: 'a', prompt: 'q', files: ['a.txt'] }, { id: 'b', prompt: 'q', files: ['b.txt'] }));
    await put('out.jsonl', `${JSON.stringify({ id: 'a', reply: 'done' })}\n`);
    await writeFile(home('job', 'a.txt'), Buffer.from([0, 1, 2])); // no longer text: not read
    await batch('job/p.jsonl', { output: 'out.jsonl', resume: true });
    expect(sentLast().map((m) => m.content)).toEqual([`${fence('b.txt', 'b\n')}\nq`]);
  });

  it("--allow-paths lets an item name files outside the input file's folder", async () => {
    await put('outside.txt', 'from outside\n');
    await put('job/p.jsonl', lines({ prompt: 'q', files: ['../outside.txt'] }));
    await batch('job/p.jsonl', { allowPaths: true });
    expect(sentLast()[0]!.content).toBe(`${fence('../outside.txt', 'from outside\n')}\nq`);
  });
});

describe('gpt batch: a bad file or attachment stops the run before anything is sent', () => {
  const refused = async (item: object, more: Partial<BatchOptions> = {}, deps?: Deps) => {
    // A good item first: nothing at all is sent, not even it.
    await put('job/ok.txt', 'fine\n');
    await put('job/p.jsonl', lines({ prompt: 'good', files: ['ok.txt'] }, { prompt: 'bad', ...item }));
    const error = await failure(batch('job/p.jsonl', more, deps));
    expect(world.client.requests).toHaveLength(0);
    expect(world.out()).toBe('');
    return error;
  };

  it('a missing file or attachment (exit 6, naming the line)', async () => {
    expect(await refused({ files: ['gone.md'] })).toMatchObject({
      exitCode: ExitCode.badInput,
      message: 'job/p.jsonl:2: `files` gone.md: no such file or folder',
    });
    expect(await refused({ attachments: ['gone.png'] })).toMatchObject({ exitCode: ExitCode.badInput, message: 'job/p.jsonl:2: no file gone.png to attach' });
  });

  it('an absolute path, a ../ escape, and a symbolic link out of the folder', async () => {
    await put('secret.txt', 'private\n');
    expect(await refused({ files: [home('secret.txt')] })).toMatchObject({
      exitCode: ExitCode.badInput,
      message: `job/p.jsonl:2: '${home('secret.txt')}' is an absolute path; paths in a batch file are relative to its folder`,
      hint: expect.stringContaining('--allow-paths'),
    });
    expect(await refused({ attachments: ['../secret.txt'] })).toMatchObject({
      exitCode: ExitCode.badInput,
      message: expect.stringMatching(/^job\/p\.jsonl:2: '\.\.\/secret\.txt' leads out of the folder /),
    });
    await symlink(home('secret.txt'), home('job', 'link.txt'));
    expect(await refused({ files: ['link.txt'] })).toMatchObject({
      exitCode: ExitCode.badInput,
      message: expect.stringMatching(/^job\/p\.jsonl:2: 'link\.txt' leads out of the folder .* through a symbolic link$/),
    });
  });

  it('a link inside a folder given in files: that leads out is refused, naming it', async () => {
    await put('secret.txt', 'private\n');
    await put('job/src/a.ts', 'a\n');
    await symlink(home('secret.txt'), home('job', 'src', 'key.txt'));
    expect(await refused({ files: ['src'] })).toMatchObject({
      exitCode: ExitCode.badInput,
      message: expect.stringMatching(/^job\/p\.jsonl:2: 'src\/key\.txt' leads out of the folder .* through a symbolic link$/),
    });
  });

  it('a binary file in files:, and a file in attachments: that is not an image or PDF', async () => {
    await put('job/logo.png', png(2, 2));
    await put('job/notes.txt', 'text\n');
    expect(await refused({ files: ['logo.png'] })).toMatchObject({
      exitCode: ExitCode.badInput,
      message: 'job/p.jsonl:2: `files` logo.png is binary data, not text',
      hint: expect.stringContaining('`attachments`'),
    });
    expect(await refused({ attachments: ['notes.txt'] })).toMatchObject({
      exitCode: ExitCode.badInput,
      message: 'job/p.jsonl:2: notes.txt is not an image or PDF (it looks like text)',
      hint: expect.stringContaining('text goes with `files`;'),
    });
  });

  it("hints in a batch file's words: a folder in attachments:", async () => {
    await put('job/d/a.png', png(1, 1));
    expect(await refused({ attachments: ['d'] })).toMatchObject({
      exitCode: ExitCode.badInput,
      message: 'job/p.jsonl:2: d is not a file',
      hint: 'attach files one by one (attachments: [a.png, b.pdf]); text goes with `files`; nothing was sent',
    });
  });

  it("a pipe or device in attachments: is refused (an item's files are read twice), even with --allow-paths", async () => {
    expect(await refused({ attachments: ['/dev/null'] }, { allowPaths: true })).toMatchObject({
      exitCode: ExitCode.badInput,
      message: 'job/p.jsonl:2: /dev/null is not a regular file',
      hint: 'save what it gives to a file, and attach that; nothing was sent',
    });
  });

  it('files over --max-files-size (per item)', async () => {
    await put('job/big.txt', 'x'.repeat(3000));
    expect(await refused({ files: ['big.txt'] }, { maxFilesSize: 2048 })).toMatchObject({
      exitCode: ExitCode.badInput,
      message: expect.stringMatching(/^job\/p\.jsonl:2: the `files` files come to 2\.9 KiB, over the 2 KiB limit/),
    });
    // The limit is per item: two items of 1.5 KiB each go under a 2 KiB limit.
    await put('job/half.txt', 'y'.repeat(1500));
    await put('job/p.jsonl', lines({ prompt: 'a', files: ['half.txt'] }, { prompt: 'b', files: ['half.txt'] }));
    await batch('job/p.jsonl', { maxFilesSize: 2048 });
    expect(world.client.requests).toHaveLength(2);
  });

  it('a model known not to take images (exit 2, naming the model and the item)', async () => {
    await put('job/shot.png', png(2, 2));
    expect(await refused({ attachments: ['shot.png'], model: 'gpt-3.5-turbo' })).toMatchObject({
      exitCode: ExitCode.usage,
      message: 'job/p.jsonl:2: gpt-3.5-turbo takes no images (`attachments`: shot.png)',
    });
    expect(await refused({ attachments: ['shot.png'] }, {}, world.withFlags({ model: 'o1-mini' }))).toMatchObject({
      exitCode: ExitCode.usage,
      message: 'job/p.jsonl:2: o1-mini takes no images (`attachments`: shot.png)',
    });
  });

  it('wrong shapes: not a list, stdin as a file, detail without attachments, files with messages', async () => {
    expect(await refused({ files: 'a.md' })).toMatchObject({ exitCode: ExitCode.badInput, message: 'job/p.jsonl:2: `files` must be a list of paths' });
    expect(await refused({ files: ['-'] })).toMatchObject({
      exitCode: ExitCode.badInput,
      message: 'job/p.jsonl:2: `files` cannot read stdin (`-`); name a file',
    });
    expect(await refused({ detail: 'low' })).toMatchObject({
      exitCode: ExitCode.badInput,
      message: 'job/p.jsonl:2: `detail` is for the images in `attachments`',
    });
    expect(await refused({ prompt: undefined, messages: [{ role: 'user', content: 'x' }], files: ['ok.txt'] })).toMatchObject({
      exitCode: ExitCode.badInput,
      message: 'job/p.jsonl:2: `files` and `attachments` go with a `prompt`, not `messages`',
    });
  });
});

describe('gpt batch: threads with attachments', () => {
  const loadThread = async (name: string) => YAML.parse(await readFile(join(world.threadsDir, `${name}.yaml`), 'utf8'));

  it("keeps an item's attachment in its thread by reference, and a later item of the thread sends it again", async () => {
    const image = await put('job/shot.png', png(4, 3));
    await put(
      'job/p.jsonl',
      lines({ id: 'see', prompt: 'what is this?', thread: 'pics', attachments: ['shot.png'] }, { id: 'more', prompt: 'and its colour?', thread: 'pics' }),
    );
    await batch('job/p.jsonl');
    expect(results().map((r) => r.error)).toEqual([undefined, undefined]);
    const [first, second] = world.client.requests.map((r) => r.messages.map(apiMessage));
    const withImage = {
      role: 'user',
      content: [
        { type: 'text', text: 'what is this?' },
        { type: 'image_url', image_url: { url: dataUrl('image/png', image) } },
      ],
    };
    expect(first).toEqual([withImage]);
    expect(second).toEqual([withImage, { role: 'assistant', content: 'echo: what is this?' }, { role: 'user', content: 'and its colour?' }]);
    const thread = await loadThread('pics');
    expect(thread.messages[0].attachments).toEqual([
      { path: 'shot.png', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), mime: 'image/png', bytes: image.length },
    ]);
    expect(thread.messages[2].attachments).toBeUndefined();
  });

  it("re-sends an image from the thread's store after the file was deleted", async () => {
    const image = await put('job/shot.png', png(4, 3));
    await put('job/p.jsonl', lines({ prompt: 'what is this?', thread: 'pics', attachments: ['shot.png'] }));
    await batch('job/p.jsonl');
    await writeFile(home('job', 'shot.png'), 'gone now');
    await put('job/q.jsonl', lines({ prompt: 'again?', thread: 'pics' }));
    await batch('job/q.jsonl');
    const last = world.client.requests.at(-1)!.messages.map(apiMessage);
    expect(last[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'what is this?' },
        { type: 'image_url', image_url: { url: dataUrl('image/png', image) } },
      ],
    });
  });

  it("--dry-run counts a thread's earlier images, and the images of the batch's earlier items of the thread", async () => {
    await put('job/shot.png', png(1024, 1024)); // 765 tokens at high detail
    await put('job/p.jsonl', lines({ prompt: 'see', thread: 'pics', attachments: ['shot.png'] }));
    await batch('job/p.jsonl');
    await put(
      'job/q.jsonl',
      lines(
        { prompt: 'again', thread: 'pics' },
        { prompt: 'one more', thread: 'pics', attachments: ['shot.png'], detail: 'low' },
        { prompt: 'last', thread: 'pics' },
      ),
    );
    const before = world.out().length;
    await batch('job/q.jsonl', { dryRun: true });
    // 765 (the thread's) for each of the three, and 85 (low) for the second and third.
    expect(world.out().slice(before)).toMatch(
      /\ninput tokens: \d+ \(exact, with thread history as sent; [^)]*\) \+ about 2465 for images \(estimated from their sizes\)\n/,
    );
    expect(world.client.requests).toHaveLength(1);
  });

  it('an item whose thread holds an image it cannot send to its model fails alone, nothing sent for it', async () => {
    await put('job/shot.png', png(4, 3));
    await put('job/p.jsonl', lines({ prompt: 'see', thread: 'pics', attachments: ['shot.png'] }));
    await batch('job/p.jsonl');
    await put('job/q.jsonl', lines({ prompt: 'again', thread: 'pics', model: 'gpt-3.5-turbo' }, { prompt: 'other' }));
    await failure(batch('job/q.jsonl'));
    expect(world.client.requests.map((r) => r.messages.at(-1)!.content)).toEqual(['see', 'other']);
    expect(results().at(-2)).toMatchObject({ error: { message: 'gpt-3.5-turbo takes no images (attached in the thread: shot.png)' } });
  });

  it("fits a long thread to the model's window as ask does (--context, the thread's context:)", async () => {
    await world.renew({ config: { models: { m: { context_window: 300 } } }, flags: { model: 'm', maxTokens: 50 } });
    const long = 'whales are large marine mammals. '.repeat(45).trim(); // some 270 tokens: more than the window leaves
    await writeFile(
      join(await threadsFolder(world), 'w.yaml'),
      YAML.stringify({
        model: 'm',
        messages: [
          { role: 'user', content: long },
          { role: 'assistant', content: 'ok' },
          { role: 'user', content: 'q2' },
          { role: 'assistant', content: 'ok' },
        ],
      }),
    );
    await put('p.jsonl', lines({ prompt: 'q3', thread: 'w' }));
    await batch('p.jsonl');
    expect(world.client.requests[0]!.messages.map((m) => m.content)).toEqual(['q2', 'ok', 'q3']);
    expect(world.stderr()).toContain("gpt: item 1: 1 earlier turn left out to fit m's context window of 300 tokens");
    expect((await loadThread('w')).messages.at(-1).omitted_turns).toBe(1);

    const error = await failure(batch('p.jsonl', { context: 'fail' }));
    expect(error).toMatchObject({ exitCode: ExitCode.batchItemsFailed });
    expect(results().at(-1)).toMatchObject({ error: { message: expect.stringContaining("the thread does not fit m's context window of 300 tokens") } });
    expect(world.client.requests).toHaveLength(1);
  });
});

describe('gpt batch --dry-run with files and attachments', () => {
  it("counts the files' text exactly and estimates the images; totals, then the first items one by one; nothing sent", async () => {
    await put('job/notes.md', 'remember the whales\n');
    await put('job/shot.png', png(1024, 1024));
    await put('job/r.pdf', pdf('numbers'));
    const items = Array.from({ length: 5 }, (_, i) => ({
      id: `i${i}`,
      prompt: 'look',
      files: ['notes.md'],
      attachments: ['shot.png', 'r.pdf'],
      detail: 'high',
    }));
    await put('job/p.jsonl', lines(...items, { id: 'bare', prompt: 'nothing attached' }));
    await batch('job/p.jsonl', { dryRun: true });
    const counted = Number(/input tokens: (\d+)/.exec(world.out())![1]);
    expect(world.out()).toMatch(/^items: 6\ninput tokens: \d+ \(exact\) \+ about 3825 for images \(estimated from their sizes\)\n/);
    expect(world.out()).toContain('files: 5 (100 B of text), in 5 items\n');
    expect(world.out()).toMatch(/attachments: 10 \(5 images, 5 PDFs; [\d.]+ KiB\), in 5 items; PDFs, URLs and images of unknown size not counted\n/);
    expect(world.out()).toContain('items with files or attachments (the first 3 of 5):\n  job/p.jsonl:1 (id i0): notes.md (text, 20 B), shot.png (image/png, ');
    expect(world.out()).toContain('1024×1024, detail high), r.pdf (application/pdf, ');
    expect(world.out()).not.toContain('(id i3)');
    expect(world.client.requests).toHaveLength(0);
    // Exact: the same count as items with the files' text written into their prompts (PDFs are not counted).
    await put(
      'job/q.jsonl',
      lines(...items.map((i) => ({ id: i.id, prompt: `${fence('notes.md', 'remember the whales\n')}\nlook` })), { id: 'bare', prompt: 'nothing attached' }),
    );
    const before = world.out().length;
    await batch('job/q.jsonl', { dryRun: true });
    expect(world.out().slice(before)).toMatch(new RegExp(`^items: 6\ninput tokens: ${counted} \\(exact\\)\n`));
  });
});
