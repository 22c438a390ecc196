// What a chat session does is tested in-process (test/commands/chat.test.ts); here, what only a
// process shows: reading a pipe, signals, a terminal, faults of a real stream.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { GPT_BIN, runGpt } from '../support/cli.js';
import { execa } from 'execa';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

const histories = () =>
  server.chatRequests().map((r) => (r.body.messages as { role: string; content: string }[]));
const loadThread = async (name: string) => YAML.parse(await readFile(join(sandbox.threadsDir, name), 'utf8'));

describe('gpt chat from a pipe', () => {
  it('takes a last line that has no newline, then leaves at the end of input', async () => {
    const r = await runGpt(sandbox, ['chat'], { input: 'a' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('echo: a\n');
    expect(histories()).toHaveLength(1);
  });

  it('prints a reply that broke off on its own line before the error', async () => {
    server.enqueue({ kind: 'reply', text: 'half a reply', chunks: ['half ', 'a reply'], dropAfterChunks: 1 });
    const r = await runGpt(sandbox, ['chat', '--max-retries', '0'], { input: 'q1\nq2\n' });
    expect(r.stdout).toBe('half \necho: q2\n');
    expect(r.stderr).toMatch(/^gpt: .*\n/);
    expect(histories()[1]!.map((m) => m.content)).toEqual(['q2']);
  });

  it('waits for whole replies with --no-stream', async () => {
    const r = await runGpt(sandbox, ['chat', '--no-stream'], { input: 'q1\nq2\n' });
    expect(r.stdout).toBe('echo: q1\necho: q2\n');
    expect(server.chatRequests().map((q) => q.body.stream)).toEqual([false, false]);
  });

  it('fails at once without a key, before reading any line', async () => {
    const r = await runGpt(sandbox, ['chat'], { input: 'q1\n', env: { OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined } });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('OPENAI_API_KEY is not set');
  });
});

describe('gpt chat and signals, from a pipe', () => {
  const start = () => execa('node', [GPT_BIN, 'chat', '--thread', 'sig'], {
    env: sandbox.env, extendEnv: false, cwd: sandbox.home, reject: false, stripFinalNewline: false, timeout: 20_000,
  });
  const untilOutput = (child: ReturnType<typeof start>, pattern: RegExp) => new Promise<void>((resolve) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (pattern.test(out)) resolve();
    });
  });

  it('SIGINT during a reply ends the session (130), keeping the turns before it', async () => {
    server.enqueue({ kind: 'reply' }, { kind: 'reply', chunks: ['one ', 'two ', 'three'], chunkDelayMs: 400 });
    const child = start();
    child.stdin!.write('q1\nq2\nq3\n');
    await untilOutput(child, /echo: q1\none $/);
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(r.stdout).toBe('echo: q1\none \n');
    expect(r.stderr).toBe('gpt: interrupted\n');
    expect((await loadThread('sig.yaml')).messages).toHaveLength(2);
    expect(server.chatRequests()).toHaveLength(2);
  });

  it('SIGTERM while waiting for the next line ends the session (143)', async () => {
    const child = start();
    child.stdin!.write('q1\n');
    await untilOutput(child, /echo: q1\n$/);
    child.kill('SIGTERM');
    const r = await child;
    expect(r.exitCode).toBe(143);
    expect(r.stderr).toBe('gpt: terminated\n');
    expect((await loadThread('sig.yaml')).messages).toHaveLength(2);
  });
});

/** `gpt chat` in a pseudo-terminal (util-linux `script`), driven key by key. */
function chatInTerminal(args: string[], size?: { columns: number; rows: number }) {
  const gpt = ['node', GPT_BIN, 'chat', ...args].map((a) => `'${a}'`).join(' ');
  // Unless sized, the terminal has 0 columns: once a hang of the spinner, so both are tried.
  const command = size ? `stty cols ${size.columns} rows ${size.rows}; exec ${gpt}` : gpt;
  const child = execa('script', ['-qefc', command, '/dev/null'], {
    env: { ...sandbox.env, TERM: 'xterm' }, extendEnv: false, cwd: sandbox.home, reject: false, timeout: 20_000,
  });
  let screen = '';
  child.stdout!.on('data', (chunk: Buffer) => { screen += chunk.toString('utf8'); });
  // Escape sequences (cursor moves, the spinner) and carriage returns out: what a person reads.
  const text = () => screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
  return {
    text,
    type: (keys: string) => void child.stdin!.write(keys),
    /** Resolves when the screen, past `from` characters, matches. */
    async waitFor(pattern: RegExp, from = 0): Promise<number> {
      const deadline = Date.now() + 10_000;
      while (!pattern.test(text().slice(from))) {
        if (Date.now() > deadline) throw new Error(`waited for ${pattern}; the screen shows:\n${text()}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return text().length;
    },
    exit: async () => (await child).exitCode,
  };
}

describe('gpt chat on a terminal', () => {
  it('stops a streaming reply on Ctrl-C, returns to the prompt, and leaves on Ctrl-C at an empty prompt', async () => {
    const slow = Array.from({ length: 40 }, (_, i) => `word${i} `);
    server.enqueue({ kind: 'reply', chunks: slow, chunkDelayMs: 250 });
    const chat = chatInTerminal(['--thread', 'whales'], { columns: 80, rows: 24 });
    let seen = await chat.waitFor(/type 'quit' to exit, type 'new' to begin a new conversation\n[^]*You: $/);
    chat.type('tell me slowly\r');
    seen = await chat.waitFor(/Asking gpt-4o-mini/, seen); // the spinner, until the first words
    seen = await chat.waitFor(/Assistant: word0 /, seen);
    chat.type('\x03');
    seen = await chat.waitFor(/gpt: reply stopped; this turn was not kept\n\nYou: $/, seen);
    expect(chat.text()).not.toContain('word39');

    chat.type('and now?\r');
    seen = await chat.waitFor(/Assistant: echo: and now\?\n\nYou: $/, seen);
    chat.type('\x03');
    expect(await chat.exit()).toBe(0);

    // The stopped turn was neither sent again nor kept.
    expect(histories()[1]!.map((m) => m.content)).toEqual(['and now?']);
    expect((await loadThread('whales.yaml')).messages.map((m: { content: string }) => m.content))
      .toEqual(['and now?', 'echo: and now?']);
  });

  it('clears typed text on Ctrl-C, takes a """ block as one message, and leaves on Ctrl-D', async () => {
    const chat = chatInTerminal([]);
    let seen = await chat.waitFor(/You: $/);
    chat.type('never sent');
    await chat.waitFor(/never sent$/, seen);
    chat.type('\x03');
    chat.type('"""\r');
    seen = await chat.waitFor(/\.\.\. $/, seen);
    chat.type('new\r');
    await chat.waitFor(/\.\.\. $/, seen + 1);
    chat.type('quit\r"""\r');
    seen = await chat.waitFor(/Assistant: echo: new\nquit\n\nYou: $/, seen);
    chat.type('\x04');
    expect(await chat.exit()).toBe(0);
    expect(histories().map((h) => h.map((m) => m.content))).toEqual([['new\nquit']]);
  });
});
