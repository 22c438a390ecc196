import { Readable } from 'node:stream';
import OpenAI, { toFile, toStreamingFile } from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeServer, type FakeServer } from './fake-server.js';

/** The fake server's Files and Batch APIs, checked against the real SDK. */
describe('fake server: files and batches', () => {
  let server: FakeServer;
  let sdk: OpenAI;
  beforeEach(async () => {
    server = await startFakeServer();
    sdk = new OpenAI({ apiKey: 'test', baseURL: server.url, maxRetries: 0 });
  });
  afterEach(async () => {
    await server.close();
  });

  const request = (id: string, prompt: string) =>
    JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'm', messages: [{ role: 'user', content: prompt }] } });

  async function upload(lines: string[]): Promise<string> {
    const file = await sdk.files.create({ file: await toFile(Buffer.from(`${lines.join('\n')}\n`), 'in.jsonl'), purpose: 'batch' });
    return file.id;
  }

  it('stores an upload (also a streamed one) and serves its content', async () => {
    const streamed = toStreamingFile(Readable.from([Buffer.from(`${request('a', 'x')}\n`)]), 'streamed.jsonl');
    const file = await sdk.files.create({ file: streamed, purpose: 'batch' });
    expect(file).toMatchObject({ filename: 'streamed.jsonl', purpose: 'batch', bytes: request('a', 'x').length + 1 });
    expect(await (await sdk.files.content(file.id)).text()).toBe(`${request('a', 'x')}\n`);
    expect(server.files()[0]!.text()).toBe(`${request('a', 'x')}\n`);
  });

  it('runs a batch: in_progress for the scripted polls, then completed with echo replies', async () => {
    server.enqueueBatch({ inProgressPolls: 2, reverseOutput: true });
    const input = await upload([request('a', 'one'), request('b', 'two')]);
    const created = await sdk.batches.create({ input_file_id: input, endpoint: '/v1/chat/completions', completion_window: '24h' });
    expect(created.status).toBe('validating');
    expect((await sdk.batches.retrieve(created.id)).status).toBe('in_progress');
    expect((await sdk.batches.retrieve(created.id)).status).toBe('in_progress');
    const done = await sdk.batches.retrieve(created.id);
    expect(done.status).toBe('completed');
    expect(done.request_counts).toEqual({ total: 2, completed: 2, failed: 0 });
    expect(done.error_file_id).toBeNull();
    const lines = (await (await sdk.files.content(done.output_file_id!)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.custom_id)).toEqual(['b', 'a']);
    expect(lines[1].response.status_code).toBe(200);
    expect(lines[1].response.body.choices[0].message.content).toBe('echo: one');
  });

  it('expires with partial output: the rest go to the error file as batch_expired', async () => {
    server.enqueueBatch({ outcome: 'expired', completedCount: 2, failIds: ['b'] });
    const input = await upload(['a', 'b', 'c', 'd'].map((id) => request(id, id)));
    const { id } = await sdk.batches.create({ input_file_id: input, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const batch = await sdk.batches.retrieve(id);
    expect(batch.status).toBe('expired');
    expect(batch.request_counts).toEqual({ total: 4, completed: 1, failed: 1 });
    const errors = (await (await sdk.files.content(batch.error_file_id!)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(errors.map((e) => [e.custom_id, e.response?.status_code ?? e.error.code])).toEqual([
      ['b', 400],
      ['c', 'batch_expired'],
      ['d', 'batch_expired'],
    ]);
  });

  it('fails validation of a broken input file, and cancels on request', async () => {
    const bad = await upload([request('a', 'x'), '{not json']);
    const failed = await sdk.batches.create({ input_file_id: bad, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const checked = await sdk.batches.retrieve(failed.id);
    expect(checked.status).toBe('failed');
    expect(checked.errors?.data?.[0]).toMatchObject({ line: 2, code: 'invalid_json_line' });

    server.enqueueBatch({ inProgressPolls: 5 });
    const good = await upload([request('a', 'x'), request('b', 'y')]);
    const running = await sdk.batches.create({ input_file_id: good, endpoint: '/v1/chat/completions', completion_window: '24h' });
    expect((await sdk.batches.cancel(running.id)).status).toBe('cancelling');
    const cancelled = await sdk.batches.retrieve(running.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.request_counts?.completed).toBe(1);
  });
});
