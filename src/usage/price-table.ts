import { costOf, hasOwnPrices, isOpenAI, type CostInputs, type PriceTable } from '../core/prices.js';
import type { ModelEntry } from '../core/model-table.js';
import type { Usage } from '../core/types.js';

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

/** The cost of a reply (core/prices.ts costOf), loading the table only when it can be used. */
export async function replyCost(usage: Usage | null | undefined, inputs: CostInputs): Promise<number | null> {
  if (!usage) return null;
  const table = hasOwnPrices(inputs.entry) || !isOpenAI(inputs.baseURL) ? undefined : await loadPriceTable();
  return costOf(usage, inputs, table);
}

/** Prices usage sync (batch results are written one at a time): the table is loaded first, when it can be used. */
export type Pricer = (usage: Usage | null, model: string | null) => number | null;

export async function loadPricer(baseURL: string | undefined, entryOf: (model: string) => ModelEntry | undefined, batch = false): Promise<Pricer> {
  const table = isOpenAI(baseURL) ? await loadPriceTable() : undefined;
  return (usage, model) => (usage && model !== null ? costOf(usage, { model, baseURL, entry: entryOf(model), batch }, table) : null);
}
