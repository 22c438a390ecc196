// gpt ask -a through the built binary against the fake server: the exact request body,
// a thread continued after its image was deleted, and refusals with nothing sent or written.
import { createHash } from 'node:crypto';
import { open, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { execa } from 'execa';
import { GPT_BIN, runGpt } from '../support/cli.js';
import { dataUrl, jpeg, pdf, png } from '../support/attachment-files.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

const at = (name: string) => join(sandbox.home, name);
const listing = (dir: string) => readdir(dir).catch(() => [] as string[]);

describe('gpt ask -a', () => {
  it('sends each kind as its content part, in order, with --detail on the images', async () => {
    const shot = png(32, 16);
    const photo = jpeg(640, 480);
    const doc = pdf('numbers');
    await writeFile(at('shot.png'), shot);
    await writeFile(at('photo.png'), photo); // a jpeg, whatever its name
    await writeFile(at('report.pdf'), doc);
    const r = await runGpt(sandbox, [
      'ask',
      '--detail',
      'high',
      '-a',
      'shot.png',
      '-a',
      'photo.png',
      '-a',
      'report.pdf',
      '-a',
      'https://example.com/cat.webp',
      'What are these?',
    ]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('echo: What are these?\n');
    expect(server.chatRequests().at(-1)!.body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What are these?' },
          { type: 'image_url', image_url: { url: dataUrl('image/png', shot), detail: 'high' } },
          { type: 'image_url', image_url: { url: dataUrl('image/jpeg', photo), detail: 'high' } },
          { type: 'file', file: { filename: 'report.pdf', file_data: dataUrl('application/pdf', doc) } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.webp', detail: 'high' } },
        ],
      },
    ]);
  });

  it('takes a pipe: -a -, -a /dev/stdin and -a <(...) read the piped image whole (stdin is then not the prompt)', async () => {
    const shot = png(6, 6);
    await writeFile(at('shot.png'), shot);
    // As a shell runs them: `cat | gpt` gives gpt a pipe (node's own child stdin is a socket, which no path opens).
    for (const line of [
      'cat shot.png | "$GPT" ask -a - "what is this?"',
      'cat shot.png | "$GPT" ask -a /dev/stdin "what is this?"',
      '"$GPT" ask -a <(cat shot.png) "what is this?"',
    ]) {
      const r = await execa('bash', ['-c', line], {
        env: { ...sandbox.env, GPT: GPT_BIN },
        extendEnv: false,
        reject: false,
        cwd: sandbox.home,
        input: '',
        timeout: 20_000,
      });
      expect(r.stderr, line).toBe('');
      expect(r.exitCode).toBe(0);
      expect(server.chatRequests().at(-1)!.body.messages[0].content).toEqual([
        { type: 'text', text: 'what is this?' },
        { type: 'image_url', image_url: { url: dataUrl('image/png', shot) } },
      ]);
    }
  });

  it('continues a thread after its image was deleted: re-sent from the store, the same data URL', async () => {
    const shot = png(8, 8);
    await writeFile(at('shot.png'), shot);
    expect((await runGpt(sandbox, ['ask', '--thread', 'look', '-a', 'shot.png', 'What is it?'])).exitCode).toBe(0);
    const text = await readFile(join(sandbox.threadsDir, 'look.yaml'), 'utf8');
    const sha256 = createHash('sha256').update(shot).digest('hex');
    expect(YAML.parse(text).messages[0].attachments).toEqual([{ path: 'shot.png', sha256, mime: 'image/png', bytes: shot.length }]);
    expect(text).not.toContain('base64');
    expect(await listing(join(sandbox.dataHome, 'gpt', 'attachments'))).toEqual([sha256]);

    await unlink(at('shot.png'));
    const r = await runGpt(sandbox, ['ask', '--thread', 'look', 'And its colour?']);
    expect(r.exitCode).toBe(0);
    const [first, second] = server.chatRequests().map((c) => c.body.messages);
    expect(second[0]).toEqual(first[0]);
    expect(second[0].content[1]).toEqual({ type: 'image_url', image_url: { url: dataUrl('image/png', shot) } });
    expect(second[2]).toEqual({ role: 'user', content: 'And its colour?' });
  });

  it('refuses an image over the limit with one line, exit 6, nothing sent or written', async () => {
    await writeFile(at('huge.png'), png(2, 2));
    const handle = await open(at('huge.png'), 'r+');
    await handle.truncate(21 * 1024 * 1024); // sparse: no 21 MiB written
    await handle.close();
    const r = await runGpt(sandbox, ['ask', '--thread', 'x', '-a', 'huge.png', 'describe']);
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toBe('gpt: huge.png is 21 MiB, over the 20 MiB limit for an image — scale it down first; nothing was sent\n');
    expect(server.chatRequests()).toHaveLength(0);
    expect(await listing(sandbox.threadsDir)).toEqual([]);
  });

  it('refuses a model known to take no images: exit 2, nothing sent', async () => {
    await writeFile(at('shot.png'), png(2, 2));
    const r = await runGpt(sandbox, ['ask', '-m', 'gpt-3.5-turbo', '-a', 'shot.png', 'describe']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^gpt: gpt-3\.5-turbo takes no images \(-a shot\.png\) — /);
    expect(server.chatRequests()).toHaveLength(0);
  });

  it('refuses a --detail that is not low, high or auto', async () => {
    const r = await runGpt(sandbox, ['ask', '--detail', 'max', '-a', 'https://example.com/x.png', 'hi']);
    expect(r.exitCode).toBe(2);
    expect(server.chatRequests()).toHaveLength(0);
  });
});
