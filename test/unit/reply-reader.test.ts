import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createChunkReader, readCompletion, usageOf } from '../../src/llm/reply-reader.js';
import { startFakeServer, type FakeServer } from '../support/fake-server.js';

describe('reading replies from reasoning servers', () => {
  let server: FakeServer;
  let client: OpenAI;
  const messages = [{ role: 'user' as const, content: 'capital of France?' }];

  beforeAll(async () => {
    server = await startFakeServer({ rules: { reasoningModels: true } });
    client = new OpenAI({ apiKey: 'test', baseURL: server.url, maxRetries: 0 });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  async function streamed(model: string) {
    const seen = { text: [] as string[], reasoning: [] as string[] };
    const reader = createChunkReader(model, { text: (t) => seen.text.push(t), reasoning: (t) => seen.reasoning.push(t) });
    const stream = await client.chat.completions.create({ model, messages, stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) reader.add(chunk);
    return { reply: reader.finish(), seen };
  }

  it.each(['reasoning_content', 'reasoning', 'think'] as const)('keeps %s thinking out of the streamed answer', async (field) => {
    server.enqueue({ kind: 'reply', text: 'Paris.', reasoning: 'The capital is Paris.', reasoningField: field });
    const { reply, seen } = await streamed('qwen3:8b');
    expect(reply).toMatchObject({ text: 'Paris.', reasoning: 'The capital is Paris.', unclosedThinking: false, finishReason: 'stop' });
    expect(seen.text.join('')).toBe('Paris.');
    expect(seen.reasoning.join('')).toBe('The capital is Paris.');
  });

  it('splits a <think> block cut at awkward places by the server', async () => {
    server.enqueue({ kind: 'reply', text: '', chunks: ['\n<thi', 'nk>\nHm', 'm.\n</th', 'ink>\n\nPar', 'is.'] });
    const { reply } = await streamed('deepseek-r1');
    expect(reply).toMatchObject({ text: 'Paris.', reasoning: 'Hmm.' });
  });

  it('marks thinking cut by the token limit, with no answer', async () => {
    server.enqueue({ kind: 'reply', text: '', chunks: ['<think>still ', 'going'], finishReason: 'length' });
    const { reply } = await streamed('deepseek-r1');
    expect(reply).toMatchObject({ text: '', reasoning: 'still going', unclosedThinking: true, finishReason: 'length' });
  });

  it('reads whole replies the same way, and leaves plain replies alone', async () => {
    server.enqueue({ kind: 'reply', text: 'Paris.', reasoning: 'Hmm.', reasoningField: 'reasoning' });
    const whole = await client.chat.completions.create({ model: 'gpt-oss:20b', messages });
    expect(readCompletion(whole, 'gpt-oss:20b')).toMatchObject({ text: 'Paris.', reasoning: 'Hmm.' });
    server.enqueue({ kind: 'reply', text: '  <b>Paris</b>' });
    const plain = readCompletion(await client.chat.completions.create({ model: 'm', messages }), 'm');
    expect(plain.text).toBe('  <b>Paris</b>');
    expect('reasoning' in plain).toBe(false);
  });

  it('keeps reasoning and cached tokens from the usage', async () => {
    server.enqueue({ kind: 'reply', text: 'Paris.', reasoningTokens: 64, cachedTokens: 5 });
    const { reply } = await streamed('o4-mini');
    expect(reply.usage).toEqual({ prompt_tokens: 10, completion_tokens: 65, total_tokens: 75, reasoning_tokens: 64, cached_tokens: 5 });
    expect(usageOf({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 })).toEqual({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 });
    expect(usageOf(null)).toBeNull();
  });
});
