import { describe, expect, it } from 'vitest';
import { checkBaseURL, knobSources, resolveEndpoint, validateProfileConfig, type EndpointInputs } from '../../src/core/endpoints.js';
import { formatError, GptError } from '../../src/core/errors.js';
import { describeSettings, formatSettingRows } from '../../src/core/settings-report.js';
import { isRefusal, shapeRequest } from '../../src/core/models.js';

const F = 'c.yaml';
const exitOf = (fn: () => unknown): number | undefined => {
  try {
    fn();
  } catch (error) {
    if (error instanceof GptError) return error.exitCode;
    throw error;
  }
  return undefined;
};

/** The one line the user sees: message — hint. */
const shown = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof GptError) return formatError(error);
    throw error;
  }
  return 'no error';
};

describe('checkBaseURL', () => {
  it('accepts http and https URLs, trimming spaces', () => {
    expect(checkBaseURL('http://127.0.0.1:11434/v1', 'flag')).toBe('http://127.0.0.1:11434/v1');
    expect(checkBaseURL(' https://openrouter.ai/api/v1 ', 'env')).toBe('https://openrouter.ai/api/v1');
  });

  it.each([
    ['', /--base-url '' is not a URL starting with http:\/\/ or https:\/\/ — write it as http:\/\/HOST:PORT\/v1/],
    ['localhost:11434/v1', /--base-url 'localhost:11434\/v1' is not a URL starting with http:\/\/ or https:\/\/ — write it as http:\/\/localhost:11434\/v1/],
    ['127.0.0.1:8080', /write it as http:\/\/127.0.0.1:8080$/],
    ['notaurl', /write it as http:\/\/notaurl$/],
    ['api.openai.com/v1', /write it as http:\/\/api.openai.com\/v1/],
    ['ftp://host/v1', /'ftp:\/\/host\/v1' is not a URL starting with http:\/\/ or https:\/\/ — write it as http:\/\/HOST:PORT\/v1/],
    ['http://', /is not a URL starting with/],
    ['http://user:pw@host/v1', /holds a user name or password/],
    ['http://host/v1/chat/completions', /is a full request address — give the base, without \/chat\/completions: http:\/\/host\/v1/],
  ])('refuses %j from a flag as a usage error', (value, message) => {
    let error: unknown;
    try {
      checkBaseURL(value, 'flag');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GptError);
    expect((error as GptError).exitCode).toBe(2);
    expect(`${(error as GptError).message} — ${(error as GptError).hint}`).toMatch(message);
  });

  it('refuses a bad value from the environment as a usage error (README: exit 2), from a file as a config error, naming it', () => {
    expect(exitOf(() => checkBaseURL('localhost:1', 'env'))).toBe(2);
    expect(exitOf(() => checkBaseURL('localhost:1', 'config'))).toBe(3);
    expect(exitOf(() => checkBaseURL('localhost:1', 'profile'))).toBe(3);
    expect(() => checkBaseURL('nope', 'env')).toThrow(/^OPENAI_BASE_URL 'nope'/);
  });
});

const profiles = {
  endpoint: 'local',
  endpoints: {
    local: { base_url: 'http://127.0.0.1:11434/v1', model: 'qwen3:8b', stream_options: false, max_tokens_field: 'max_tokens' },
    openai: { base_url: 'https://api.openai.com/v1', api_key_env: 'OPENAI_API_KEY', model: 'gpt-5.4-mini' },
    router: { base_url: 'https://openrouter.ai/api/v1', api_key_env: 'OPENROUTER_API_KEY', headers: { 'X-Title': 'gpt' } },
  },
  models: { 'qwen3*': { sampling: 'always' } },
  reasoning_effort: 'low',
};

