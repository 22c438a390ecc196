import { describe, expect, it } from 'vitest';
import { costOf, formatUSD, isOpenAI, sumCosts } from '../../src/core/prices.js';
import type { Usage } from '../../src/core/types.js';
import { loadPriceTable } from '../../src/usage/price-table.js';

const usage: Usage = { prompt_tokens: 1_000_000, cached_tokens: 200_000, completion_tokens: 1_000_000, total_tokens: 2_000_000, reasoning_tokens: 300_000 };

describe('costOf', () => {
  it('prices an OpenAI model from the built-in table, cached input at its own rate', async () => {
    const table = await loadPriceTable();
    // gpt-4o-mini: $0.15 input, $0.075 cached input, $0.60 output per million.
    expect(costOf(usage, { model: 'gpt-4o-mini' }, table)).toBeCloseTo(0.8 * 0.15 + 0.2 * 0.075 + 0.6, 9);
    expect(costOf(usage, { model: 'gpt-4o-mini', baseURL: 'https://api.openai.com/v1' }, table)).toBeCloseTo(0.735, 9);
  });

  it('halves the price for the Batch API', async () => {
    expect(costOf(usage, { model: 'gpt-4o-mini', batch: true }, await loadPriceTable())).toBeCloseTo(0.3675, 9);
  });

  it('is null for a model the table does not know, and for a server that is not OpenAI', async () => {
    const table = await loadPriceTable();
    expect(costOf(usage, { model: 'llama3.2' }, table)).toBeNull();
    expect(costOf(usage, { model: 'gpt-4o-mini', baseURL: 'http://127.0.0.1:11434/v1' }, table)).toBeNull();
    expect(costOf(null, { model: 'gpt-4o-mini' }, table)).toBeNull();
  });

  it('takes the config prices first, on any server, cached input at the input price when not given', () => {
    const entry = { input_price: 1, output_price: 2 };
    expect(costOf(usage, { model: 'llama3.2', baseURL: 'http://127.0.0.1:8080/v1', entry })).toBeCloseTo(1 + 2, 9);
    expect(costOf(usage, { model: 'gpt-4o-mini', entry: { ...entry, cached_input_price: 0.5 } })).toBeCloseTo(0.8 + 0.1 + 2, 9);
    expect(costOf(usage, { model: 'x', entry: { input_price: 1 } })).toBeNull();
  });
});

describe('isOpenAI', () => {
  it('is the default endpoint or api.openai.com over https', () => {
    expect(isOpenAI(undefined)).toBe(true);
    expect(isOpenAI('https://api.openai.com/v1')).toBe(true);
    expect(isOpenAI('http://api.openai.com.evil/v1')).toBe(false);
    expect(isOpenAI('http://localhost:8080/v1')).toBe(false);
  });
});

describe('sums and formats', () => {
  it('is unknown when any part is unknown', () => {
    expect(sumCosts([0.1, 0.2])).toBe(0.3);
    expect(sumCosts([0.1, null])).toBeNull();
    expect(sumCosts([])).toBe(0);
  });

  it('shows dollars to a millionth', () => {
    expect(formatUSD(null)).toBe('cost unknown');
    expect(formatUSD(0.000123)).toBe('$0.000123');
    expect(formatUSD(12.345)).toBe('$12.35');
    expect(formatUSD(0.0000001)).toBe('<$0.000001');
  });
});
