import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/core/config.js';
import { resolvePaths } from '../../src/core/paths.js';
import { autoThreadName, AUTO_NAME } from '../../src/core/names.js';
import { redact } from '../../src/core/secrets.js';
import { resolveThreadRef } from '../../src/store/threads.js';

describe('validateConfig', () => {
  it('accepts the documented settings', () => {
    expect(validateConfig({ model: 'm', temperature: 0.5, save_conversations: false }, 'c.yaml')).toEqual({
      model: 'm',
      temperature: 0.5,
      save_conversations: false,
    });
    expect(validateConfig(null, 'c.yaml')).toEqual({});
  });

  it('refuses unknown keys, wrong types and non-mappings, naming the file', () => {
    expect(() => validateConfig({ modle: 'x' }, 'c.yaml')).toThrow(/unknown setting 'modle' in c.yaml/);
    expect(() => validateConfig({ temperature: 'hot' }, 'c.yaml')).toThrow(/'temperature' in c.yaml must be a number/);
    expect(() => validateConfig(['a'], 'c.yaml')).toThrow(/c.yaml is not a mapping/);
  });

  it('refuses numbers out of range, as the flags do', () => {
    expect(() => validateConfig({ keep_conversations: 0 }, 'c.yaml')).toThrow(/'keep_conversations' in c.yaml must be a whole number from 1 to 1000000/);
    expect(() => validateConfig({ temperature: 2.5 }, 'c.yaml')).toThrow(/'temperature' in c.yaml must be a number from 0 to 2/);
    expect(() => validateConfig({ max_retries: 1.5 }, 'c.yaml')).toThrow(/'max_retries' in c.yaml must be a whole number/);
  });

  it('checks endpoints, models and reasoning_effort with the rest of the file', () => {
    const config = {
      endpoint: 'local',
      endpoints: { local: { base_url: 'http://127.0.0.1:8080/v1', max_tokens_field: 'max_tokens' } },
      models: { 'qwen3*': { sampling: 'always' } },
      reasoning_effort: 'low',
    };
    expect(validateConfig(config, 'c.yaml')).toEqual(config);
    expect(() => validateConfig({ reasoning_effort: 'huge' }, 'c.yaml')).toThrow(/'reasoning_effort' in c.yaml must be one of none, minimal/);
    expect(() => validateConfig({ endpoint: 'nope' }, 'c.yaml')).toThrow(/'endpoint' in c.yaml must name one of its endpoints/);
    expect(() => validateConfig({ endpoints: { x: { base_url: 'http://h/v1', api_key: 'sk-1' } } }, 'c.yaml')).toThrow(/keys are never written in the config/);
  });
});

describe('one range check for flags, config and batch items', () => {
  it('says the same of the same value wherever it comes from', async () => {
    const { checkItem } = await import('../../src/batch/item.js');
    expect(() => checkItem({ prompt: 'p', temperature: 2.5 }, 1, 1, undefined)).toThrow(/`temperature` must be a number from 0 to 2$/);
    expect(() => checkItem({ prompt: 'p', max_tokens: 0 }, 1, 1, undefined)).toThrow(/`max_tokens` must be a whole number from 1 to 10000000$/);
    expect(() => checkItem({ prompt: 'p', reasoning_effort: 'huge' }, 1, 1, undefined)).toThrow(
      /`reasoning_effort` must be one of none, minimal, low, medium, high, xhigh/,
    );
    expect(checkItem({ prompt: 'p', reasoning_effort: 'low' }, 1, 1, undefined)).toMatchObject({ reasoningEffort: 'low' });
  });
});

describe('resolvePaths', () => {
  it('follows XDG variables, falling back to HOME', () => {
    expect(resolvePaths({}, '/h')).toEqual({
      configFile: '/h/.config/gpt/config.yaml',
      threadsDir: '/h/.local/share/gpt/threads',
      cacheDir: '/h/.cache/gpt',
      stateDir: '/h/.local/state/gpt',
    });
    // The XDG spec: relative values are ignored.
    expect(resolvePaths({ XDG_DATA_HOME: 'data', XDG_CONFIG_HOME: './c', XDG_CACHE_HOME: '~/k', XDG_STATE_HOME: 's' }, '/h')).toEqual(resolvePaths({}, '/h'));
    expect(resolvePaths({ XDG_DATA_HOME: '/d', XDG_CONFIG_HOME: '/c', XDG_CACHE_HOME: '/k', XDG_STATE_HOME: '/s' }, '/h')).toEqual({
      configFile: '/c/gpt/config.yaml',
      threadsDir: '/d/gpt/threads',
      cacheDir: '/k/gpt',
      stateDir: '/s/gpt',
    });
  });
});

describe('autoThreadName', () => {
  const now = new Date('2026-11-27T16:40:12.345Z');

  it('is the time and the first words of the prompt', () => {
    expect(autoThreadName('What is the biggest animal in the world?', now)).toBe('20261127-164012-what-is-the-biggest-animal');
    expect(AUTO_NAME.test('20261127-164012-what-is-the-biggest-animal')).toBe(true);
  });

  it('keeps letters and digits of any script; accents off Latin letters only', () => {
    const names = {
      世界上最大的动物: '20261127-164012-世界上最大的动物',
      '世界上最大的动物是什么？ 蓝鲸': '20261127-164012-世界上最大的动物是什么-蓝鲸',
      'Café crème': '20261127-164012-cafe-creme',
      'Привет, мир! Как дела?': '20261127-164012-привет-мир-как-дела',
      'がぎぐ ＡＢＣ': '20261127-164012-がぎぐ-abc',
      'नमस्ते दुनिया': '20261127-164012-नमस्ते-दुनिया',
    };
    for (const [prompt, name] of Object.entries(names)) {
      expect(autoThreadName(prompt, now)).toBe(name);
      expect(AUTO_NAME.test(name)).toBe(true); // retention finds it
      expect(() => resolveThreadRef(name, '/d/threads', '/cwd')).not.toThrow(); // gpt thread show NAME finds it
    }
  });

  it('is a safe file name of bounded length whatever the prompt', () => {
    for (const prompt of ['../../etc/passwd', '.hidden', '𠜎'.repeat(200), `${'長'.repeat(100)} word`, 'a/b\\c\0d']) {
      const name = autoThreadName(prompt, now);
      expect(name).toMatch(/^20261127-164012(-[^/.\\\0]+)?$/);
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(15 + 1 + 120);
      expect(AUTO_NAME.test(name)).toBe(true);
      expect(resolveThreadRef(name, '/d/threads', '/cwd').explicitPath).toBe(false);
    }
  });

  it('is only the time when no word is usable', () => {
    expect(autoThreadName('?!… 🐋', now)).toBe('20261127-164012');
  });
});

describe('redact', () => {
  it('hides every occurrence of the key but its last four characters', () => {
    expect(redact('key=sk-abcdef123456 again sk-abcdef123456', 'sk-abcdef123456')).toBe('key=[redacted …3456] again [redacted …3456]');
    expect(redact('nothing here', undefined)).toBe('nothing here');
  });
});
