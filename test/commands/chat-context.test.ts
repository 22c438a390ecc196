// gpt chat with files and attachments in-process (README "Slash commands", "Context: files,
// images and PDFs"): /file and /attach, what each request carries, and what threads keep.
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runAsk } from '../../src/commands/ask.js';
import { runChat, type ChatOptions } from '../../src/commands/chat.js';
import type { Deps } from '../../src/commands/deps.js';
import { apiMessage } from '../../src/llm/message-parts.js';
import { dataUrl, pdf, png } from '../support/attachment-files.js';
import { eachTestWorld, failure, scriptedLines } from '../support/fake-deps.js';

const world = eachTestWorld();

const chat = (lines: string[], options: Partial<ChatOptions> = {}, deps: Deps = world.deps) =>
  runChat({ continueLatest: false, stream: true, ...options }, deps, scriptedLines(lines));
const home = (...parts: string[]) => join(world.home, ...parts);
const put = async (name: string, bytes: Buffer | string) => {
  await mkdir(join(world.home, name, '..'), { recursive: true });
  await writeFile(home(name), bytes);
  return Buffer.from(bytes);
};
/** Each request's messages as they go on the wire. */
const sent = () => world.client.requests.map((r) => r.messages.map(apiMessage));
const loadThread = async (name: string) => YAML.parse(await readFile(join(world.threadsDir, `${name}.yaml`), 'utf8'));

describe('gpt chat --thread with attachments in its history', () => {
  it("sends the earlier turns' attachments again, from the store after the file went", async () => {
    const shot = await put('shot.png', png(8, 8));
    await runAsk({ args: ['what is it?'], thread: 't', attach: ['shot.png'], continueLatest: false, json: false, stream: true }, world.deps);
    await unlink(home('shot.png'));
    await chat(['and its colour?'], { thread: 't' });
    expect(sent().at(-1)).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is it?' },
          { type: 'image_url', image_url: { url: dataUrl('image/png', shot) } },
        ],
      },
      { role: 'assistant', content: 'echo: what is it?' },
      { role: 'user', content: 'and its colour?' },
    ]);
  });
});

