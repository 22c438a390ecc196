import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ScriptedReply } from '../support/fake-server.js';
import { TEST_KEY, runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

interface Fault {
  name: string;
  /** Scripts for every attempt (the SDK retries once here: --max-retries 1). */
  replies: ScriptedReply[];
  exitCode: number;
  stderr: RegExp;
  requests: number;
  args?: string[];
}

const retryAfter = { 'retry-after': '0' };
const faults: Fault[] = [
  {
    name: '429 that persists',
    replies: [
      { kind: 'error', status: 429, message: 'Rate limit reached', headers: retryAfter },
      { kind: 'error', status: 429, message: 'Rate limit reached', headers: retryAfter },
    ],
    exitCode: 5,
    stderr: /^gpt: rate limited by the API \(429\): Rate limit reached — wait and try again/,
    requests: 2,
  },
  {
    name: '500 that persists',
    replies: [
      { kind: 'error', status: 500, message: 'boom', headers: retryAfter },
      { kind: 'error', status: 500, message: 'boom', headers: retryAfter },
    ],
    exitCode: 5,
    stderr: /^gpt: the server failed \(500\): boom — try again later/,
    requests: 2,
  },
  {
    name: '503 that persists',
    replies: [
      { kind: 'error', status: 503, message: 'overloaded', headers: retryAfter },
      { kind: 'error', status: 503, message: 'overloaded', headers: retryAfter },
    ],
    exitCode: 5,
    stderr: /^gpt: the server failed \(503\): overloaded/,
    requests: 2,
  },
  {
    name: '401',
    replies: [{ kind: 'error', status: 401, message: 'Incorrect API key provided' }],
    exitCode: 3,
    stderr: /^gpt: the API refused the key \(401\): Incorrect API key provided — check OPENAI_API_KEY/,
    requests: 1,
  },
  {
    name: '400 with an OpenAI error body',
    replies: [{ kind: 'error', status: 400, message: "This model's maximum context length is 128000 tokens" }],
    exitCode: 4,
    stderr: /^gpt: the API rejected the request \(400\): This model's maximum context length is 128000 tokens/,
    requests: 1,
  },
  {
    name: '404 for an unknown model',
    replies: [{ kind: 'error', status: 404, message: 'The model `nope` does not exist' }],
    exitCode: 4,
    stderr: /^gpt: the API rejected the request \(404\): The model `nope` does not exist — check the model name \(gpt models lists them\)/,
    requests: 1,
  },
  {
    name: 'a slow first byte past --timeout',
    replies: [
      { kind: 'reply', firstByteDelayMs: 2_000 },
      { kind: 'reply', firstByteDelayMs: 2_000 },
    ],
    args: ['--timeout', '0.3'],
    exitCode: 5,
    stderr: /^gpt: no answer from .* within 0\.3s \(2 tries\) — raise --timeout/,
    requests: 2,
  },
  {
    name: 'a stream that stalls past --timeout',
    replies: [{ kind: 'reply', chunks: ['a ', 'b ', 'c'], chunkDelayMs: 1_500 }],
    args: ['--timeout', '0.5'],
    exitCode: 5,
    stderr: /^gpt: the reply stalled for 0\.5s — raise --timeout/,
    requests: 1,
  },
  {
    name: 'the connection dropped mid-stream',
    replies: [{ kind: 'reply', chunks: ['a ', 'b ', 'c ', 'd'], dropAfterChunks: 2 }],
    exitCode: 5,
    stderr: /^gpt: the connection was cut before the reply was complete — try again; the partial reply was not saved/,
    requests: 1,
  },
  {
    name: 'a malformed SSE line',
    replies: [{ kind: 'reply', chunks: ['a ', 'b ', 'c'], malformedAfterChunks: 1 }],
    exitCode: 5,
    stderr: /^gpt: the server sent a malformed reply/,
    requests: 1,
  },
  {
    name: 'a stream that ends without [DONE] or a finish reason',
    replies: [{ kind: 'reply', chunks: ['a ', 'b'], omitDone: true, omitFinish: true }],
    exitCode: 5,
    stderr: /^gpt: the reply stream ended before the reply was complete — try again; the partial reply was not saved/,
    requests: 1,
  },
  {
    name: 'a connection closed before any answer',
    replies: [{ kind: 'destroy' }, { kind: 'destroy' }],
    exitCode: 5,
    stderr: /^gpt: cannot connect to /,
    requests: 2,
  },
];

const threadFile = () => join(sandbox.threadsDir, 'kept.yaml');

describe.each(faults)('$name', (fault) => {
  it('exits with its code, one line on stderr, and the thread unchanged', async () => {
    await runGpt(sandbox, ['ask', '--thread', 'kept', 'first question']);
    const before = await readFile(threadFile(), 'utf8');
    server.requests.length = 0;
    server.enqueue(...fault.replies);
    const r = await runGpt(sandbox, ['ask', '--thread', 'kept', '--max-retries', '1', ...(fault.args ?? []), 'second question']);
    expect(r.exitCode).toBe(fault.exitCode);
    // One line for each retry the SDK made (before any text arrived), then one for the error.
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines.at(-1)).toMatch(fault.stderr);
    expect(lines.slice(0, -1)).toEqual(Array.from({ length: fault.requests - 1 }, () => expect.stringMatching(/^gpt: retrying in .* \(1 of 1\): /)));
    expect(server.chatRequests()).toHaveLength(fault.requests);
    expect(await readFile(threadFile(), 'utf8')).toBe(before);
  });
});

