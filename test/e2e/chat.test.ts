// What a chat session does is tested in-process (test/commands/chat.test.ts); here, what only a
// process shows: reading a pipe, signals, faults of a real stream (a terminal: terminal.test.ts).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { GPT_BIN, runGpt } from '../support/cli.js';
import { execa } from 'execa';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

const histories = () => server.chatRequests().map((r) => r.body.messages as { role: string; content: string }[]);
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
    // Streamed on the wire all the same (so --timeout means silence), printed when whole.
    expect(server.chatRequests().map((q) => q.body.stream)).toEqual([true, true]);
  });

  it('fails at once without a key, before reading any line', async () => {
    const r = await runGpt(sandbox, ['chat'], { input: 'q1\n', env: { OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined } });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('OPENAI_API_KEY is not set');
  });
});

describe('gpt chat and signals, from a pipe', () => {
  const start = () =>
    execa('node', [GPT_BIN, 'chat', '--thread', 'sig'], {
      env: sandbox.env,
      extendEnv: false,
      cwd: sandbox.home,
      reject: false,
      stripFinalNewline: false,
      timeout: 20_000,
    });
  const untilOutput = (child: ReturnType<typeof start>, pattern: RegExp) =>
    new Promise<void>((resolve) => {
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
