import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL, resolveSettings } from '../../src/core/config.js';
import type { Thread } from '../../src/core/types.js';
import { assemblePrompt, buildRequestMessages, turnSettings } from '../../src/core/prompt.js';

describe('assemblePrompt', () => {
  it('uses the arguments alone, joined by spaces', () => {
    expect(assemblePrompt(undefined, ['What', 'is', 'this?'])).toBe('What is this?');
  });

  it('uses piped text alone, byte for byte', () => {
    expect(assemblePrompt('  indented\n\n\ttab  \n', [])).toBe('  indented\n\n\ttab  \n');
  });

  it('puts piped text first, then one blank line, then the arguments', () => {
    expect(assemblePrompt('line one\nline two\n', ['summarise'])).toBe('line one\nline two\n\nsummarise');
    expect(assemblePrompt('no newline at end', ['summarise'])).toBe('no newline at end\n\nsummarise');
  });

  it('treats empty stdin as absent and reports no prompt at all', () => {
    expect(assemblePrompt('', ['hi'])).toBe('hi');
    expect(assemblePrompt('', [])).toBeUndefined();
    expect(assemblePrompt(undefined, [])).toBeUndefined();
  });
});

describe('buildRequestMessages', () => {
  it('sends the system prompt, the history, then the new question', () => {
    const history = [
      { role: 'user' as const, content: 'q1', time: 't', model: 'ignored-in-request' },
      { role: 'assistant' as const, content: 'a1', usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } },
    ];
    expect(buildRequestMessages({ system: 'Be brief.' }, history, 'q2')).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'q1' },
      { role: 'assistant', content: 'a1' },
      { role: 'user', content: 'q2' },
    ]);
  });

  it('keeps a system message written into the history instead of adding another', () => {
    const history = [{ role: 'system' as const, content: 'From the file' }];
    expect(buildRequestMessages({ system: 'From config' }, history, 'q')).toEqual([
      { role: 'system', content: 'From the file' },
      { role: 'user', content: 'q' },
    ]);
  });
});

describe('settings precedence', () => {
  const file = { model: 'file-model', system: 'file system', base_url: 'http://file/v1', temperature: 0.2, timeout: 30 };
  const env = { GPT_MODEL: 'env-model', OPENAI_BASE_URL: 'http://env/v1', OPENAI_API_KEY: 'sk-env' };
  const turn = (flags: Parameters<typeof resolveSettings>[0], e: Record<string, string>, f: typeof file | object, thread?: Thread) =>
    turnSettings(resolveSettings(flags, e, f), thread);

  it('takes flags over environment over config file over defaults', () => {
    const s = resolveSettings({ model: 'flag-model', baseURL: 'http://flag/v1', temperature: 1 }, env, file);
    expect(s.connection).toMatchObject({ baseURL: 'http://flag/v1', timeoutMs: 30_000 });
    expect(turnSettings(s)).toMatchObject({ model: 'flag-model', temperature: 1, system: 'file system' });
    expect(turn({}, env, file)).toMatchObject({ model: 'env-model', temperature: 0.2 });
    expect(resolveSettings({}, env, file).connection.baseURL).toBe('http://env/v1');
    expect(turn({}, {}, file)).toMatchObject({ model: 'file-model' });
    expect(resolveSettings({}, {}, file).connection).toMatchObject({ baseURL: 'http://file/v1', timeoutMs: 30_000 });
    expect(turn({}, {}, {})).toMatchObject({ model: DEFAULT_MODEL });
    expect(resolveSettings({}, {}, {}).connection).toMatchObject({ baseURL: undefined, timeoutMs: 600_000, maxRetries: 2 });
  });

  it('ignores empty environment variables', () => {
    expect(turn({}, { GPT_MODEL: '', OPENAI_API_KEY: '' }, {}).model).toBe(DEFAULT_MODEL);
    expect(resolveSettings({}, { GPT_MODEL: '', OPENAI_API_KEY: '' }, {}).connection.apiKey).toBeUndefined();
  });

  it('lets a thread remember its model and system prompt, and a flag override them for one turn', () => {
    const thread = { version: 1, model: 'thread-model', system: 'thread system', messages: [] };
    expect(turn({}, env, file, thread)).toMatchObject({ model: 'thread-model', system: 'thread system' });
    expect(turn({ model: 'flag', system: 'flag sys' }, env, file, thread)).toMatchObject({ model: 'flag', system: 'flag sys' });
    expect(turn({}, env, file)).toMatchObject({ model: 'env-model', system: 'file system' });
  });

  it("a thread's model and reasoning effort count only on the endpoint it was made with", () => {
    const config = { endpoints: { local: { base_url: 'http://127.0.0.1:1/v1', model: 'qwen3' } } };
    const thread = { version: 1, model: 'gpt-5-mini', reasoning_effort: 'high' as const, messages: [] };
    expect(turn({}, {}, config, thread)).toMatchObject({ model: 'gpt-5-mini', reasoningEffort: 'high' });
    expect(turn({ endpoint: 'local' }, {}, config, thread)).toMatchObject({ model: 'qwen3', reasoningEffort: undefined, endpoint: 'local' });
    expect(turn({ endpoint: 'local' }, {}, config, { ...thread, endpoint: 'local' })).toMatchObject({ model: 'gpt-5-mini', reasoningEffort: 'high' });
  });
});
