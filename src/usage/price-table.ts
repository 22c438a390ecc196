import type { PriceTable } from '../core/prices.js';

let table: Promise<PriceTable> | undefined;

/**
 * The built-in price table: @pydantic/genai-prices, whose data ships inside the package
 * (updated by upgrading it; it fetches nothing unless told to, and we never do). Loaded on
 * first use: it is half a megabyte of data that commands without a reply never need.
 */
export function loadPriceTable(): Promise<PriceTable> {
  table ??= import('@pydantic/genai-prices').then(({ calcPrice }) => (usage, model) => {
    const found = calcPrice(
      { input_tokens: usage.prompt_tokens, cache_read_tokens: usage.cached_tokens ?? 0, output_tokens: usage.completion_tokens },
      model.slice(model.lastIndexOf('/') + 1),
      { providerId: 'openai' },
    );
    return found ? found.total_price : null;
  });
  return table;
}
