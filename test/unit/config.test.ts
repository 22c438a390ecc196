import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/core/config.js';
import { resolvePaths } from '../../src/core/paths.js';
import { autoThreadName, AUTO_NAME } from '../../src/core/names.js';
import { redact } from '../../src/core/secrets.js';

describe('validateConfig', () => {
  it('accepts the documented settings', () => {
    expect(validateConfig({ model: 'm', temperature: 0.5, save_conversations: false }, 'c.yaml'))
      .toEqual({ model: 'm', temperature: 0.5, save_conversations: false });
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
});

describe('resolvePaths', () => {
  it('follows XDG variables, falling back to HOME', () => {
    expect(resolvePaths({}, '/h')).toEqual({
      configFile: '/h/.config/gpt/config.yaml',
      threadsDir: '/h/.local/share/gpt/threads',
      cacheDir: '/h/.cache/gpt',
      stateDir: '/h/.local/state/gpt',
    });
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

  it('is only the time when no word is usable', () => {
    expect(autoThreadName('世界上最大的动物是什么？', now)).toBe('20261127-164012');
    expect(autoThreadName('Café crème', now)).toBe('20261127-164012-cafe-creme');
  });
});

describe('redact', () => {
  it('hides every occurrence of the key but its last four characters', () => {
    expect(redact('key=sk-abcdef123456 again sk-abcdef123456', 'sk-abcdef123456')).toBe('key=[redacted …3456] again [redacted …3456]');
    expect(redact('nothing here', undefined)).toBe('nothing here');
  });
});
