// gpt chat on a pseudo-terminal: line history across sessions, leaving, resuming, colour.
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';
import { closeTerminals, runInTerminal } from '../support/pty.js';

useHarness();
afterEach(closeTerminals);

const UP = '\x1b[A';
const LEAVE_HINT = '(to leave, press Ctrl-C again, or Ctrl-D, or type quit)';
const sentPrompts = () => server.chatRequests().map((r) => r.body.messages.at(-1).content);

describe('gpt chat line history', () => {
  it('brings back lines of an earlier session with Up; keeps the file private, without lines starting with a space', async () => {
    const state = join(sandbox.home, 'state');
    const env = { XDG_STATE_HOME: state };
    const first = runInTerminal(sandbox, ['chat'], { env });
    await first.waitFor(/You: $/);
    first.type('first question\r');
    await first.waitFor(/echo: first question\n\nYou: $/);
    first.type(' my secret\r');
    await first.waitFor(/echo: +my secret\n\nYou: $/);
    first.type('quit\r');
    expect(await first.exit()).toBe(0);

    const file = join(state, 'gpt', 'chat_history');
    expect(await readFile(file, 'utf8')).toBe('first question\nquit\n');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(state, 'gpt'))).mode & 0o777).toBe(0o700);

    const second = runInTerminal(sandbox, ['chat'], { env });
    await second.waitFor(/You: $/);
    second.type(UP); // quit
    await second.waitFor(/You: quit$/);
    second.type(UP); // the line with a leading space was not kept
    await second.waitFor(/You: first question$/);
    second.type('\r');
    await second.waitFor(/echo: first question\n\nYou: $/);
    second.type('\x04');
    expect(await second.exit()).toBe(0);
    expect(sentPrompts()).toEqual(['first question', ' my secret', 'first question']);
    expect(await readFile(file, 'utf8')).toBe('first question\nquit\nfirst question\n');
  });

  it('keeps the newest 1,000 lines, trimming a file grown to twice that', async () => {
    const state = join(sandbox.home, 'state');
    await mkdir(join(state, 'gpt'), { recursive: true });
    const file = join(state, 'gpt', 'chat_history');
    await writeFile(file, Array.from({ length: 2001 }, (_, i) => `line ${i}\n`).join(''));
    const term = runInTerminal(sandbox, ['chat'], { env: { XDG_STATE_HOME: state } });
    await term.waitFor(/You: $/);
    term.type(UP);
    await term.waitFor(/You: line 2000$/);
    term.type('\x03');
    await term.waitFor(/You: $/);
    term.type('\x04');
    expect(await term.exit()).toBe(0);
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(1000);
    expect(lines[0]).toBe('line 1001');
  });

  it('loses no line when two chats write the history at once', async () => {
    const state = join(sandbox.home, 'state');
    const env = { XDG_STATE_HOME: state };
    const a = runInTerminal(sandbox, ['chat'], { env });
    const b = runInTerminal(sandbox, ['chat'], { env });
    await Promise.all([a.waitFor(/You: $/), b.waitFor(/You: $/)]);
    for (let i = 0; i < 5; i++) {
      a.type(`a${i}\r`);
      b.type(`b${i}\r`);
      await Promise.all([a.waitFor(`echo: a${i}`), b.waitFor(`echo: b${i}`)]);
    }
    a.type('\x04');
    b.type('\x04');
    await Promise.all([a.exit(), b.exit()]);
    const lines = (await readFile(join(state, 'gpt', 'chat_history'), 'utf8')).trimEnd().split('\n');
    expect([...lines].sort()).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'b0', 'b1', 'b2', 'b3', 'b4']);
  });
});

describe('gpt chat on a terminal', () => {
  it('says how to leave on a first Ctrl-C at an empty prompt, and leaves on a second', async () => {
    const term = runInTerminal(sandbox, ['chat']);
    await term.waitFor(/You: $/);
    term.type('\x03');
    await term.waitFor(`${LEAVE_HINT}\nYou: `);
    term.type('still here\r'); // anything in between starts again
    await term.waitFor(/echo: still here\n\nYou: $/);
    term.type('\x03');
    await term.waitFor(/still here\n\nYou: ?\n\(to leave[^\n]*\nYou: $/);
    term.type('\x03');
    expect(await term.exit()).toBe(0);
  });

  it('/edit lends the terminal to the editor and sends what was saved; the prompt works after', async () => {
    const editor = join(sandbox.home, 'editor.sh');
    await writeFile(editor, '#!/bin/sh\nprintf \'from the editor\\n\' > "$1"\n');
    await chmod(editor, 0o755);
    const term = runInTerminal(sandbox, ['chat', '--raw'], { env: { EDITOR: editor } });
    await term.waitFor(/You: $/);
    term.type('/edit\r');
    await term.waitFor(/Assistant: echo: from the editor\n\nYou: $/);
    term.type('typed after\r');
    await term.waitFor(/Assistant: echo: typed after\n\nYou: $/);
    term.type('\x04');
    expect(await term.exit()).toBe(0);
    expect(sentPrompts()).toEqual(['from the editor', 'typed after']);
  });

  it('shows the last exchange when a thread resumes', async () => {
    server.enqueue({ kind: 'reply', text: 'first reply' }, { kind: 'reply', text: 'The blue whale.' });
    await runGpt(sandbox, ['chat', '--thread', 'whales'], { input: 'first\nWhat is the biggest animal?\n' });
    const term = runInTerminal(sandbox, ['chat', '--thread', 'whales']);
    await term.waitFor(/You: $/);
    expect(term.text()).toContain("gpt: resuming thread 'whales' (2 turns)\nYou: What is the biggest animal?\n\nAssistant: The blue whale.\n");
    expect(term.text()).not.toContain('first reply');
    term.type('\x04');
    expect(await term.exit()).toBe(0);
  });

  it('colours the labels and errors, and not with NO_COLOR', async () => {
    server.enqueue({ kind: 'reply' }, { kind: 'error', status: 400, message: 'bad things' });
    const term = runInTerminal(sandbox, ['chat', '--max-retries', '0']);
    await term.waitFor(/You: $/);
    term.type('one\r');
    await term.waitFor(/echo: one\n\nYou: $/);
    term.type('two\r');
    await term.waitFor(/bad things[^\n]*\n\nYou: $/);
    term.type('\x04');
    expect(await term.exit()).toBe(0);
    expect(term.raw()).toContain('\x1b[1;36mYou:\x1b[0m ');
    expect(term.raw()).toContain('\x1b[1;32mAssistant:\x1b[0m ');
    expect(term.raw()).toMatch(/\x1b\[31mgpt: [^\x1b]*bad things/);

    const plain = runInTerminal(sandbox, ['chat'], { env: { NO_COLOR: '1' } });
    await plain.waitFor(/You: $/);
    plain.type('three\r');
    await plain.waitFor(/echo: three\n\nYou: $/);
    plain.type('\x04');
    expect(await plain.exit()).toBe(0);
    expect(plain.raw()).not.toContain('\x1b[1;32m');
  });
});
