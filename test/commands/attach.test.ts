// gpt ask -a/--attach in-process (README "Context: files, images and PDFs"): what is sent,
// what a thread keeps, the store, and every refusal before anything is sent or written.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, open, readdir, readFile, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runAsk, type AskOptions } from '../../src/commands/ask.js';
import type { Deps } from '../../src/commands/deps.js';
import { runThreadFork, runThreadMv, runThreadRm, runThreadShow } from '../../src/commands/thread.js';
import { ExitCode, type GptError } from '../../src/core/errors.js';
import { apiMessage } from '../../src/llm/message-parts.js';
import { dataUrl, jpeg, pdf, png } from '../support/attachment-files.js';
import { asUnprivileged } from '../support/as-nobody.js';
import { eachTestWorld, failure } from '../support/fake-deps.js';

const world = eachTestWorld();

const ask = (args: string[], more: Partial<AskOptions> = {}, deps: Deps = world.deps) =>
  runAsk({ args, continueLatest: false, json: false, stream: true, ...more }, deps);
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const home = (...parts: string[]) => join(world.home, ...parts);
const storeDir = () => home('data', 'gpt', 'attachments');
const threadFile = (name: string) => join(world.threadsDir, `${name}.yaml`);
/** The last request's last message as it goes on the wire. */
const sentLast = () => apiMessage(world.client.requests.at(-1)!.messages.at(-1)!);
const put = async (name: string, bytes: Buffer | string) => {
  await mkdir(join(world.home, name, '..'), { recursive: true });
  await writeFile(home(name), bytes);
  return Buffer.from(bytes);
};
const listing = (dir: string) => readdir(dir).catch(() => [] as string[]);

describe('what is sent', () => {
  it('sends a png as an image part with a data URL, after the prompt text', async () => {
    const bytes = await put('shot.png', png(4, 3));
    await ask(['What is this?'], { attach: ['shot.png'] });
    expect(sentLast()).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: dataUrl('image/png', bytes) } },
      ],
    });
  });

  it('goes by the content, not the name: a jpeg named .png is sent as image/jpeg', async () => {
    const bytes = await put('photo.png', jpeg(640, 480));
    await ask(['describe'], { attach: ['photo.png'] });
    expect(sentLast().content).toEqual([
      { type: 'text', text: 'describe' },
      { type: 'image_url', image_url: { url: dataUrl('image/jpeg', bytes) } },
    ]);
  });

  it('sends a PDF as a file part with its file name', async () => {
    const bytes = await put('docs/report.pdf', pdf('quarterly numbers'));
    await ask(['summarise'], { attach: ['docs/report.pdf'] });
    expect(sentLast().content).toEqual([
      { type: 'text', text: 'summarise' },
      { type: 'file', file: { filename: 'report.pdf', file_data: dataUrl('application/pdf', bytes) } },
    ]);
  });

  it('sends a URL as it is, with --detail on the images only, in the order given', async () => {
    const doc = await put('r.pdf', pdf('x'));
    await ask(['compare'], { attach: ['https://example.com/cat.jpg', 'r.pdf'], detail: 'low' });
    expect(sentLast().content).toEqual([
      { type: 'text', text: 'compare' },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'low' } },
      { type: 'file', file: { filename: 'r.pdf', file_data: dataUrl('application/pdf', doc) } },
    ]);
    const [message] = YAML.parse(await readFile(join(world.threadsDir, (await listing(world.threadsDir))[0]!), 'utf8')).messages;
    expect(message.attachments).toEqual([
      { url: 'https://example.com/cat.jpg', mime: 'image/jpeg', detail: 'low' },
      { path: 'r.pdf', sha256: sha(doc), mime: 'application/pdf', bytes: doc.length },
    ]);
  });

  it('keeps the content a string without attachments', async () => {
    await ask(['plain']);
    expect(sentLast()).toEqual({ role: 'user', content: 'plain' });
  });
});

