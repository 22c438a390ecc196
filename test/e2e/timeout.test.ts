// --timeout means silence in every mode (README "Reliability"): replies wanted whole (--json,
// --no-stream, batch items) are streamed on the wire too, so a server that takes its time to
// generate (llama.cpp sends a non-streamed reply only when it is done) is not timed out.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ScriptedReply } from '../support/fake-server.js';
import { runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

// First byte after 0.6 s and a piece every 0.5 s: 3 s in all, never 1 s of silence.
const slowButSteady: ScriptedReply = {
  kind: 'reply',
  text: 'The blue whale is the biggest.',
  chunks: ['The blue ', 'whale is ', 'the biggest.'],
  firstByteDelayMs: 600,
  chunkDelayMs: 500,
  usage: { prompt_tokens: 7, completion_tokens: 6, total_tokens: 13 },
};
const stalled: ScriptedReply = { kind: 'reply', chunks: ['The blue ', 'whale'], chunkDelayMs: 1_500 };
const timeout = ['--timeout', '1', '--max-retries', '1'];

describe('a slow but steady server, within --timeout between pieces', () => {
  it('answers gpt ask --json with the same reply, usage, model, finish reason and request id as before', async () => {
    server.enqueue(slowButSteady);
    const r = await runGpt(sandbox, ['ask', '--json', ...timeout, 'biggest?']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      reply: 'The blue whale is the biggest.',
      model: 'gpt-5.4-mini',
      finish_reason: 'stop',
      usage: { prompt_tokens: 7, completion_tokens: 6, total_tokens: 13 },
      request_id: 'req_1',
    });
    expect(server.chatRequests()).toHaveLength(1);
    expect(server.chatRequests()[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('answers gpt ask --no-stream', async () => {
    server.enqueue(slowButSteady);
    const r = await runGpt(sandbox, ['ask', '--no-stream', ...timeout, 'biggest?']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('The blue whale is the biggest.\n');
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('answers every batch item', async () => {
    server.setDefault(slowButSteady);
    await writeFile(join(sandbox.home, 'p.txt'), 'one\ntwo\n');
    const r = await runGpt(sandbox, ['batch', 'p.txt', '-q', ...timeout]);
    expect(r.exitCode).toBe(0);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).reply),
    ).toEqual(['The blue whale is the biggest.', 'The blue whale is the biggest.']);
    expect(server.chatRequests()).toHaveLength(2);
  });
});

describe('a stall longer than --timeout', () => {
  it('fails gpt ask --json once, with one clear error and no retry after text arrived', async () => {
    server.enqueue(stalled);
    const r = await runGpt(sandbox, ['ask', '--json', '--timeout', '0.5', 'biggest?']);
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toBe('gpt: the reply stalled for 0.5s — raise --timeout, or try again\n');
    expect(JSON.parse(r.stdout).error.message).toBe('the reply stalled for 0.5s');
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('fails a batch item with that error, once', async () => {
    server.enqueue(stalled);
    await writeFile(join(sandbox.home, 'p.txt'), 'one\n');
    const r = await runGpt(sandbox, ['batch', 'p.txt', '-q', '--timeout', '0.5']);
    expect(r.exitCode).toBe(8);
    expect(JSON.parse(r.stdout).error).toMatchObject({ message: 'the reply stalled for 0.5s' });
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('says how long and how many tries when nothing came at all', async () => {
    server.enqueue({ kind: 'hang' }, { kind: 'hang' });
    const r = await runGpt(sandbox, ['ask', '--timeout', '0.5', '--max-retries', '1', 'biggest?']);
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toMatch(
      /^gpt: retrying in about 500 ms \(1 of 1\): no answer within 0\.5s\ngpt: no answer from http:\S+ within 0\.5s \(2 tries\) — raise --timeout/,
    );
    expect(server.chatRequests()).toHaveLength(2);
  });
});
