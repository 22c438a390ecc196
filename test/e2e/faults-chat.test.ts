import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { type ScriptedReply } from '../support/fake-server.js';
import { GPT_BIN, runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

const contents = (messages: Array<{ content: string }>) => messages.map((m) => m.content);
const loadThread = async (name: string) => YAML.parse(await readFile(join(sandbox.threadsDir, `${name}.yaml`), 'utf8'));

interface Fault {
  name: string;
  reply: ScriptedReply;
  exitCode: number;
  stderr: RegExp;
  args?: string[];
  /** What reached stdout before the fault: a partial reply is printed, then its line closed. */
  partial?: string;
}

// One attempt each (--max-retries 0): retries are the SDK's, tested for ask in faults-server.
const faults: Fault[] = [
  {
    name: '429',
    reply: { kind: 'error', status: 429, message: 'Rate limit reached' },
    exitCode: 5,
    stderr: /^gpt: rate limited by the API \(429\): Rate limit reached/,
  },
  { name: '500', reply: { kind: 'error', status: 500, message: 'boom' }, exitCode: 5, stderr: /^gpt: the server failed \(500\): boom/ },
  { name: '503', reply: { kind: 'error', status: 503, message: 'overloaded' }, exitCode: 5, stderr: /^gpt: the server failed \(503\): overloaded/ },
  {
    name: '400',
    reply: { kind: 'error', status: 400, message: 'context too long' },
    exitCode: 4,
    stderr: /^gpt: the API rejected the request \(400\): context too long/,
  },
  { name: '401', reply: { kind: 'error', status: 401, message: 'Incorrect API key provided' }, exitCode: 3, stderr: /^gpt: the API refused the key \(401\)/ },
  {
    name: 'a slow first byte past --timeout',
    reply: { kind: 'reply', firstByteDelayMs: 2_000 },
    args: ['--timeout', '0.3'],
    exitCode: 5,
    stderr: /^gpt: no answer from .* within 0\.3s/,
  },
  {
    name: 'a stream that stalls past --timeout',
    reply: { kind: 'reply', chunks: ['half ', 'a reply'], chunkDelayMs: 1_500 },
    args: ['--timeout', '0.5'],
    exitCode: 5,
    stderr: /^gpt: the reply stalled for 0\.5s/,
  },
  {
    name: 'the connection dropped mid-stream',
    reply: { kind: 'reply', chunks: ['half ', 'a ', 'reply'], dropAfterChunks: 2 },
    exitCode: 5,
    stderr: /^gpt: the connection was cut before the reply was complete — try again; the partial reply was not saved/,
    partial: 'half a ',
  },
  {
    name: 'a malformed SSE line',
    reply: { kind: 'reply', chunks: ['half ', 'a reply'], malformedAfterChunks: 1 },
    exitCode: 5,
    stderr: /^gpt: the server sent a malformed reply/,
    partial: 'half ',
  },
  {
    name: 'a stream that ends without [DONE] or a finish reason',
    reply: { kind: 'reply', chunks: ['half ', 'a reply'], omitDone: true, omitFinish: true },
    exitCode: 5,
    stderr: /^gpt: the reply stream ended before the reply was complete/,
    partial: 'half a reply',
  },
  { name: 'a connection closed before any answer', reply: { kind: 'destroy' }, exitCode: 5, stderr: /^gpt: cannot connect to / },
];

describe.each(faults)('gpt chat --thread from a pipe, $name mid-session', (fault) => {
  it('goes on with the history intact, and the thread keeps only completed turns', async () => {
    // A thread with a turn already in it, resumed: that turn must survive too.
    await runGpt(sandbox, ['chat', '--thread', 'kept'], { input: 'q0\n' });
    server.requests.length = 0;
    server.enqueue({ kind: 'reply' }, fault.reply, { kind: 'reply' });
    const r = await runGpt(sandbox, ['chat', '--thread', 'kept', '--max-retries', '0', ...(fault.args ?? [])], { input: 'q1\nq2\nq3\n' });
    expect(r.exitCode).toBe(fault.exitCode);
    const [resuming, error, summary, ...rest] = r.stderr.split('\n');
    expect(resuming).toBe("gpt: resuming thread 'kept' (1 turn)");
    expect(error).toMatch(fault.stderr);
    expect(summary).toBe('gpt: 1 of 3 turns failed — see the errors above');
    expect(rest).toEqual(['']);
    expect(r.stdout).toBe(`echo: q1\n${fault.partial === undefined ? '' : `${fault.partial}\n`}echo: q3\n`);
    // The request after the failure carries every completed turn and not the failed one.
    const last = server.chatRequests().at(-1)!.body.messages;
    expect(contents(last)).toEqual(['q0', 'echo: q0', 'q1', 'echo: q1', 'q3']);
    const thread = await loadThread('kept');
    expect(contents(thread.messages)).toEqual(['q0', 'echo: q0', 'q1', 'echo: q1', 'q3', 'echo: q3']);
    expect(
      thread.messages.filter((m: { finish_reason?: string }) => m.finish_reason !== undefined).map((m: { finish_reason: string }) => m.finish_reason),
    ).toEqual(['stop', 'stop', 'stop']);
  });
});

describe('gpt chat --thread from a pipe, signalled mid-reply', () => {
  // SIGINT mid-reply is in chat.test.ts; SIGTERM is what a service manager or a CI timeout sends.
  it.each([['SIGTERM', 143, 'terminated']] as const)('%s exits %i and leaves a valid thread of the completed turns only', async (signal, exitCode, word) => {
    server.enqueue({ kind: 'reply' }, { kind: 'reply', chunks: ['one ', 'two ', 'three'], chunkDelayMs: 400 });
    const child = execa('node', [GPT_BIN, 'chat', '--thread', 'sig'], {
      env: sandbox.env,
      extendEnv: false,
      cwd: sandbox.home,
      reject: false,
      stripFinalNewline: false,
      timeout: 20_000,
    });
    child.stdin!.write('q1\nq2\nq3\n');
    await new Promise<void>((resolve) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.endsWith('one ')) resolve();
      });
    });
    child.kill(signal);
    const r = await child;
    expect(r.exitCode).toBe(exitCode);
    expect(r.stderr).toBe(`gpt: ${word}\n`);
    const text = await readFile(join(sandbox.threadsDir, 'sig.yaml'), 'utf8');
    const thread = YAML.parse(text);
    expect(thread).toMatchObject({ version: 1, model: 'gpt-5.4-mini' });
    expect(contents(thread.messages)).toEqual(['q1', 'echo: q1']);
    expect(text).not.toContain('one');
    // A fresh session resumes it as it was.
    server.requests.length = 0;
    const again = await runGpt(sandbox, ['chat', '--thread', 'sig'], { input: 'q4\n' });
    expect(again.stderr).toBe("gpt: resuming thread 'sig' (1 turn)\n");
    expect(contents(server.chatRequests()[0]!.body.messages)).toEqual(['q1', 'echo: q1', 'q4']);
  });
});