describe('threads and the store', () => {
  it('records a reference, never base64, and keeps the bytes once in the store (private)', async () => {
    const bytes = await put('shot.png', png(64, 64));
    await ask(['one'], { thread: 'shots', attach: ['shot.png'] });
    await ask(['two'], { thread: 'other', attach: ['shot.png'] });
    const text = await readFile(threadFile('shots'), 'utf8');
    expect(YAML.parse(text).messages[0].attachments).toEqual([{ path: 'shot.png', sha256: sha(bytes), mime: 'image/png', bytes: bytes.length }]);
    expect(text).not.toContain(bytes.toString('base64').slice(0, 20));
    expect(text).not.toContain('attachment_store'); // the threads folder's store goes without saying
    expect(await listing(storeDir())).toEqual([sha(bytes)]);
    expect(await readFile(join(storeDir(), sha(bytes)))).toEqual(bytes);
    expect((await stat(join(storeDir(), sha(bytes)))).mode & 0o777).toBe(0o600);
    expect((await stat(storeDir())).mode & 0o777).toBe(0o700);
  });

  it('re-sends an image from the store after its file was deleted: the same data URL', async () => {
    const bytes = await put('shot.png', png(8, 8));
    await ask(['what is it?'], { thread: 't', attach: ['shot.png'] });
    const first = sentLast();
    await unlink(home('shot.png'));
    await ask(['and its colour?'], { thread: 't' });
    const history = world.client.requests.at(-1)!.messages.map(apiMessage);
    expect(history[0]).toEqual(first);
    expect(history[2]).toEqual({ role: 'user', content: 'and its colour?' });
    expect(JSON.stringify(history)).toContain(dataUrl('image/png', bytes));
  });

  it('falls back to the original path when the store lacks the file, and puts it back', async () => {
    const bytes = await put('shot.png', png(8, 8));
    await ask(['one'], { thread: 't', attach: ['shot.png'] });
    await unlink(join(storeDir(), sha(bytes)));
    await ask(['two'], { thread: 't' });
    expect(JSON.stringify(world.client.requests.at(-1)!.messages.map(apiMessage))).toContain(dataUrl('image/png', bytes));
    expect(await readFile(join(storeDir(), sha(bytes)))).toEqual(bytes);
  });

  it('refuses to continue (exit 6, nothing sent) when neither the store nor the path has the same bytes', async () => {
    await put('shot.png', png(8, 8));
    await ask(['one'], { thread: 't', attach: ['shot.png'] });
    await unlink(join(storeDir(), (await listing(storeDir()))[0]!));
    await put('shot.png', png(9, 9)); // changed since
    const before = await readFile(threadFile('t'), 'utf8');
    const error = await failure(ask(['two'], { thread: 't' }));
    expect(error).toMatchObject({ exitCode: ExitCode.badInput });
    expect(error?.message).toMatch(new RegExp(`^shot\\.png \\(sha256 [0-9a-f]{12}…\\), attached in thread ${threadFile('t')}, is not in ${storeDir()}`));
    expect(world.client.requests).toHaveLength(1);
    expect(await readFile(threadFile('t'), 'utf8')).toBe(before);
  });

  it('gives a project thread its own store beside it, named in the header', async () => {
    const bytes = await put('shot.png', png(8, 8));
    await ask(['one'], { thread: 'proj/notes.yaml', attach: ['shot.png'] });
    const thread = YAML.parse(await readFile(home('proj', 'notes.yaml'), 'utf8'));
    expect(thread.attachment_store).toBe('gpt-attachments');
    expect(await listing(home('proj', 'gpt-attachments'))).toEqual([sha(bytes)]);
    expect(await listing(storeDir())).toEqual([]);
    // The folder is self-contained: it continues from there, the original gone.
    await unlink(home('shot.png'));
    await ask(['two'], { thread: 'proj/notes.yaml' });
    expect(JSON.stringify(world.client.requests.at(-1)!.messages.map(apiMessage))).toContain(dataUrl('image/png', bytes));
  });

  it('adds the header to a project thread that gets its first attachment later, keeping a hand-written layout', async () => {
    await mkdir(home('proj'));
    await writeFile(
      home('proj', 'hand.yaml'),
      '# my notes\ntitle: Design\nmessages:\n  - role: user\n    content: hi\n  - role: assistant\n    content: hello\n',
    );
    await put('shot.png', png(8, 8));
    await ask(['look'], { thread: 'proj/hand.yaml', attach: ['shot.png'] });
    const text = await readFile(home('proj', 'hand.yaml'), 'utf8');
    expect(text).toMatch(/^# my notes\ntitle: Design\n/);
    expect(YAML.parse(text)).toMatchObject({ attachment_store: 'gpt-attachments', messages: [{}, {}, { attachments: [{ path: 'shot.png' }] }, {}] });
  });

  it('thread rm removes a store file no other thread uses, and keeps a shared one', async () => {
    const shared = await put('shot.png', png(8, 8));
    const own = await put('r.pdf', pdf('mine'));
    await ask(['a'], { thread: 'a', attach: ['shot.png', 'r.pdf'] });
    await ask(['b'], { thread: 'b', attach: ['shot.png'] });
    await runThreadRm({ threads: ['a'] }, world.deps);
    expect(await listing(storeDir())).toEqual([sha(shared)]);
    expect(sha(own)).not.toBe(sha(shared));
    await runThreadRm({ threads: ['b'] }, world.deps);
    expect(await listing(storeDir())).toEqual([]);
  });

  it('retention removes the attachments of the conversations it removes, unless another thread uses them', async () => {
    await world.renew({ config: { keep_conversations: 1 } });
    const first = await put('one.png', png(1, 1));
    const kept = await put('two.png', png(2, 2));
    await ask(['one'], { attach: ['one.png', 'two.png'] });
    await ask(['two'], { attach: ['two.png'] });
    expect(await listing(world.threadsDir)).toHaveLength(1);
    expect(await listing(storeDir())).toEqual([sha(kept)]);
    expect(sha(first)).not.toBe(sha(kept));
  });

  it('thread rm of a project thread looks only at the threads beside it', async () => {
    const bytes = await put('shot.png', png(8, 8));
    await ask(['a'], { thread: 'proj/a.yaml', attach: ['shot.png'] });
    await ask(['b'], { thread: 'elsewhere', attach: ['shot.png'] }); // another folder, another store
    await runThreadRm({ threads: ['proj/a.yaml'] }, world.deps);
    expect(await listing(home('proj', 'gpt-attachments'))).toEqual([]);
    expect(await listing(storeDir())).toEqual([sha(bytes)]);
  });

  it('thread rm of a project thread removes its gpt-attachments/ when left empty, never one still in use', async () => {
    const bytes = await put('shot.png', png(8, 8));
    await ask(['a'], { thread: 'proj/a.yaml', attach: ['shot.png'] });
    await ask(['b'], { thread: 'proj/b.yaml', attach: ['shot.png'] });
    await runThreadRm({ threads: ['proj/a.yaml'] }, world.deps);
    expect(await listing(home('proj', 'gpt-attachments'))).toEqual([sha(bytes)]);
    await runThreadRm({ threads: ['proj/b.yaml'] }, world.deps);
    expect(await listing(home('proj'))).toEqual([]);
  });

  it('thread fork into a project takes the attachments along: it continues there with the original and the old store gone', async () => {
    const bytes = await put('shot.png', png(8, 8));
    await ask(['one'], { thread: 't', attach: ['shot.png'] });
    await runThreadFork({ from: 't', to: 'proj/t.yaml' }, world.deps);
    expect(await listing(home('proj', 'gpt-attachments'))).toEqual([sha(bytes)]);
    await unlink(home('shot.png'));
    await unlink(join(storeDir(), sha(bytes)));
    await ask(['two'], { thread: 'proj/t.yaml' });
    expect(JSON.stringify(world.client.requests.at(-1)!.messages.map(apiMessage))).toContain(dataUrl('image/png', bytes));
  });

  it('thread mv of a project thread into the threads folder takes the attachments along', async () => {
    const bytes = await put('shot.png', png(8, 8));
    await ask(['one'], { thread: 'proj/t.yaml', attach: ['shot.png'] });
    await runThreadMv({ from: 'proj/t.yaml', to: 'moved' }, world.deps);
    // The threads folder has one store, whatever header the thread brought along.
    expect(await listing(storeDir())).toEqual([sha(bytes)]);
    expect(await listing(join(world.threadsDir, 'gpt-attachments'))).toEqual([]);
    await unlink(home('shot.png'));
    await rm(home('proj'), { recursive: true });
    await ask(['two'], { thread: 'moved' });
    expect(JSON.stringify(world.client.requests.at(-1)!.messages.map(apiMessage))).toContain(dataUrl('image/png', bytes));
  });

  it('thread show gives one line per attachment; --json keeps the references', async () => {
    const bytes = await put('shot.png', png(8, 8));
    await ask(['look'], { thread: 't', attach: ['shot.png', 'https://example.com/x.webp'], detail: 'high' });
    await runThreadShow({ thread: 't', json: false, last: false }, world.deps);
    expect(world.out()).toContain(
      `You: look\n[attached: shot.png (image/png, ${bytes.length} B, detail high)]\n[attached: https://example.com/x.webp (image/webp, detail high)]\n`,
    );
    await runThreadShow({ thread: 't', json: true, last: false }, world.deps);
    const messages = JSON.parse(world.out().trim().split('\n').at(-1)!);
    expect(messages[0].attachments[0]).toEqual({ path: 'shot.png', sha256: sha(bytes), mime: 'image/png', bytes: bytes.length, detail: 'high' });
  });

  it('reports a bad reference in a thread file with its file and line, and sends nothing', async () => {
    await mkdir(world.threadsDir, { recursive: true });
    await writeFile(
      threadFile('bad'),
      `messages:\n  - role: user\n    content: hi\n    attachments:\n      - path: a.png\n        sha256: nope\n        mime: image/png\n        bytes: 3\n`,
    );
    const error = await failure(ask(['more'], { thread: 'bad' }));
    expect(error).toMatchObject({
      exitCode: ExitCode.badInput,
      message: `${threadFile('bad')}:6: attachment 1 of message 1 needs \`sha256\`: 64 lowercase hex digits`,
    });
    expect(world.client.requests).toHaveLength(0);
  });
});

describe('refused before anything is sent or written (exit 6, or 2)', () => {
  /** Nothing sent, no thread and no store written. */
  async function refused(attach: string[], more: Partial<AskOptions> = {}, deps?: Deps): Promise<GptError> {
    const error = await failure(ask(['go'], { attach, ...more }, deps));
    expect(error).toBeDefined();
    expect(world.client.requests).toHaveLength(0);
    expect(await listing(world.threadsDir)).toEqual([]);
    expect(await listing(storeDir())).toEqual([]);
    return error!;
  }

  it('a missing file', async () => {
    expect(await refused(['nope.png'])).toMatchObject({ exitCode: ExitCode.badInput, message: 'no file nope.png to attach' });
  });

  it('a folder', async () => {
    await mkdir(home('shots'));
    expect(await refused(['shots'])).toMatchObject({ exitCode: ExitCode.badInput, message: 'shots is not a file' });
  });

  it('a path that cannot be read (a symbolic link loop)', async () => {
    await symlink(home('loop'), home('loop'));
    expect(await refused(['loop'])).toMatchObject({ exitCode: ExitCode.badInput, message: 'cannot read loop (ELOOP)' });
  });

  it('a file without read permission', async () => {
    await put('secret.png', png(2, 2));
    await chmod(home('secret.png'), 0o000);
    expect(await asUnprivileged(home('secret.png'), () => refused(['secret.png']))).toMatchObject({
      exitCode: ExitCode.badInput,
      message: 'cannot read secret.png (permission denied)',
    });
  });

  it('an image over 20 MiB (a sparse file: a png header, then a hole)', async () => {
    await put('huge.png', png(2, 2));
    const handle = await open(home('huge.png'), 'r+');
    await handle.truncate(20 * 1024 * 1024 + 1);
    await handle.close();
    const error = await refused(['huge.png']);
    expect(error).toMatchObject({ exitCode: ExitCode.badInput, message: 'huge.png is 20971521 bytes, over the 20971520 bytes limit for an image' });
  });

  it('a PDF over 32 MiB', async () => {
    await put('big.pdf', pdf('x'));
    const handle = await open(home('big.pdf'), 'r+');
    await handle.truncate(32 * 1024 * 1024 + 1);
    await handle.close();
    expect((await refused(['big.pdf'])).message).toBe('big.pdf is 33554433 bytes, over the 33554432 bytes limit for a PDF');
  });

  it('a file that is not an image or PDF, whatever its name', async () => {
    await put('notes.png', 'just some text\n');
    const error = await refused(['notes.png']);
    expect(error).toMatchObject({ exitCode: ExitCode.badInput, message: 'notes.png is not an image or PDF (it looks like text)' });
    expect(error.hint).toMatch(/text goes with -f/);
  });

  it('the first bad one of several, none sent', async () => {
    await put('ok.png', png(2, 2));
    expect((await refused(['ok.png', 'gone.pdf'])).message).toBe('no file gone.pdf to attach');
  });

  it('a model known to take no images: exit 2, naming the model and the flag', async () => {
    await put('shot.png', png(2, 2));
    const error = await refused(['shot.png'], {}, world.withFlags({ model: 'gpt-3.5-turbo' }));
    expect(error).toMatchObject({ exitCode: ExitCode.usage, message: 'gpt-3.5-turbo takes no images (-a shot.png)' });
    expect(error.hint).toMatch(/models: \{gpt-3\.5-turbo: \{images: true\}\}/);
  });

  it('a model known to take no PDFs', async () => {
    await put('r.pdf', pdf('x'));
    expect(await refused(['r.pdf'], {}, world.withFlags({ model: 'o1-mini' }))).toMatchObject({
      exitCode: ExitCode.usage,
      message: 'o1-mini takes no PDF files (-a r.pdf)',
    });
  });

  it('--detail without an attachment', async () => {
    expect(await refused([], { detail: 'low' })).toMatchObject({ exitCode: ExitCode.usage, message: '--detail is for attached images' });
  });

  it('a thread with images continued with a model that takes none', async () => {
    await put('shot.png', png(2, 2));
    await ask(['one'], { thread: 't', attach: ['shot.png'] });
    const error = await failure(ask(['two'], { thread: 't' }, world.withFlags({ model: 'gpt-3.5-turbo' })));
    expect(error).toMatchObject({ exitCode: ExitCode.usage, message: 'gpt-3.5-turbo takes no images (attached in the thread: shot.png)' });
    expect(world.client.requests).toHaveLength(1);
  });
});

describe('empty paths, URLs that are not images, and pipes', () => {
  it("refuses an empty -a (a script's empty variable): exit 6, nothing sent", async () => {
    expect(await failure(ask(['go'], { attach: [''] }))).toMatchObject({ exitCode: ExitCode.badInput, message: '-a: the path is empty' });
    expect(world.client.requests).toHaveLength(0);
  });

  it('refuses a URL whose path ends in an extension that is not an image; one with none goes as an image', async () => {
    const pdfUrl = await failure(ask(['go'], { attach: ['http://example.com/a.pdf'] }));
    expect(pdfUrl).toMatchObject({
      exitCode: ExitCode.badInput,
      message: '-a http://example.com/a.pdf: a URL is sent as an image, and .pdf is not one (png, jpeg, gif, webp)',
    });
    expect(pdfUrl?.hint).toBe('a PDF must be a local file — download it, then -a it; nothing was sent');
    expect(await failure(ask(['go'], { attach: ['https://example.com/notes.txt?v=1.png'] }))).toMatchObject({ exitCode: ExitCode.badInput });
    expect(world.client.requests).toHaveLength(0);
    await ask(['go'], { attach: ['https://example.com/render?id=3', 'https://example.com'] });
    expect(sentLast().content).toEqual([
      { type: 'text', text: 'go' },
      { type: 'image_url', image_url: { url: 'https://example.com/render?id=3' } },
      { type: 'image_url', image_url: { url: 'https://example.com' } },
    ]);
  });

  it('-a - reads stdin whole as the attachment (not as the prompt), kept in a thread as path "-" with its sha256', async () => {
    const bytes = png(5, 5);
    await world.renew({ stdin: bytes });
    await ask(['what is this?'], { attach: ['-'], thread: 't' });
    expect(sentLast().content).toEqual([
      { type: 'text', text: 'what is this?' },
      { type: 'image_url', image_url: { url: dataUrl('image/png', bytes) } },
    ]);
    const [message] = YAML.parse(await readFile(threadFile('t'), 'utf8')).messages;
    expect(message.attachments).toEqual([{ path: '-', sha256: sha(bytes), mime: 'image/png', bytes: bytes.length }]);
    expect(await listing(storeDir())).toEqual([sha(bytes)]);
    // Continued: sent again from the store; `-` is not read again.
    await ask(['and now?'], { thread: 't', stdin: false });
    expect(JSON.stringify(world.client.requests.at(-1)!.messages.map(apiMessage))).toContain(dataUrl('image/png', bytes));
  });

  it('-a - with a PDF names it stdin.pdf to the server', async () => {
    const bytes = pdf('piped');
    await world.renew({ stdin: bytes });
    await ask(['summarise'], { attach: ['-'] });
    expect(sentLast().content).toEqual([
      { type: 'text', text: 'summarise' },
      { type: 'file', file: { filename: 'stdin.pdf', file_data: dataUrl('application/pdf', bytes) } },
    ]);
  });

  it('-a - checks stdin as a file: its type from its bytes, and its size limit', async () => {
    await world.renew({ stdin: 'just text\n' });
    expect(await failure(ask(['go'], { attach: ['-'] }))).toMatchObject({
      exitCode: ExitCode.badInput,
      message: 'stdin is not an image or PDF (it looks like text)',
    });
    await world.renew({ stdin: Buffer.concat([png(2, 2), Buffer.alloc(20 * 1024 * 1024)]) });
    expect(await failure(ask(['go'], { attach: ['-'] }))).toMatchObject({
      exitCode: ExitCode.badInput,
      message: expect.stringMatching(/^stdin is 20 MiB, over the 20 MiB limit|^stdin is \d+ bytes, over the 20971520 bytes limit for an image$/),
    });
    await world.renew({ stdin: Buffer.concat([Buffer.from(pdf('x')), Buffer.alloc(33 * 1024 * 1024)]) });
    expect(await failure(ask(['go'], { attach: ['-'] }))).toMatchObject({ exitCode: ExitCode.badInput, message: 'stdin is over the 32 MiB limit for a PDF' });
    expect(world.client.requests).toHaveLength(0);
  });

  it('stdin is read once: -a - twice, with -f -, or with --no-stdin is exit 2', async () => {
    for (const more of [{ attach: ['-', '-'] }, { attach: ['-'], files: ['-'] }, { attach: ['-'], stdin: false }] as Partial<AskOptions>[]) {
      expect(await failure(ask(['go'], more)), JSON.stringify(more)).toMatchObject({ exitCode: ExitCode.usage });
    }
    expect(world.client.requests).toHaveLength(0);
  });

  it('reads a named pipe (-a <(cat shot.png)) up to the limit instead of refusing it', async () => {
    const bytes = png(3, 3);
    execFileSync('mkfifo', [home('pipe')]);
    const writing = writeFile(home('pipe'), bytes);
    await ask(['go'], { attach: ['pipe'] });
    await writing;
    expect(sentLast().content).toEqual([
      { type: 'text', text: 'go' },
      { type: 'image_url', image_url: { url: dataUrl('image/png', bytes) } },
    ]);
  });

  it('reads a device (/dev/null) rather than calling it a folder', async () => {
    expect(await failure(ask(['go'], { attach: ['/dev/null'] }))).toMatchObject({
      exitCode: ExitCode.badInput,
      message: '/dev/null is not an image or PDF (it looks like an empty file)',
    });
  });
});

describe('--dry-run', () => {
  it('lists each message with its attachments, and estimates image tokens from their sizes', async () => {
    const shot = await put('shot.png', png(1024, 1024));
    const doc = await put('r.pdf', pdf('x'));
    await ask(['What is in these?'], { dryRun: true, attach: ['shot.png', 'r.pdf', 'https://example.com/c.gif'] });
    const lines = world.out().split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'model: gpt-5.4-mini',
      'messages:',
      `  user: 17 B, with shot.png (image/png, ${(shot.length / 1024).toFixed(1)} KiB; 1024×1024: about 765 tokens), r.pdf (application/pdf, ${doc.length} B; not counted), https://example.com/c.gif (image/gif; size unknown, not counted)`,
    ]);
    expect(lines[3]).toMatch(/^input tokens: \d+ \(exact, o200k_base\) \+ about 765 for images \(estimated from their sizes\)$/);
    expect(world.client.requests).toHaveLength(0);
    expect(await listing(storeDir())).toEqual([]);
  });

  it('counts low detail as 85 tokens an image', async () => {
    await put('shot.png', png(1024, 1024));
    await ask(['x'], { dryRun: true, attach: ['shot.png'], detail: 'low' });
    expect(world.out()).toContain('detail low; 1024×1024: about 85 tokens');
  });
});
