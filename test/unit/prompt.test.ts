import { describe, expect, it } from 'vitest';
import { resolveSettings } from '../../src/core/config.js';
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

  it('takes flags over environment over config file over defaults', () => {
    const s = resolveSettings({ model: 'flag-model', baseURL: 'http://flag/v1', temperature: 1 }, env, file);
    expect(s).toMatchObject({ model: 'flag-model', baseURL: 'http://flag/v1', temperature: 1, system: 'file system' });
    expect(resolveSettings({}, env, file)).toMatchObject({ model: 'env-model', baseURL: 'http://env/v1', temperature: 0.2 });
    expect(resolveSettings({}, {}, file)).toMatchObject({ model: 'file-model', baseURL: 'http://file/v1', timeoutMs: 30_000 });
    expect(resolveSettings({}, {}, {})).toMatchObject({ model: 'gpt-4o-mini', baseURL: undefined, timeoutMs: 600_000, maxRetries: 2 });
  });

  it('ignores empty environment variables', () => {
    expect(resolveSettings({}, { GPT_MODEL: '', OPENAI_API_KEY: '' }, {})).toMatchObject({ model: 'gpt-4o-mini', apiKey: undefined });
  });

  it('lets a thread remember its model and system prompt, and a flag override them for one turn', () => {
    const base = resolveSettings({}, env, file);
    const thread = { version: 1, model: 'thread-model', system: 'thread system', messages: [] };
    expect(turnSettings({}, thread, base)).toMatchObject({ model: 'thread-model', system: 'thread system' });
    expect(turnSettings({ model: 'flag', system: 'flag sys' }, thread, base)).toMatchObject({ model: 'flag', system: 'flag sys' });
    expect(turnSettings({}, undefined, base)).toMatchObject({ model: 'env-model', system: 'file system' });
  });
});
