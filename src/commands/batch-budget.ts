import { Budget } from '../batch/budget.js';
import type { BatchItem } from '../batch/item.js';
import { itemRequest } from '../batch/request.js';
import { ExitCode, GptError, usageError } from '../core/errors.js';
import { resolveModel } from '../core/models.js';
import { formatUSD, sumCosts } from '../core/prices.js';
import { encodingFor, promptTokens } from '../core/tokens.js';
import type { SendItem } from '../batch/local.js';
import { loadPricer, type Pricer } from '../usage/price-table.js';
import { loadCounter } from '../usage/tokenizer.js';
import type { Deps } from './deps.js';

// `gpt batch --max-cost` and the cost lines of `--dry-run` (README "Costs").

/** Prices result lines with the config's prices, else the table's (the Batch API's rate for --remote). */
export function batchPricer(deps: Deps, remote: boolean): Promise<Pricer> {
  return loadPricer(deps.settings.connection.baseURL, (model) => resolveModel(model, deps.settings.inForce.capabilities).entry, remote);
}

/** The items' input tokens counted exactly, and their cost: input alone, and with replies at max_tokens (null when one item has none). */
export async function countItems(items: AsyncIterable<BatchItem>, remote: boolean, deps: Deps) {
  const price = await batchPricer(deps, remote);
  const usage = (input: number, output: number) => ({ prompt_tokens: input, completion_tokens: output, total_tokens: input + output });
  let tokens = 0;
  let inputCost: number | null = 0;
  let maxCost: number | null = 0;
  for await (const item of items) {
    const { settings, messages } = itemRequest(item, deps.settings);
    const n = promptTokens(messages, await loadCounter(encodingFor(settings.model)));
    tokens += n;
    inputCost = sumCosts([inputCost, price(usage(n, 0), settings.model)]);
    maxCost = settings.maxTokens === undefined ? null : sumCosts([maxCost, price(usage(n, settings.maxTokens), settings.model)]);
  }
  return { tokens, inputCost, maxCost };
}

/** Each item's estimate while it is in flight (--max-cost). */
const estimates = new WeakMap<BatchItem, number>();

/**
 * The items, for as long as the budget allows: an item is read (and so sent) only when
 * what was spent, the estimates of the items in flight and its own stay within --max-cost.
 */
export async function* withinBudget(items: AsyncIterable<BatchItem>, budget: Budget, price: Pricer, deps: Deps): AsyncGenerator<BatchItem> {
  for await (const item of items) {
    const estimate = estimateItem(item, price, deps);
    if (!budget.reserve(await estimate)) return;
    estimates.set(item, await estimate);
    yield item;
  }
}

/** Sends like `send`, and settles the item's estimate against what it cost. */
export function budgetedSender(send: SendItem, budget: Budget, price: Pricer): SendItem {
  return async (item, signal) => {
    const estimate = estimates.get(item) ?? 0;
    let cost = 0;
    try {
      const record = await send(item, signal);
      cost = (record.usage && price(record.usage, record.model)) || 0;
      return record;
    } finally {
      budget.settle(estimate, cost);
    }
  };
}

/** Exit 10 when the budget stopped the run (what finished is written). */
export function checkBudgetStop(budget: Budget | undefined, resumeHint: string): void {
  if (!budget?.stopped) return;
  throw new GptError(ExitCode.budget, `stopped at --max-cost ${formatUSD(budget.max)}: ${formatUSD(budget.total)} spent, and the next item could have passed it`,
    `what finished is written; ${resumeHint} (give it a new --max-cost)`);
}

/**
 * What an item may cost: its input counted exactly (without its thread's history), and the
 * reply at its max_tokens when one is set (else the input alone); `price` applies the
 * Batch API's rate for --remote.
 */
async function estimateItem(item: BatchItem, price: Pricer, deps: Deps): Promise<number> {
  const { settings, messages } = itemRequest(item, deps.settings);
  const input = promptTokens(messages, await loadCounter(encodingFor(settings.model)));
  const output = settings.maxTokens ?? 0;
  const cost = price({ prompt_tokens: input, completion_tokens: output, total_tokens: input + output }, settings.model);
  if (cost === null) {
    throw usageError(`--max-cost needs a price, and ${settings.model} has none on this endpoint`,
      `give one in the config: models: {${settings.model}: {input_price: ..., output_price: ...}}`);
  }
  return cost;
}

/** --remote --max-cost: the whole batch's estimate (at the Batch API's rate) must be within it before it is submitted. */
export async function checkRemoteBudget(items: AsyncIterable<BatchItem>, budget: Budget, price: Pricer, deps: Deps): Promise<void> {
  let total = 0;
  for await (const item of items) total += await estimateItem(item, price, deps);
  if (total > budget.max) {
    throw new GptError(ExitCode.budget, `the batch is estimated at ${formatUSD(total)}, more than --max-cost ${formatUSD(budget.max)}`,
      'raise --max-cost, or send fewer items (or set max_tokens, which bounds the estimate); nothing was submitted');
  }
}