describe('/file and /attach', () => {
  it('puts the files before the next message and the attachments after its text, then nothing more', async () => {
    await put('src/a.ts', 'export const a = 1;\n');
    await put('src/lib/b.ts', 'export const b = 2;\n');
    const shot = await put('shot.png', png(4, 3));
    const doc = await put('r.pdf', pdf('numbers'));
    await chat(['/file src/', '/attach shot.png', '/attach r.pdf', 'review this', 'and now?'], { thread: 't' });
    expect(world.stderr()).toBe(
      [
        'gpt: added src/ (2 files, 40 B) to the next message',
        `gpt: added shot.png (image/png, ${shot.length} B) to the next message`,
        `gpt: added r.pdf (application/pdf, ${doc.length} B) to the next message`,
        '',
      ].join('\n'),
    );
    const text = 'src/a.ts\n```\nexport const a = 1;\n```\n\nsrc/lib/b.ts\n```\nexport const b = 2;\n```\n\nreview this';
    const first = {
      role: 'user',
      content: [
        { type: 'text', text },
        { type: 'image_url', image_url: { url: dataUrl('image/png', shot) } },
        { type: 'file', file: { filename: 'r.pdf', file_data: dataUrl('application/pdf', doc) } },
      ],
    };
    expect(sent()).toEqual([
      [first],
      // The next message goes alone; the first is sent again with its attachments.
      [first, { role: 'assistant', content: `echo: ${text}` }, { role: 'user', content: 'and now?' }],
    ]);
    const kept = (await loadThread('t')).messages;
    expect(kept[0].content).toBe(text);
    expect(kept[0].attachments.map((a: { path: string }) => a.path)).toEqual(['shot.png', 'r.pdf']);
    expect(kept[2].attachments).toBeUndefined();
    expect(await readFile(home('data', 'gpt', 'attachments', kept[0].attachments[0].sha256))).toEqual(shot);
  });

  it('goes through the template with the files, as ask does', async () => {
    await put('config/gpt/templates/wrap.yaml', 'prompt: "Q: {{input}}"\n');
    await put('n.txt', 'note\n');
    await chat(['/file n.txt', 'why?'], { template: 'wrap' });
    expect(world.client.prompts()).toEqual(['Q: n.txt\n```\nnote\n```\n\nwhy?']);
  });

  it('says what is waiting with /file or /attach alone', async () => {
    await put('n.txt', 'note\n');
    await chat(['/file', '/file n.txt', '/attach https://example.com/cat.jpg', '/attach']);
    expect(
      world
        .stderr()
        .split('\n')
        .filter((l) => !l.startsWith('gpt: added')),
    ).toEqual(['gpt: nothing is added to the next message yet', 'gpt: the next message goes with n.txt (5 B), https://example.com/cat.jpg (image/jpeg)', '']);
    expect(world.client.requests).toHaveLength(0);
  });

  it('refuses a bad path with one line, adds nothing, and goes on (failing the session at the end)', async () => {
    await put('notes.txt', 'text\n');
    const run = chat(['/file nowhere.ts', '/attach notes.txt', '/file -', 'hello']);
    expect(await failure(run)).toMatchObject({ exitCode: 6, message: '3 commands failed' });
    expect(world.stderr().split('\n')).toEqual([
      'gpt: /file nowhere.ts: no such file or folder — check the path',
      'gpt: notes.txt is not an image or PDF (it looks like text) — attach png, jpeg, gif, webp or PDF files; text goes with /file; nothing was sent',
      'gpt: chat reads its messages from stdin, so no file can come from it — name a file or folder; nothing was added',
      '',
    ]);
    expect(sent()).toEqual([[{ role: 'user', content: 'hello' }]]);
  });

  it('expands a leading ~ to $HOME in /file and /attach, as a shell would (none reads them)', async () => {
    await put('notes.txt', 'note\n');
    const shot = await put('pics/shot.png', png(2, 2));
    await chat(['/file ~/notes.txt', '/attach ~/pics/shot.png', 'hello']);
    expect(sent()[0]!.at(-1)).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: `${home('notes.txt')}\n\`\`\`\nnote\n\`\`\`\n\nhello` },
        { type: 'image_url', image_url: { url: dataUrl('image/png', shot) } },
      ],
    });
  });

  it('hints in its own words: /attach of a folder or of stdin', async () => {
    await put('d/a.png', png(1, 1));
    await failure(chat(['/attach d', '/attach -', 'hello']));
    expect(world.stderr().split('\n')).toEqual([
      'gpt: d is not a file — attach files one by one (/attach a.png, then /attach b.pdf); text goes with /file; nothing was sent',
      'gpt: chat reads its messages from stdin, so no attachment can come from it — name a file; nothing was added',
      '',
    ]);
  });

  it('counts the files added to one message against --max-files-size together', async () => {
    await put('a.txt', 'a'.repeat(600));
    await put('b.txt', 'b'.repeat(600));
    await failure(chat(['/file a.txt', '/file b.txt', 'go'], { maxFilesSize: 1000 }));
    expect(world.stderr()).toContain('gpt: the files added come to 1.2 KiB, over the 1000 B limit (largest: a.txt 600 B, b.txt 600 B)');
    expect(world.client.prompts()).toEqual([`a.txt\n\`\`\`\n${'a'.repeat(600)}\n\`\`\`\n\ngo`]);
  });

  it('refuses an image for a model known not to take images, when added and again when sent after /model', async () => {
    await world.renew({ config: { models: { blind: { images: false } } } });
    const shot = await put('shot.png', png(2, 2));
    const run = chat(['/model blind', '/attach shot.png', '/model seeing', '/attach shot.png', '/model blind', 'what is it?', '/model seeing', 'what is it?']);
    expect(await failure(run)).toMatchObject({ exitCode: 2, message: '1 of 2 turns and 1 command failed' });
    const refusals = world
      .stderr()
      .split('\n')
      .filter((l) => l.includes('takes no images'));
    expect(refusals).toHaveLength(2);
    expect(refusals[0]).toMatch(/^gpt: blind takes no images \(\/attach shot\.png\)/);
    // The refused turn sent nothing, and left the image for the next message.
    expect(sent()).toEqual([
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is it?' },
            { type: 'image_url', image_url: { url: dataUrl('image/png', shot) } },
          ],
        },
      ],
    ]);
    expect(world.client.requests[0]!.model).toBe('seeing');
  });

  it("/retry sends the turn's attachments again, and the thread keeps their references", async () => {
    const shot = await put('shot.png', png(2, 2));
    await chat(['/attach shot.png', 'what is it?', '/retry'], { thread: 't' });
    const [once, again] = sent();
    expect(again).toEqual(once);
    expect(JSON.stringify(again)).toContain(dataUrl('image/png', shot));
    const kept = (await loadThread('t')).messages;
    expect(kept).toHaveLength(2);
    expect(kept[0].attachments[0].path).toBe('shot.png');
  });

  it('new drops what was added, saying so', async () => {
    await put('n.txt', 'note\n');
    await chat(['/file n.txt', 'new', 'hello']);
    expect(world.stderr()).toContain('gpt: dropped what was added to the next message (n.txt (5 B))\n');
    expect(world.client.prompts()).toEqual(['hello']);
  });

  it("/save of a conversation not yet on disk keeps its attachments' bytes too", async () => {
    await world.renew({ config: { save_conversations: false } });
    const shot = await put('shot.png', png(2, 2));
    await chat(['/attach shot.png', 'what is it?', '/save kept']);
    const [message] = (await loadThread('kept')).messages;
    expect(await readFile(home('data', 'gpt', 'attachments', message.attachments[0].sha256))).toEqual(shot);
  });
});

describe('gpt chat -f and -a', () => {
  it('add to the first message only, with --detail on the images', async () => {
    await put('n.txt', 'note\n');
    await chat(['what is this?', 'more'], { files: ['n.txt'], attach: ['https://example.com/cat.jpg'], detail: 'low' });
    expect(sent().map((messages) => messages.at(-1))).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'n.txt\n```\nnote\n```\n\nwhat is this?' },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'low' } },
        ],
      },
      { role: 'user', content: 'more' },
    ]);
  });

  it('refuse a bad file before the chat starts (exit 6, nothing read or sent)', async () => {
    const lines = scriptedLines(['hi']);
    await expect(runChat({ continueLatest: false, stream: true, attach: ['missing.png'] }, world.deps, lines)).rejects.toMatchObject({
      exitCode: 6,
      message: 'no file missing.png to attach',
    });
    expect(world.client.requests).toHaveLength(0);
  });
});