describe('validateProfileConfig', () => {
  it('accepts profiles, models and a default, ignoring the other settings', () => {
    expect(validateProfileConfig({ ...profiles, model: 'x' }, F)).toEqual(profiles);
    expect(validateProfileConfig({}, F)).toEqual({});
  });

  const bad = (doc: Record<string, unknown>) => () => validateProfileConfig(doc, F);
  const one = (profile: unknown) => bad({ endpoints: { local: profile } });

  it('refuses a key written in the file, whatever it is called', () => {
    expect(shown(one({ base_url: 'http://h/v1', api_key: 'sk-123' }))).toMatch(
      /setting 'api_key' of endpoint 'local' in c.yaml: keys are never written in the config — .*api_key_env/,
    );
    expect(one({ base_url: 'http://h/v1', token: 'x' })).toThrow(/keys are never written/);
    expect(one({ base_url: 'http://h/v1', api_key_env: 'sk-proj-abc123' })).toThrow(
      /'api_key_env' of endpoint 'local' in c.yaml must be the NAME of a variable/,
    );
    expect(one({ base_url: 'http://h/v1', headers: { Authorization: 'Bearer sk-1' } })).toThrow(
      /header 'Authorization' of endpoint 'local' in c.yaml would write a credential/,
    );
    expect(one({ base_url: 'http://u:p@h/v1' })).toThrow(/holds a user name or password/);
  });

  it('refuses bad profiles, naming the endpoint and the file', () => {
    expect(one({ model: 'm' })).toThrow(/endpoint 'local' in c.yaml has no base_url/);
    expect(one({ base_url: 'localhost:8080' })).toThrow(/base_url of endpoint 'local' in c.yaml 'localhost:8080' is not a URL starting with http/);
    expect(one({ base_url: 'http://h/v1', stream_options: 'no' })).toThrow(/'stream_options' of endpoint 'local' in c.yaml must be true or false/);
    expect(one({ base_url: 'http://h/v1', max_tokens_field: 'n' })).toThrow(/must be one of max_tokens, max_completion_tokens/);
    expect(one({ base_url: 'http://h/v1', modle: 'm' })).toThrow(/unknown setting 'modle' of endpoint 'local' in c.yaml/);
    expect(one({ base_url: 'http://h/v1', models: { m: { sampling: 'sometimes' } } })).toThrow(/'sampling' of model 'm' of endpoint 'local' in c.yaml/);
    expect(one('http://h/v1')).toThrow(/of endpoint 'local' in c.yaml must be a mapping/);
    expect(bad({ endpoints: { 'a b': { base_url: 'http://h/v1' } } })).toThrow(/endpoint name 'a b' in c.yaml/);
    expect(bad({ endpoints: ['x'] })).toThrow(/'endpoints' in c.yaml must map names/);
  });

  it('refuses a default endpoint that is not defined, and an unknown effort', () => {
    expect(shown(bad({ endpoint: 'remote', endpoints: profiles.endpoints }))).toMatch(
      /'endpoint' in c.yaml must name one of its endpoints — known endpoints: local, openai, router/,
    );
    expect(shown(bad({ endpoint: 'x' }))).toMatch(/add an endpoints: map to c.yaml/);
    expect(bad({ reasoning_effort: 'max' })).toThrow(/setting 'reasoning_effort' in c.yaml must be one of none, minimal/);
  });
});

const inputs = (over: Partial<EndpointInputs> = {}): EndpointInputs => ({
  flags: {},
  env: {},
  config: validateProfileConfig(profiles, F),
  defaultModel: 'gpt-5.4-mini',
  file: F,
  ...over,
});

