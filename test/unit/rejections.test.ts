import { describe, expect, it } from 'vitest';
import { fixForRejection } from '../../src/core/rejections.js';
import { reasoningModelError } from '../support/fake-server.js';

describe('fixForRejection', () => {
  it('names the profile setting that fixes a refused field', () => {
    const tokens = reasoningModelError({ model: 'gpt-5-mini', max_tokens: 5 })!;
    expect(fixForRejection(tokens, { model: 'gpt-5-mini', endpoint: 'gateway' })).toBe(
      'set max_tokens_field: max_completion_tokens in endpoints.gateway of the config',
    );
    expect(fixForRejection({ status: 400, message: 'Unrecognized request argument supplied: stream_options' }, { model: 'm', endpoint: 'vllm' })).toBe(
      'set stream_options: false in endpoints.vllm of the config',
    );
    expect(fixForRejection({ status: 400, message: 'unknown field `max_completion_tokens`' }, { model: 'm' })).toBe(
      'give this server an endpoint profile with max_tokens_field: max_tokens and use --endpoint',
    );
  });

  it('points at the models map for temperature and effort refusals', () => {
    const hint = fixForRejection({ status: 400, message: 'bad', param: 'temperature' }, { model: 'my-model', endpoint: 'azure' });
    expect(hint).toBe('drop --temperature/--top-p, or set models: {my-model: {sampling: never}} in the config (or under endpoints.azure)');
    const effort = reasoningModelError({ model: 'gpt-5.1', reasoning_effort: 'minimal' })!;
    expect(fixForRejection(effort, { model: 'gpt-5.1' })).toMatch(/^use another --reasoning-effort/);
  });

  it('explains a 404 from a Responses-only model, and stays quiet otherwise', () => {
    expect(fixForRejection({ status: 404, message: 'not found' }, { model: 'gpt-5-pro' })).toMatch(/only by the Responses API/);
    expect(fixForRejection({ status: 404, message: 'not found' }, { model: 'gpt-5-mini' })).toBeUndefined();
    expect(fixForRejection({ status: 400, message: 'context length exceeded' }, { model: 'm' })).toBeUndefined();
  });
});
