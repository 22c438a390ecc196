// Batch items' `files:` and `attachments:` through the built binary: the exact parts the fake
// server gets (local runs), a thread item continued with an earlier image, the --remote
// request file carrying the data URL, and a link out of the folder refused with nothing sent.
import { mkdir, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGpt } from '../support/cli.js';
import { dataUrl, pdf, png } from '../support/attachment-files.js';
import { sandbox, server, useHarness } from '../support/harness.js';
import { jsonLines } from '../support/json-lines.js';

useHarness();

const at = (...parts: string[]) => join(sandbox.home, ...parts);
const lines = (...items: object[]) => `${items.map((i) => JSON.stringify(i)).join('\n')}\n`;

async function job(files: Record<string, Buffer | string>): Promise<void> {
  for (const [name, bytes] of Object.entries(files)) {
    await mkdir(join(at('job', name), '..'), { recursive: true });
    await writeFile(at('job', name), bytes);
  }
}

describe('gpt batch with files and attachments', () => {
  it("sends each item's files before its prompt and its attachments as parts", async () => {
    const shot = png(32, 16);
    const doc = pdf('numbers');
    await job({
      'notes.md': 'remember the whales\n',
      'shot.png': shot,
      'r.pdf': doc,
      'p.jsonl': lines({ id: 'a', prompt: 'review', files: ['notes.md'], attachments: ['shot.png', 'r.pdf'], detail: 'high' }),
    });
    const r = await runGpt(sandbox, ['batch', 'job/p.jsonl']);
    expect(r.stderr).toMatch(/^gpt: 1 item: 1 done, 0 failed/);
    expect(r.exitCode).toBe(0);
    expect(server.chatRequests().at(-1)!.body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'notes.md\n```\nremember the whales\n```\n\nreview' },
          { type: 'image_url', image_url: { url: dataUrl('image/png', shot), detail: 'high' } },
          { type: 'file', file: { filename: 'r.pdf', file_data: dataUrl('application/pdf', doc) } },
        ],
      },
    ]);
  });

  it("an item of a thread sends the thread's earlier image again, even after its file was deleted", async () => {
    const shot = png(8, 8);
    await job({ 'shot.png': shot, 'p.jsonl': lines({ prompt: 'what is this?', thread: 'pics', attachments: ['shot.png'] }) });
    expect((await runGpt(sandbox, ['batch', 'job/p.jsonl'])).exitCode).toBe(0);
    await unlink(at('job', 'shot.png'));
    await job({ 'q.jsonl': lines({ prompt: 'and its colour?', thread: 'pics' }) });
    const r = await runGpt(sandbox, ['batch', 'job/q.jsonl']);
    expect(r.exitCode).toBe(0);
    expect(server.chatRequests().at(-1)!.body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image_url', image_url: { url: dataUrl('image/png', shot) } },
        ],
      },
      { role: 'assistant', content: 'echo: what is this?' },
      { role: 'user', content: 'and its colour?' },
    ]);
  });

  it("refuses a symbolic link out of the input file's folder: exit 6 with file:line, nothing sent", async () => {
    await writeFile(at('secret.txt'), 'private\n');
    await job({ 'ok.txt': 'fine\n', 'p.jsonl': lines({ prompt: 'good', files: ['ok.txt'] }, { prompt: 'bad', attachments: ['key.png'] }) });
    await symlink(at('secret.txt'), at('job', 'key.png'));
    const r = await runGpt(sandbox, ['batch', 'job/p.jsonl']);
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toMatch(/^gpt: job\/p\.jsonl:2: 'key\.png' leads out of the folder .* through a symbolic link/);
    expect(server.chatRequests()).toHaveLength(0);
  });

  it("--remote: the uploaded request file carries the files' text and the attachments inline as data URLs", async () => {
    server.enqueueBatch({});
    const shot = png(16, 16);
    await job({ 'notes.md': 'context\n', 'shot.png': shot, 'p.jsonl': lines({ id: 'a', prompt: 'look', files: ['notes.md'], attachments: ['shot.png'] }) });
    const r = await runGpt(sandbox, ['batch', 'job/p.jsonl', '--remote', '-m', 'm-remote', '--poll-interval', '0.01']);
    expect(r.exitCode).toBe(0);
    const upload = server.files().find((f) => f.purpose === 'batch')!;
    expect(jsonLines(upload.text())).toEqual([
      {
        custom_id: 'a',
        method: 'POST',
        url: '/v1/chat/completions',
        body: {
          model: 'm-remote',
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'notes.md\n```\ncontext\n```\n\nlook' },
                { type: 'image_url', image_url: { url: dataUrl('image/png', shot) } },
              ],
            },
          ],
        },
      },
    ]);
  });
});
