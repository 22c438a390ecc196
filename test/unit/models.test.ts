import { describe, expect, it } from 'vitest';
import { BUILT_IN_MODELS } from '../../src/core/model-table.js';
import {
  checkModelName,
  isRefusal,
  matchesPattern,
  parseEffort,
  resolveModel,
  shapeOrError,
  shapeRequest,
  validateModelsMap,
  type Refusal,
  type RequestShape,
} from '../../src/core/models.js';
import { GptError } from '../../src/core/errors.js';
import { reasoningModelError } from '../support/fake-server.js';

const shaped = (...args: Parameters<typeof shapeRequest>): RequestShape => {
  const shape = shapeRequest(...args);
  if (isRefusal(shape)) throw new Error(`refused: ${shape.message}`);
  return shape;
};
const refused = (...args: Parameters<typeof shapeRequest>): Refusal => {
  const shape = shapeRequest(...args);
  if (!isRefusal(shape)) throw new Error(`not refused: ${JSON.stringify(shape.fields)}`);
  return shape;
};

describe('matchesPattern', () => {
  it('knows *, ?, classes and literal dots, ignoring case', () => {
    expect(matchesPattern('gpt-5*', 'gpt-5-mini')).toBe(true);
    expect(matchesPattern('gpt-5.*', 'gpt-5-mini')).toBe(false);
    expect(matchesPattern('gpt-5.*', 'gpt-5.4-mini')).toBe(true);
    expect(matchesPattern('o[1-9]*', 'o4-mini')).toBe(true);
    expect(matchesPattern('o[1-9]*', 'omni-moderation-latest')).toBe(false);
    expect(matchesPattern('gpt-?o', 'GPT-4O')).toBe(true);
    expect(matchesPattern('a+b', 'aab')).toBe(false);
    expect(matchesPattern('[x', '[x')).toBe(true);
  });
});

describe('the built-in table', () => {
  const field = (model: string) => resolveModel(model).entry;

  it.each([
    ['gpt-5', 'max_completion_tokens', 'never'],
    ['gpt-5-mini', 'max_completion_tokens', 'never'],
    ['gpt-5-nano-2025-08-07', 'max_completion_tokens', 'never'],
    ['gpt-5.1', 'max_completion_tokens', 'effort_none'],
    ['gpt-5.4-mini', 'max_completion_tokens', 'effort_none'],
    ['gpt-5.10', 'max_completion_tokens', 'effort_none'],
    ['gpt-5.5-2026-04-23', 'max_completion_tokens', 'effort_none'],
    ['gpt-5-chat-latest', 'max_completion_tokens', 'always'],
    ['o1', 'max_completion_tokens', 'never'],
    ['o3-mini', 'max_completion_tokens', 'never'],
    ['o4-mini-2025-04-16', 'max_completion_tokens', 'never'],
    ['gpt-4o-mini', 'max_tokens', 'always'],
    ['gpt-4.1-nano', 'max_tokens', 'always'],
    ['openai/gpt-5-mini', 'max_completion_tokens', 'never'],
  ])('%s takes %s, temperature %s', (model, tokenField, sampling) => {
    expect(field(model).max_tokens_field).toBe(tokenField);
    expect(field(model).sampling).toBe(sampling);
  });

  it('knows which efforts each family takes', () => {
    expect(field('gpt-5-mini').reasoning_efforts).toEqual(['minimal', 'low', 'medium', 'high']);
    expect(field('gpt-5.1').reasoning_efforts).not.toContain('minimal');
    expect(field('gpt-5.4').reasoning_efforts).toContain('xhigh');
    expect(field('gpt-5-pro').reasoning_efforts).toEqual(['high']);
    expect(field('gpt-5.2-pro').responses_only).toBe(true);
    expect(field('gpt-4o').reasoning_efforts).toEqual([]);
    expect(field('o1-mini').reasoning_efforts).toEqual([]);
  });

  it("says nothing of a model it does not know (today's behaviour)", () => {
    expect(resolveModel('qwen3:8b')).toEqual({ entry: {}, from: [] });
    expect(resolveModel('llama-3.1-8b-instruct')).toEqual({ entry: {}, from: [] });
  });

  it('is valid as a models map (the config can copy any entry)', () => {
    for (const [pattern, entry] of BUILT_IN_MODELS) expect(() => validateModelsMap({ [pattern]: entry }, 'table')).not.toThrow();
  });

  it('puts no broad pattern above a narrower one that it would hide', () => {
    BUILT_IN_MODELS.forEach(([pattern], i) => {
      const literal = pattern.replace(/\[(.)[^\]]*\]/g, '$1').replace(/\*/g, '');
      const winner = BUILT_IN_MODELS.find(([p]) => matchesPattern(p, literal));
      expect(winner?.[0], `${pattern} is hidden`).toBe(BUILT_IN_MODELS[i]![0]);
    });
  });
});

