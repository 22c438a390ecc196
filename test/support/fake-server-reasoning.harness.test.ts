import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeServer, type FakeServer } from './fake-server.js';

describe('fake server: reasoning models and servers', () => {
  let server: FakeServer;
  let client: OpenAI;
  const user = [{ role: 'user' as const, content: 'hi' }];

  beforeAll(async () => {
    server = await startFakeServer({ rules: { reasoningModels: true } });
    client = new OpenAI({ apiKey: 'test', baseURL: server.url, maxRetries: 0 });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  const rejection = async (body: Record<string, unknown>) => {
    const error = await client.chat.completions.create({ model: 'gpt-5-mini', messages: user, ...body } as never).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    return error as InstanceType<typeof OpenAI.BadRequestError>;
  };

  it('answers max_tokens and temperature on reasoning models as the OpenAI API does', async () => {
    server.enqueue({ kind: 'reply', text: 'kept for the next request' });
    const tokens = await rejection({ model: 'gpt-5.4-mini', max_tokens: 50 });
    expect(tokens.message).toContain("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.");
    expect(tokens.param).toBe('max_tokens');
    expect(tokens.code).toBe('unsupported_parameter');
    const temperature = await rejection({ temperature: 0.3 });
    expect(temperature.message).toContain('Only the default (1) value is supported');
    expect((await rejection({ model: 'gpt-5.4-mini', temperature: 0.3, reasoning_effort: 'high' })).param).toBe('temperature');
    expect((await rejection({ model: 'gpt-5.5', temperature: 0.3 })).param).toBe('temperature'); // its default effort is medium
    expect((await rejection({ model: 'gpt-5.1', reasoning_effort: 'minimal' })).message).toContain(
      "Supported values are: 'none', 'low', 'medium', and 'high'.",
    );
    // A refused request does not use up the scripted reply.
    const ok = await client.chat.completions.create({ model: 'gpt-5.4-mini', messages: user, max_completion_tokens: 50, temperature: 0.3 });
    expect(ok.choices[0]?.message.content).toBe('kept for the next request');
  });

  it('takes anything from other models, and anything when the rules are off', async () => {
    await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages: user, max_tokens: 5, temperature: 0.3 })).resolves.toBeTruthy();
    server.setApiRules({});
    await expect(client.chat.completions.create({ model: 'o3', messages: user, max_tokens: 5 })).resolves.toBeTruthy();
  });

  it('reports reasoning and cached tokens in usage', async () => {
    server.enqueue({ kind: 'reply', text: 'one two', reasoningTokens: 30, cachedTokens: 4 });
    const res = await client.chat.completions.create({ model: 'o4-mini', messages: user });
    expect(res.usage).toEqual({
      prompt_tokens: 10,
      completion_tokens: 32,
      total_tokens: 42,
      prompt_tokens_details: { cached_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 30 },
    });
  });

  it('streams reasoning_content or reasoning deltas before the answer', async () => {
    for (const field of ['reasoning_content', 'reasoning'] as const) {
      server.enqueue({
        kind: 'reply',
        text: 'Paris.',
        reasoning: 'The capital is Paris.',
        reasoningField: field,
        reasoningChunks: ['The capital', ' is Paris.'],
      });
      const stream = await client.chat.completions.create({ model: 'qwen3', messages: user, stream: true });
      const deltas: Record<string, unknown>[] = [];
      for await (const chunk of stream) if (chunk.choices[0]) deltas.push(chunk.choices[0].delta as Record<string, unknown>);
      expect(deltas.map((d) => d[field]).filter(Boolean)).toEqual(['The capital', ' is Paris.']);
      expect(deltas.map((d) => d.content).join('')).toBe('Paris.');
    }
    server.enqueue({ kind: 'reply', text: 'Paris.', reasoning: 'Hmm.', reasoningField: 'reasoning' });
    const whole = await client.chat.completions.create({ model: 'qwen3', messages: user });
    expect(whole.choices[0]?.message).toMatchObject({ content: 'Paris.', reasoning: 'Hmm.' });
  });

  it('streams a <think> reply inline, and refuses stream_options when told to', async () => {
    server.enqueue({ kind: 'reply', text: 'Paris.', reasoning: 'Hmm.', reasoningField: 'think' });
    const stream = await client.chat.completions.create({ model: 'deepseek-r1', messages: user, stream: true });
    let content = '';
    for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
    expect(content).toBe('<think>\nHmm.\n</think>\n\nParis.');

    server.setApiRules({ rejectStreamOptions: true });
    const error = await client.chat.completions.create({ model: 'm', messages: user, stream: true, stream_options: { include_usage: true } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain('stream_options');
  });
});
