// gpt chat's slash commands, driven from a pipe exactly as they are typed on a terminal.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { dataUrl, png } from '../support/attachment-files.js';
import { runGpt, threadFiles } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

const requests = () => server.chatRequests().map((r) => r.body as { model: string; messages: { role: string; content: string }[] });
const loadThread = async (name: string) => YAML.parse(await readFile(join(sandbox.threadsDir, `${name}.yaml`), 'utf8'));

describe('gpt chat slash commands from a pipe', () => {
  it('/model changes the model of the next requests, and the turn records it', async () => {
    const r = await runGpt(sandbox, ['chat', '--thread', 'm', '-m', 'first-model'], { input: 'one\n/model other-model\ntwo\n' });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(requests().map((b) => b.model)).toEqual(['first-model', 'other-model']);
    expect((await loadThread('m')).messages.map((m: { model?: string }) => m.model)).toEqual([undefined, 'first-model', undefined, 'other-model']);
  });

  it('/system sets the system prompt of the next requests', async () => {
    const r = await runGpt(sandbox, ['chat'], { input: 'one\n/system Be brief.\ntwo\n' });
    expect(r.exitCode).toBe(0);
    expect(requests().map((b) => b.messages[0])).toEqual([
      { role: 'user', content: 'one' },
      { role: 'system', content: 'Be brief.' },
    ]);
  });

  it('/retry asks the last question again; the history and the thread keep only the new reply', async () => {
    server.enqueue({ kind: 'reply', text: 'first answer' }, { kind: 'reply', text: 'second answer' }, { kind: 'reply', text: 'third' });
    const r = await runGpt(sandbox, ['chat', '--thread', 'r'], { input: 'question\n/retry\nnext\n' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('first answer\nsecond answer\nthird\n');
    const sent = requests().map((b) => b.messages);
    expect(sent[1]).toEqual(sent[0]); // the same question, without the replaced reply
    expect(sent[2]).toEqual([
      { role: 'user', content: 'question' },
      { role: 'assistant', content: 'second answer' },
      { role: 'user', content: 'next' },
    ]);
    const thread = await loadThread('r');
    expect(thread.messages.map((m: { content: string }) => m.content)).toEqual(['question', 'second answer', 'next', 'third']);
  });

  it('/retry that fails keeps the earlier reply', async () => {
    server.enqueue({ kind: 'reply', text: 'kept answer' }, { kind: 'error', status: 400, message: 'bad' });
    const r = await runGpt(sandbox, ['chat', '--thread', 'f', '--max-retries', '0'], { input: 'question\n/retry\nnext\n' });
    expect(r.exitCode).not.toBe(0);
    expect(requests()[2]!.messages.map((m) => m.content)).toEqual(['question', 'kept answer', 'next']);
    expect((await loadThread('f')).messages.map((m: { content: string }) => m.content)).toEqual(['question', 'kept answer', 'next', 'echo: next']);
  });

  it('/save keeps the conversation as a named thread and goes on in it; the generated one moves', async () => {
    const r = await runGpt(sandbox, ['chat'], { input: 'one\n/save whales\ntwo\n' });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe("gpt: this conversation is kept as thread 'whales'\n");
    expect(await threadFiles(sandbox)).toEqual(['whales.yaml']);
    expect((await loadThread('whales')).messages.map((m: { content: string }) => m.content)).toEqual(['one', 'echo: one', 'two', 'echo: two']);
  });

  it('/save refuses a name in use, and the chat goes on', async () => {
    await runGpt(sandbox, ['chat', '--thread', 'taken'], { input: 'x\n' });
    const r = await runGpt(sandbox, ['chat', '--thread', 'mine'], { input: 'one\n/save taken\ntwo\n' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("a thread named 'taken' exists already");
    expect((await loadThread('mine')).messages).toHaveLength(4);
    expect((await loadThread('taken')).messages).toHaveLength(2);
  });

  it('/edit sends what was written in $EDITOR; // sends a line beginning with /; a mistyped command is not sent', async () => {
    const editor = join(sandbox.home, 'editor.sh');
    await writeFile(editor, '#!/bin/sh\nprintf \'composed\\nin the editor\\n\' > "$1"\n');
    await chmod(editor, 0o755);
    const r = await runGpt(sandbox, ['chat'], { input: '/edit\n//etc/hosts\n/rety\n', env: { EDITOR: editor } });
    expect(requests().map((b) => b.messages.at(-1)!.content)).toEqual(['composed\nin the editor', '/etc/hosts']);
    expect(r.stderr).toContain("gpt: unknown command '/rety'; nothing was sent");
    expect(r.exitCode).toBe(2);
  });

  it('/help lists the commands on stderr', async () => {
    const r = await runGpt(sandbox, ['chat'], { input: '/help\n' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('/retry');
    expect(r.stderr).toContain('//');
    expect(requests()).toHaveLength(0);
  });
});

describe('gpt chat with files', () => {
  it('-a and --detail go with the first message, /file with the next; the resumed thread sends the image again', async () => {
    const shot = png(8, 8);
    await writeFile(join(sandbox.home, 'shot.png'), shot);
    await writeFile(join(sandbox.home, 'n.txt'), 'note\n');
    const r = await runGpt(sandbox, ['chat', '--thread', 'f', '-a', 'shot.png', '--detail', 'low'], { input: 'what is it?\n/file n.txt\nand this?\n' });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe(`gpt: added shot.png (image/png, ${shot.length} B, detail low) to the next message\ngpt: added n.txt (5 B) to the next message\n`);
    const image = { type: 'image_url', image_url: { url: dataUrl('image/png', shot), detail: 'low' } };
    const first = { role: 'user', content: [{ type: 'text', text: 'what is it?' }, image] };
    expect(requests().map((b) => b.messages.at(-1))).toEqual([first, { role: 'user', content: 'n.txt\n```\nnote\n```\n\nand this?' }]);
    const again = await runGpt(sandbox, ['chat', '--thread', 'f'], { input: 'more\n' });
    expect(again.exitCode).toBe(0);
    expect(requests().at(-1)!.messages[0]).toEqual(first);
  });
});