describe('layers over the table', () => {
  it("applies the config, then the profile, then the profile's models, field by field", () => {
    const resolved = resolveModel('gpt-5-mini', {
      config: { 'gpt-5-mini': { input_price: 0.25, sampling: 'always' } },
      endpoint: { max_tokens_field: 'max_tokens', models: { 'gpt-5*': { context_window: 400_000 } } },
    });
    expect(resolved.entry).toMatchObject({
      max_tokens_field: 'max_tokens',
      sampling: 'always',
      input_price: 0.25,
      context_window: 400_000,
      reasoning_efforts: ['minimal', 'low', 'medium', 'high'],
    });
    expect(resolved.from).toEqual(['built-in gpt-5*', 'models.gpt-5-mini', 'endpoint max_tokens_field', 'endpoint models.gpt-5*']);
  });

  it('prefers an exact config name over a pattern, and teaches unknown models', () => {
    const config = { 'qwen3*': { sampling: 'never' as const }, 'Qwen3:8b': { sampling: 'always' as const } };
    expect(resolveModel('qwen3:8b', { config }).entry.sampling).toBe('always');
    expect(resolveModel('qwen3:32b', { config }).entry.sampling).toBe('never');
  });
});

describe('shapeRequest', () => {
  it('sends max_completion_tokens to reasoning models and max_tokens elsewhere', () => {
    expect(shaped('gpt-5.4-mini', { maxTokens: 50 }).fields).toEqual({ max_completion_tokens: 50 });
    expect(shaped('o3', { maxTokens: 50 }).fields).toEqual({ max_completion_tokens: 50 });
    expect(shaped('gpt-4o-mini', { maxTokens: 50, temperature: 0.3 }).fields).toEqual({ max_tokens: 50, temperature: 0.3 });
    expect(shaped('local-model', { maxTokens: 50, temperature: 0.3, reasoningEffort: 'high' }).fields).toEqual({
      max_tokens: 50,
      temperature: 0.3,
      reasoning_effort: 'high',
    });
  });

  it('refuses a temperature on gpt-5-mini and the o-series, naming model and flag', () => {
    const r = refused('gpt-5-mini', { temperature: 0.3 });
    expect(r).toMatchObject({ refused: 'temperature', flag: '--temperature' });
    expect(r.message).toBe('gpt-5-mini takes no --temperature (reasoning models use 1)');
    expect(r.hint).toMatch(/drop --temperature/);
    expect(refused('o4-mini', { topP: 0.5 }).message).toBe('o4-mini takes no --top-p (reasoning models use 1)');
  });

  it('lets gpt-5.1 and later take a temperature only with effort none', () => {
    expect(shaped('gpt-5.4-mini', { temperature: 0.3 }).fields).toEqual({ temperature: 0.3 });
    expect(shaped('gpt-5.4-mini', { temperature: 0.3, reasoningEffort: 'none' }).fields).toEqual({ temperature: 0.3, reasoning_effort: 'none' });
    // From gpt-5.5 the default effort is medium: a temperature needs effort none said out loud.
    expect(refused('gpt-5.5', { temperature: 0.3 }).message).toBe('gpt-5.5 takes no --temperature with reasoning effort medium (only with none)');
    expect(shaped('gpt-5.5', { temperature: 0.3, reasoningEffort: 'none' }).fields).toEqual({ temperature: 0.3, reasoning_effort: 'none' });
    const r = refused('gpt-5.4-mini', { temperature: 0.3, reasoningEffort: 'high' });
    expect(r.message).toBe('gpt-5.4-mini takes no --temperature with reasoning effort high (only with none)');
    expect(r.hint).toMatch(/--reasoning-effort none/);
  });

  it('leaves out a temperature of 1, the only one reasoning models take', () => {
    expect(shaped('gpt-5-nano', { temperature: 1 }).fields).toEqual({});
    expect(shaped('gpt-5.4', { temperature: 1, reasoningEffort: 'low' }).fields).toEqual({ reasoning_effort: 'low' });
  });

  it('refuses an effort the model does not take', () => {
    expect(refused('gpt-5.1', { reasoningEffort: 'minimal' }).message).toBe('gpt-5.1 takes no --reasoning-effort minimal (it takes none, low, medium, high)');
    expect(refused('gpt-5-pro', { reasoningEffort: 'medium' }).message).toMatch(/it takes high\)$/);
    expect(refused('gpt-4o', { reasoningEffort: 'low' }).message).toBe('gpt-4o takes no --reasoning-effort (it is not a reasoning model)');
    expect(shaped('gpt-5-mini', { reasoningEffort: 'minimal' }).fields).toEqual({ reasoning_effort: 'minimal' });
    expect(shaped('gpt-5.4', { reasoningEffort: 'xhigh' }).fields).toEqual({ reasoning_effort: 'xhigh' });
  });

  it('drops config defaults that do not fit the model instead of refusing', () => {
    const shape = shaped('gpt-5-mini', { temperature: 0.7, reasoningEffort: 'none' }, {}, { temperature: 'config', reasoningEffort: 'config' });
    expect(shape.fields).toEqual({});
    expect(shape.dropped).toEqual([
      { setting: 'reasoning_effort', reason: 'gpt-5-mini takes no reasoning_effort none' },
      { setting: 'temperature', reason: 'gpt-5-mini takes no temperature (reasoning models use 1)' },
    ]);
  });

  it('names where a setting came from when it was not a flag', () => {
    expect(refused('gpt-5', { temperature: 0.2 }, {}, { temperature: 'item' }).message).toBe(
      'gpt-5 takes no temperature (reasoning models use 1), set by the batch item',
    );
    expect(refused('gpt-5.1', { reasoningEffort: 'minimal' }, {}, { reasoningEffort: 'thread' }).message).toBe(
      'gpt-5.1 takes no reasoning_effort minimal (it takes none, low, medium, high), set by the thread',
    );
  });

  it('follows the config and the profile over the table', () => {
    expect(shaped('gpt-5-mini', { temperature: 0.3 }, { config: { 'gpt-5-mini': { sampling: 'always' } } }).fields).toEqual({ temperature: 0.3 });
    const local = { endpoint: { max_tokens_field: 'max_tokens' as const, stream_options: false } };
    const shape = shaped('gpt-5-mini', { maxTokens: 9 }, local);
    expect(shape.fields).toEqual({ max_tokens: 9 });
    expect(shape.streamUsage).toBe(false);
    expect(shaped('x', {}).streamUsage).toBe(true);
  });

  it('gives the refusal as a usage error (exit 2)', () => {
    const error = shapeOrError('gpt-5-mini', { temperature: 0.3 });
    expect(error).toBeInstanceOf(GptError);
    expect((error as GptError).exitCode).toBe(2);
  });
});

