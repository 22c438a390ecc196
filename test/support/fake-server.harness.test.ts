import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeServer, type FakeServer } from './fake-server.js';

describe('fake OpenAI server', () => {
  let server: FakeServer;
  let client: OpenAI;

  beforeEach(async () => {
    server = await startFakeServer();
    client = new OpenAI({ apiKey: 'test', baseURL: server.url, maxRetries: 0 });
  });

  afterEach(async () => {
    await server.close();
  });

  it('answers a non-streamed request with an echo by default', async () => {
    const res = await client.chat.completions.create({
      model: 'm-1',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hello there' },
      ],
    });
    expect(res.object).toBe('chat.completion');
    expect(res.model).toBe('m-1');
    expect(res.choices[0]?.message.content).toBe('echo: hello there');
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(res.usage).toEqual({ prompt_tokens: 20, completion_tokens: 3, total_tokens: 23 });

    const chats = server.chatRequests();
    expect(chats).toHaveLength(1);
    expect(chats[0]?.method).toBe('POST');
    expect(chats[0]?.path).toBe('/v1/chat/completions');
    expect(chats[0]?.headers['authorization']).toBe('Bearer test');
    expect(chats[0]?.body.messages[1].content).toBe('hello there');
  });

  it('uses queued scripts FIFO, then the default', async () => {
    server.enqueue({ kind: 'reply', text: 'first', model: 'other' }, (req) => ({
      kind: 'reply',
      text: `saw ${req.body.messages.length}`,
    }));
    server.setDefault({ kind: 'reply', text: 'fallback' });
    const ask = () => client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    const a = await ask();
    const b = await ask();
    const c = await ask();
    expect(a.choices[0]?.message.content).toBe('first');
    expect(a.model).toBe('other');
    expect(b.choices[0]?.message.content).toBe('saw 1');
    expect(c.choices[0]?.message.content).toBe('fallback');
  });

  it('streams deltas and a final usage chunk when include_usage is set', async () => {
    server.enqueue({ kind: 'reply', text: 'one two three four', chunkDelayMs: 5 });
    const { data: stream, response } = await client.chat.completions
      .create({
        model: 'stream-model',
        messages: [{ role: 'user', content: 'go' }],
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('x-request-id')).toMatch(/^req_\d+$/);

    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
    const deltas = chunks.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? ''));
    expect(deltas.filter((d) => d !== '').length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('one two three four');
    expect(chunks.some((c) => c.choices[0]?.finish_reason === 'stop')).toBe(true);

    const last = chunks[chunks.length - 1]!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 });
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'stream-model')).toBe(true);
    expect(server.chatRequests()[0]?.body.stream).toBe(true);
  });

  it('omits the usage chunk without include_usage and honours explicit chunks', async () => {
    server.enqueue({ kind: 'reply', text: 'ab', chunks: ['a', 'b'], finishReason: 'length' });
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'go' }],
      stream: true,
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? null)).toEqual(['', 'a', 'b', null]);
    expect(chunks[chunks.length - 1]?.choices[0]?.finish_reason).toBe('length');
    expect(chunks.some((c) => c.usage)).toBe(false);
  });

  it('surfaces a 429 with retry-after as OpenAI.RateLimitError', async () => {
    server.enqueue({
      kind: 'error',
      status: 429,
      message: 'Slow down',
      code: 'rate_limit_exceeded',
      headers: { 'retry-after': '1' },
    });
    const err = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const rle = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rle.status).toBe(429);
    expect(rle.message).toContain('Slow down');
    expect(rle.code).toBe('rate_limit_exceeded');
    expect(rle.type).toBe('rate_limit_error');
    expect(rle.headers?.get('retry-after')).toBe('1');
    expect(rle.requestID).toMatch(/^req_\d+$/);
  });

  it('makes SDK stream iteration throw when the connection drops mid-stream', async () => {
    server.enqueue({ kind: 'reply', text: 'alpha beta gamma delta', chunks: ['alpha ', 'beta ', 'gamma ', 'delta'], dropAfterChunks: 2 });
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    ).rejects.toThrow();
    expect(seen.join('')).toBe('alpha beta ');
  });

  it('makes SDK stream iteration throw on a malformed SSE event', async () => {
    server.enqueue({ kind: 'reply', text: 'a b c', malformedAfterChunks: 1 });
    // The SDK logs the unparseable line before throwing; keep test output clean.
    const quietClient = new OpenAI({ apiKey: 'test', baseURL: server.url, maxRetries: 0, logLevel: 'off' });
    const stream = await quietClient.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    await expect(
      (async () => {
        for await (const _chunk of stream) {
          // drain
        }
      })(),
    ).rejects.toThrow();
  });

  it('ends cleanly without [DONE] / finish_reason when asked', async () => {
    server.enqueue({ kind: 'reply', text: 'x y', omitDone: true, omitFinish: true });
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('x y');
    expect(chunks.every((c) => c.choices[0]?.finish_reason == null)).toBe(true);
  });

  it('surfaces a destroyed socket as a connection error', async () => {
    server.enqueue({ kind: 'destroy' });
    await expect(client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('lists models and records the request', async () => {
    const page = await client.models.list();
    const ids: string[] = [];
    for await (const m of page) ids.push(m.id);
    expect(ids).toEqual(['fake-model-1', 'fake-model-2']);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/models']);
    expect(server.chatRequests()).toEqual([]);
  });

  it('uses custom model lists and 404s unknown routes', async () => {
    const other = await startFakeServer({ models: ['only-one'] });
    try {
      const c = new OpenAI({ apiKey: 'test', baseURL: other.url, maxRetries: 0 });
      const page = await c.models.list();
      expect(page.data.map((m) => m.id)).toEqual(['only-one']);
      await expect(c.embeddings.create({ model: 'e', input: 'x' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
      expect(other.requests.map((r) => r.path)).toEqual(['/v1/models', '/v1/embeddings']);
    } finally {
      await other.close();
    }
  });

  it('close() does not hang with a hanging request in flight', async () => {
    server.enqueue({ kind: 'hang' });
    const pending = client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    // Wait until the server has actually received the request.
    for (let i = 0; i < 100 && server.chatRequests().length === 0; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(server.chatRequests()).toHaveLength(1);
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(OpenAI.APIConnectionError);
  });
});
