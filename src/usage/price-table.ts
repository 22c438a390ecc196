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
  table ??= Promise.resolve()
    .then(genaiPrices)
    .then(({ calcPrice }) => (usage, model) => {
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

/** The model's context window from the table (OpenAI models only), or undefined. */
export async function tableContextWindow(model: string): Promise<number | undefined> {
  const { calcPrice } = genaiPrices();
  const found = calcPrice({ input_tokens: 0, output_tokens: 0 }, model.slice(model.lastIndexOf('/') + 1), { providerId: 'openai' });
  return found?.model.context_window ?? undefined;
}

/** Outside the bundle (build.mjs); the bundle is CommonJS run from a vm script, where import() fails: so require. */
function genaiPrices(): typeof import('@pydantic/genai-prices') {
  return require('@pydantic/genai-prices') as typeof import('@pydantic/genai-prices');
}