describe('validateModelsMap', () => {
  it('accepts capabilities and the prices and context windows of the cost issue', () => {
    const map = { 'gpt-5.4-mini': { input_price: 0.75, output_price: 4.5, cached_input_price: 0.075, context_window: 400_000 } };
    expect(validateModelsMap(map, 'c.yaml')).toEqual(map);
  });

  it('refuses unknown fields and bad values, naming the model and the file', () => {
    expect(() => validateModelsMap({ m: { samplng: 'never' } }, 'c.yaml')).toThrow(/unknown setting 'samplng' of model 'm' in c.yaml/);
    expect(() => validateModelsMap({ m: { max_tokens_field: 'max_len' } }, 'c.yaml')).toThrow(
      /'max_tokens_field' of model 'm' in c.yaml must be one of max_tokens, max_completion_tokens/,
    );
    expect(() => validateModelsMap({ m: { reasoning_efforts: ['huge'] } }, 'c.yaml')).toThrow(/a list of values from none, minimal/);
    expect(() => validateModelsMap({ m: { input_price: -1 } }, 'c.yaml')).toThrow(/'input_price' of model 'm' in c.yaml must be a number from 0/);
    expect(() => validateModelsMap({ m: 'fast' }, 'c.yaml')).toThrow(/of model 'm' in c.yaml must be a mapping/);
    expect(() => validateModelsMap(['m'], 'c.yaml')).toThrow(/'models' in c.yaml must map model names/);
  });

  it('parses efforts', () => {
    expect(parseEffort('xhigh')).toBe('xhigh');
    expect(parseEffort('max')).toBeUndefined();
  });
});

describe('shapeRequest against the fake OpenAI API', () => {
  const models = ['gpt-5', 'gpt-5-mini', 'gpt-5-nano', 'gpt-5-pro', 'gpt-5.1', 'gpt-5.2', 'gpt-5.4-mini', 'gpt-5.5', 'o1', 'o3', 'o4-mini'];
  const efforts = [undefined, 'none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;

  it('never sends what the API refuses, and refuses only what the API would', () => {
    let sent = 0;
    for (const model of models) {
      for (const temperature of [undefined, 0.3, 1]) {
        for (const reasoningEffort of efforts) {
          const knobs = { maxTokens: 50, temperature, reasoningEffort };
          const shape = shapeRequest(model, knobs);
          const asked = { model, max_completion_tokens: 50, temperature, reasoning_effort: reasoningEffort };
          const label = JSON.stringify(asked);
          if (isRefusal(shape)) {
            expect(reasoningModelError(asked), label).toBeDefined();
          } else {
            expect(reasoningModelError({ model, ...shape.fields }), label).toBeUndefined();
            sent++;
          }
        }
      }
    }
    expect(sent).toBeGreaterThan(50);
  });
});

describe('checkModelName', () => {
  it('refuses an empty or multi-line name as a usage error', () => {
    expect(checkModelName(' gpt-5-mini ')).toBe('gpt-5-mini');
    expect(() => checkModelName('')).toThrow(/--model needs a model name$/);
    expect(() => checkModelName('  ', '-m')).toThrow(/-m needs a model name/);
    expect(() => checkModelName('a\nb')).toThrow(/on one line/);
    const error = (() => {
      try {
        checkModelName('');
      } catch (e) {
        return e;
      }
    })();
    expect((error as GptError).exitCode).toBe(2);
  });
});
