import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { GPT_BIN, runGpt, threadFiles } from '../support/cli.js';
import { execa } from 'execa';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

const SEED_SESSION = [
  'What is the biggest animal in the world?',
  'Please write a poem about blue whales.',
  'new',
  '世界上最大的动物是什么？',
  '请写一首关于蓝鲸的诗。',
  'quit',
].join('\n') + '\n';

const histories = () =>
  server.chatRequests().map((r) => (r.body.messages as { role: string; content: string }[]));
const loadThread = async (name: string) => YAML.parse(await readFile(join(sandbox.threadsDir, name), 'utf8'));

describe('gpt chat from a pipe', () => {
  it("replays the blog post's session: four requests with histories of 1, 3, 1 and 3 messages", async () => {
    const r = await runGpt(sandbox, ['chat'], { input: SEED_SESSION });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe([
      'echo: What is the biggest animal in the world?',
      'echo: Please write a poem about blue whales.',
      'echo: 世界上最大的动物是什么？',
      'echo: 请写一首关于蓝鲸的诗。',
      '',
    ].join('\n'));
    const sent = histories();
    expect(sent.map((m) => m.length)).toEqual([1, 3, 1, 3]);
    expect(sent[1]).toEqual([
      { role: 'user', content: 'What is the biggest animal in the world?' },
      { role: 'assistant', content: 'echo: What is the biggest animal in the world?' },
      { role: 'user', content: 'Please write a poem about blue whales.' },
    ]);
    expect(sent[3]!.map((m) => m.content)).toEqual(['世界上最大的动物是什么？', 'echo: 世界上最大的动物是什么？', '请写一首关于蓝鲸的诗。']);

    // Both conversations were kept under generated names; the Chinese reads as Chinese.
    const files = await threadFiles(sandbox);
    expect(files).toHaveLength(2);
    expect(files.find((f) => f.includes('-what-is-the-biggest-animal'))).toBeDefined();
    const chinese = files.find((f) => !f.includes('what'))!;
    const text = await readFile(join(sandbox.threadsDir, chinese), 'utf8');
    expect(text).toContain('content: 请写一首关于蓝鲸的诗。');
    expect(text).not.toMatch(/\\u|\\x/);
    expect((await loadThread(chinese)).messages).toHaveLength(4);
  });

  it('sends the system prompt with every conversation, also after new', async () => {
    const r = await runGpt(sandbox, ['chat', '-s', 'You are a helpful assistant.'], { input: 'a\nnew\nb\n' });
    expect(r.exitCode).toBe(0);
    expect(histories().map((h) => h.map((m) => m.role))).toEqual([['system', 'user'], ['system', 'user']]);
  });

  it('leaves at exit, end of input and quit alike, ignoring blank lines', async () => {
    for (const input of ['a\n\n   \nexit\nb\n', 'a\n', 'a']) {
      server.requests.length = 0;
      const r = await runGpt(sandbox, ['chat'], { input });
      expect(r.exitCode).toBe(0);
      expect(histories()).toHaveLength(1);
    }
  });

  it('takes the lines between two """ lines as one message', async () => {
    const r = await runGpt(sandbox, ['chat'], { input: 'one\n"""\nfirst line\nquit\n\nlast line\n"""\ntwo\n' });
    expect(r.exitCode).toBe(0);
    expect(histories().map((h) => h.at(-1)!.content)).toEqual(['one', 'first line\nquit\n\nlast line', 'two']);
  });

  it('keeps the loop and the history after an API error, and exits non-zero at the end', async () => {
    server.enqueue({ kind: 'reply' }, { kind: 'error', status: 400, message: 'bad things' });
    const r = await runGpt(sandbox, ['chat', '--max-retries', '0'], { input: 'q1\nq2\nq3\n' });
    expect(r.stderr).toBe([
      'gpt: the API rejected the request (400): bad things — check the request options',
      'gpt: 1 of 3 turns failed — see the errors above',
      '',
    ].join('\n'));
    expect(r.exitCode).toBe(4);
    expect(r.stdout).toBe('echo: q1\necho: q3\n');
    // The failed question is not part of the history.
    expect(histories()[2]!.map((m) => m.content)).toEqual(['q1', 'echo: q1', 'q3']);
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

  it('keeps nothing when save_conversations is off', async () => {
    await mkdir(join(sandbox.configHome, 'gpt'), { recursive: true });
    await writeFile(join(sandbox.configHome, 'gpt', 'config.yaml'), 'save_conversations: false\n', { mode: 0o600 });
    const r = await runGpt(sandbox, ['chat'], { input: 'q1\nnew\nq2\n' });
    expect(r.exitCode).toBe(0);
    expect(await threadFiles(sandbox)).toEqual([]);
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

describe('gpt chat --thread', () => {
  it('saves each turn, then resumes the thread and says how many turns it holds', async () => {
    const first = await runGpt(sandbox, ['chat', '--thread', 'whales', '-m', 'whale-model'], { input: 'q1\nq2\n' });
    expect(first.exitCode).toBe(0);
    expect(first.stderr).toBe('');
    const saved = await loadThread('whales.yaml');
    expect(saved.model).toBe('whale-model');
    expect(saved.messages.map((m: { content: string }) => m.content)).toEqual(['q1', 'echo: q1', 'q2', 'echo: q2']);

    server.requests.length = 0;
    const second = await runGpt(sandbox, ['chat', '--thread', 'whales'], { input: 'q3\n' });
    expect(second.exitCode).toBe(0);
    expect(second.stderr).toBe("gpt: resuming thread 'whales' (2 turns)\n");
    const [request] = server.chatRequests();
    expect(request!.body.model).toBe('whale-model');
    expect(request!.body.messages).toHaveLength(5);
    expect((await loadThread('whales.yaml')).messages).toHaveLength(6);
  });

  it('begins whales-2, then whales-3, on new, leaving whales as it was', async () => {
    const r = await runGpt(sandbox, ['chat', '--thread', 'whales'], { input: 'q1\nnew\nq2\nnew\nq3\n' });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe([
      "gpt: new conversation started in thread 'whales-2'",
      "gpt: new conversation started in thread 'whales-3'",
      '',
    ].join('\n'));
    expect(await threadFiles(sandbox)).toEqual(['whales-2.yaml', 'whales-3.yaml', 'whales.yaml']);
    expect((await loadThread('whales.yaml')).messages.map((m: { content: string }) => m.content)).toEqual(['q1', 'echo: q1']);
    expect((await loadThread('whales-3.yaml')).messages.map((m: { content: string }) => m.content)).toEqual(['q3', 'echo: q3']);
    expect(histories().map((h) => h.length)).toEqual([1, 1, 1]);
  });

  it('keeps a thread given as a path, and its next conversation beside it', async () => {
    const r = await runGpt(sandbox, ['chat', '--thread', './notes.yaml'], { input: 'q1\nnew\nq2\n' });
    expect(r.exitCode).toBe(0);
    expect(YAML.parse(await readFile(join(sandbox.home, 'notes.yaml'), 'utf8')).messages).toHaveLength(2);
    expect(YAML.parse(await readFile(join(sandbox.home, 'notes-2.yaml'), 'utf8')).messages).toHaveLength(2);
    expect(await threadFiles(sandbox)).toEqual([]);
  });

  it('continues the latest conversation with -c', async () => {
    await runGpt(sandbox, ['ask', 'first question']);
    server.requests.length = 0;
    const r = await runGpt(sandbox, ['chat', '-c'], { input: 'follow up\n' });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/^gpt: resuming thread '\d{8}-\d{6}-first-question' \(1 turn\)\n$/);
    expect(histories()[0]!.map((m) => m.content)).toEqual(['first question', 'echo: first question', 'follow up']);
    expect(await threadFiles(sandbox)).toHaveLength(1);
  });

  it('refuses --thread with -c', async () => {
    const r = await runGpt(sandbox, ['chat', '-c', '--thread', 'x'], { input: 'q\n' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--thread and --continue cannot be used together');
  });
});