// --json streams on the wire too: every fault applies, retried (or not) the same way.
describe.each(faults)('$name, under --json', (fault) => {
  it('prints one JSON object with error', async () => {
    server.enqueue(...fault.replies);
    const r = await runGpt(sandbox, ['ask', '--json', '--max-retries', '1', ...(fault.args ?? []), 'question']);
    expect(r.exitCode).toBe(fault.exitCode);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).error).toMatchObject({ message: expect.any(String), exit_code: fault.exitCode });
    expect(r.stderr.split('\n').filter(Boolean).at(-1)).toMatch(fault.stderr);
    expect(server.chatRequests()).toHaveLength(fault.requests);
  });
});

describe('large and absent servers', () => {
  it('streams a reply of several megabytes whole, and keeps it in the thread', async () => {
    const big = 'blue whale '.repeat(400_000); // 4.4 MB
    server.enqueue({ kind: 'reply', text: big, chunks: big.match(/.{1,65536}/gs)! });
    const r = await runGpt(sandbox, ['ask', '--thread', 'big', 'a long answer please']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`${big}\n`);
    expect(await readFile(join(sandbox.threadsDir, 'big.yaml'), 'utf8')).toContain(big.trim());
  });

  it('explains a server that is not there at all, under --json too', async () => {
    const env = { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' };
    const r = await runGpt(sandbox, ['ask', '--json', '--max-retries', '0', 'hi'], { env });
    expect(r.exitCode).toBe(5);
    expect(JSON.parse(r.stdout).error.message).toBe('cannot connect to http://127.0.0.1:9/v1');
    expect(r.stderr).toBe('gpt: cannot connect to http://127.0.0.1:9/v1 — check the network, OPENAI_BASE_URL or --base-url\n');
  });
});

describe('the API key', () => {
  it('appears in no thread file, output or log, even when the server echoes it', async () => {
    server.enqueue({ kind: 'reply', text: 'fine' });
    server.enqueue({ kind: 'error', status: 400, message: `Invalid key ${TEST_KEY} for this model` });
    const ok = await runGpt(sandbox, ['ask', '--verbose', '--json', '--thread', 'secret', 'hi']);
    const bad = await runGpt(sandbox, ['ask', '--verbose', '--json', '--max-retries', '0', '--thread', 'secret', 'hi']);
    expect(bad.exitCode).toBe(4);
    expect(bad.stderr).toContain('[redacted …CRET]');
    for (const text of [ok.stdout, ok.stderr, bad.stdout, bad.stderr, await readFile(join(sandbox.threadsDir, 'secret.yaml'), 'utf8')]) {
      expect(text).not.toContain(TEST_KEY);
    }
    // It was sent to the server, where it belongs.
    expect(server.chatRequests()[0]!.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
  });
});