describe('resolveEndpoint', () => {
  it('uses the config default profile, saying where each setting came from', () => {
    const e = resolveEndpoint(inputs({ env: { OPENAI_API_KEY: 'sk-secret' } }));
    expect(e.endpoint).toEqual({ value: 'local', source: 'config', from: 'endpoint' });
    expect(e.baseURL).toEqual({ value: 'http://127.0.0.1:11434/v1', source: 'profile', from: 'endpoints.local.base_url' });
    expect(e.model).toEqual({ value: 'qwen3:8b', source: 'profile', from: 'endpoints.local.model' });
    // A profile without api_key_env sends no key: the OpenAI key does not go to other servers.
    expect(e.apiKey).toBeUndefined();
    expect(e.apiKeyEnv.from).toMatch(/none: no key sent/);
    expect(e.streamOptions).toMatchObject({ value: false, source: 'profile' });
    expect(e.reasoningEffort).toEqual({ value: 'low', source: 'config', from: 'reasoning_effort' });
  });

  it("picks by flag over GPT_ENDPOINT over the config, and reads the profile's key variable", () => {
    const env = { GPT_ENDPOINT: 'router', OPENROUTER_API_KEY: 'or-key', OPENAI_API_KEY: 'sk-x' };
    expect(resolveEndpoint(inputs({ env })).endpoint).toEqual({ value: 'router', source: 'env', from: 'GPT_ENDPOINT' });
    expect(resolveEndpoint(inputs({ env })).apiKey).toBe('or-key');
    expect(resolveEndpoint(inputs({ env })).headers.value).toEqual({ 'X-Title': 'gpt' });
    const e = resolveEndpoint(inputs({ env, flags: { endpoint: 'openai' } }));
    expect(e.endpoint.source).toBe('flag');
    expect(e.apiKey).toBe('sk-x');
    expect(e.model.value).toBe('gpt-5.4-mini');
  });

  it('lets flags win over the profile, and the profile over the environment', () => {
    const env = { GPT_MODEL: 'env-model', OPENAI_BASE_URL: 'http://env/v1' };
    const e = resolveEndpoint(inputs({ env, flags: { model: 'flag-model', baseURL: 'http://flag/v1' } }));
    expect(e.model).toEqual({ value: 'flag-model', source: 'flag', from: '--model' });
    expect(e.baseURL).toEqual({ value: 'http://flag/v1', source: 'flag', from: '--base-url' });
    const p = resolveEndpoint(inputs({ env }));
    expect(p.model.source).toBe('profile');
    expect(p.baseURL.source).toBe('profile');
  });

  it("keeps today's behaviour without profiles", () => {
    const config = { model: 'cfg-model', base_url: 'http://cfg/v1', temperature: 0.5 };
    const env = { OPENAI_API_KEY: 'sk-x' };
    const e = resolveEndpoint(inputs({ config, env }));
    expect(e.endpoint).toEqual({ value: undefined, source: 'default', from: 'none' });
    expect(e.model).toMatchObject({ value: 'cfg-model', source: 'config' });
    expect(e.baseURL).toMatchObject({ value: 'http://cfg/v1', source: 'config' });
    expect(e.apiKey).toBe('sk-x');
    expect(e.temperature).toMatchObject({ value: 0.5, source: 'config' });
    expect(resolveEndpoint(inputs({ config: {}, env: { GPT_MODEL: 'g', OPENAI_BASE_URL: 'http://e/v1' } })).model.source).toBe('env');
    const none = resolveEndpoint(inputs({ config: {} }));
    expect(none.model).toEqual({ value: 'gpt-5.4-mini', source: 'default', from: 'built-in default' });
    expect(none.baseURL.value).toBeUndefined();
  });

  it("uses a thread's model only on the endpoint the thread was made with", () => {
    const thread = { endpoint: 'local', model: 'qwen3:32b', reasoning_effort: 'high' as const };
    expect(resolveEndpoint(inputs({ thread })).model).toEqual({ value: 'qwen3:32b', source: 'thread', from: 'the thread' });
    expect(resolveEndpoint(inputs({ thread, flags: { endpoint: 'openai' } })).model.value).toBe('gpt-5.4-mini');
    expect(resolveEndpoint(inputs({ thread })).reasoningEffort.source).toBe('thread');
    expect(resolveEndpoint(inputs({ thread, flags: { model: 'm' } })).model.source).toBe('flag');
  });

  it('refuses an unknown profile: exit 2 from a flag, 3 from the environment', () => {
    expect(() => resolveEndpoint(inputs({ flags: { endpoint: 'nope' } }))).toThrow(/no endpoint 'nope' \(from --endpoint\) in c.yaml/);
    expect(exitOf(() => resolveEndpoint(inputs({ flags: { endpoint: 'nope' } })))).toBe(2);
    expect(exitOf(() => resolveEndpoint(inputs({ env: { GPT_ENDPOINT: 'nope' } })))).toBe(3);
  });

  it('checks a base URL from the environment or a flag', () => {
    expect(exitOf(() => resolveEndpoint(inputs({ config: {}, flags: { baseURL: 'localhost:1/v1' } })))).toBe(2);
    expect(exitOf(() => resolveEndpoint(inputs({ config: {}, env: { OPENAI_BASE_URL: 'localhost:1/v1' } })))).toBe(2);
  });

  it("feeds shapeRequest: the profile's overrides and the config defaults that may be dropped", () => {
    const e = resolveEndpoint(inputs({ flags: { model: 'gpt-5-mini', maxTokens: 20 }, config: { ...validateProfileConfig(profiles, F), temperature: 0.7 } }));
    const shape = shapeRequest(
      e.model.value,
      { maxTokens: e.maxTokens.value, temperature: e.temperature.value, reasoningEffort: e.reasoningEffort.value },
      e.capabilities,
      knobSources(e),
    );
    expect(isRefusal(shape)).toBe(false);
    if (!isRefusal(shape)) {
      expect(shape.fields).toEqual({ max_tokens: 20, reasoning_effort: 'low' }); // the local profile says max_tokens
      expect(shape.dropped.map((d) => d.setting)).toEqual(['temperature']);
      expect(shape.streamUsage).toBe(false);
    }
  });
});

describe('describeSettings', () => {
  it('lists every setting with its source and never the key', () => {
    const e = resolveEndpoint(inputs({ env: { GPT_ENDPOINT: 'openai', OPENAI_API_KEY: 'sk-very-secret' }, flags: { model: 'gpt-5-mini' } }));
    const rows = describeSettings(e);
    const text = formatSettingRows(rows);
    expect(text).not.toContain('sk-very-secret');
    expect(rows.find((r) => r.setting === 'api_key')).toMatchObject({ value: 'OPENAI_API_KEY (set)', source: 'profile' });
    expect(rows.find((r) => r.setting === 'model')).toMatchObject({ value: 'gpt-5-mini', source: 'flag', from: '--model' });
    expect(rows.find((r) => r.setting === 'model table')).toMatchObject({
      value: 'max_completion_tokens; temperature never; efforts minimal,low,medium,high',
      from: 'built-in gpt-5*',
    });
    expect(text).toMatch(/^endpoint +openai +env: GPT_ENDPOINT$/m);
    expect(text).toMatch(/^base_url +https:\/\/api.openai.com\/v1 +profile: endpoints.openai.base_url$/m);
  });
});
