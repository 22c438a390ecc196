import type { ModelEntry } from './model-table.js';
import type { StoredMessage, Usage } from './types.js';

/** The OpenAI API: the one endpoint whose prices the built-in table knows. */
export const OPENAI_API = 'https://api.openai.com/v1';

/** The Batch API charges half the synchronous rate (OpenAI's pricing page). */
export const BATCH_DISCOUNT = 0.5;

/** A built-in price table: the cost in USD of this usage on the OpenAI API, or null when the model is not in it. */
export type PriceTable = (usage: Usage, model: string) => number | null;

export interface CostInputs {
  model: string;
  /** undefined: the OpenAI API. */
  baseURL?: string;
  /** The model's entry after the config's and the profile's layers (its *_price fields win). */
  entry?: ModelEntry;
  /** Sent through the Batch API (--remote). */
  batch?: boolean;
}

/**
 * The cost in USD of one reply, or null when its price is unknown: the config's prices for the
 * model when it gives them, else the built-in table, but only for the OpenAI API itself — a
 * local server or another provider is never priced by guess.
 */
export function costOf(usage: Usage | null | undefined, inputs: CostInputs, table?: PriceTable): number | null {
  if (!usage) return null;
  const own = configCost(usage, inputs.entry);
  const cost = own ?? (isOpenAI(inputs.baseURL) && table ? table(usage, inputs.model) : null);
  if (cost === null) return null;
  return roundUSD(inputs.batch ? cost * BATCH_DISCOUNT : cost);
}

/** Whether the built-in table may be used: the OpenAI API, by default or named. */
export function isOpenAI(baseURL: string | undefined): boolean {
  if (baseURL === undefined) return true;
  try {
    const url = new URL(baseURL);
    return url.protocol === 'https:' && url.hostname === 'api.openai.com';
  } catch {
    return false;
  }
}

/** Whether the config prices this model itself (then no table is needed). */
export function hasOwnPrices(entry: ModelEntry | undefined): boolean {
  return entry?.input_price !== undefined && entry.output_price !== undefined;
}

/**
 * USD per million tokens from the config: cached input tokens (part of prompt_tokens) at
 * cached_input_price (the input price when not given); completion_tokens include reasoning.
 */
function configCost(usage: Usage, entry: ModelEntry | undefined): number | null {
  if (!hasOwnPrices(entry)) return null;
  const cached = Math.min(usage.cached_tokens ?? 0, usage.prompt_tokens);
  const perMillion =
    (usage.prompt_tokens - cached) * entry!.input_price! +
    cached * (entry!.cached_input_price ?? entry!.input_price!) +
    usage.completion_tokens * entry!.output_price!;
  return perMillion / 1_000_000;
}

/** Sums of money are shown and stored to a millionth of a dollar, which hides float noise (0.1 + 0.2). */
export function roundUSD(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}

/** Adds costs; unknown (null) in any part makes the sum unknown, never an undercount. */
export function sumCosts(costs: Iterable<number | null>): number | null {
  let total = 0;
  for (const cost of costs) {
    if (cost === null) return null;
    total += cost;
  }
  return roundUSD(total);
}

/** "$0.0123" for a person (stderr, thread list); "cost unknown" when null. */
export function formatUSD(cost: number | null): string {
  if (cost === null) return 'cost unknown';
  if (cost === 0) return '$0';
  if (cost >= 1) return `$${cost.toFixed(2)}`;
  if (cost < 0.000_001) return '<$0.000001';
  return `$${cost.toFixed(6).replace(/0+$/, '')}`;
}

/**
 * What a thread has cost so far: tokens the server reported, and their cost. Each is null
 * (unknown, never an undercount) when any reply lacks it, as in a file written by hand.
 */
export interface Spent {
  tokens: number | null;
  cost: number | null;
}

export function spentOn(messages: readonly StoredMessage[]): Spent {
  const replies = messages.filter((m) => m.role === 'assistant');
  return {
    tokens: replies.some((m) => !m.usage) ? null : replies.reduce((n, m) => n + m.usage!.total_tokens, 0),
    cost: sumCosts(replies.map((m) => (typeof m.cost === 'number' ? m.cost : null))),
  };
}
