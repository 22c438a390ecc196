import { ExitCode, GptError, usageError } from '../core/errors.js';
import { formatUSD } from '../core/prices.js';
import { encodingFor, promptTokens } from '../core/tokens.js';
import type { ChatMessage } from '../core/types.js';
import { loadCounter } from '../usage/tokenizer.js';
import type { Deps } from './deps.js';
import { costOfUsage } from './turn.js';

export interface Estimate {
  model: string;
  encoding: string;
  /** Exact: the tokenizer's count of the messages as the chat format sends them. */
  inputTokens: number;
  inputCost: number | null;
  /** The reply bounded by max_tokens; undefined when none is given (no bound). */
  maxTokens?: number;
  maxCost?: number | null;
}

/** Counts a request's input exactly and prices it, with the reply bounded by max_tokens when given. */
export async function estimate(messages: ChatMessage[], model: string, maxTokens: number | undefined, deps: Deps, batch = false): Promise<Estimate> {
  const encoding = encodingFor(model);
  const inputTokens = promptTokens(messages, await loadCounter(encoding));
  const price = (completion: number) =>
    costOfUsage({ prompt_tokens: inputTokens, completion_tokens: completion, total_tokens: inputTokens + completion }, model, deps, batch);
  const result: Estimate = { model, encoding, inputTokens, inputCost: await price(0) };
  if (maxTokens !== undefined) Object.assign(result, { maxTokens, maxCost: await price(maxTokens) });
  return result;
}

/** What `--dry-run` prints: the exact input, and the cost estimate saying what bounds it. */
export function describeEstimate(e: Estimate): string {
  const lines = [`model: ${e.model}`, `input tokens: ${e.inputTokens} (exact, ${e.encoding})`];
  if (e.inputCost === null) {
    lines.push('estimated cost: unknown (no price for this model on this endpoint; models: in the config can give one)');
  } else if (e.maxTokens === undefined) {
    lines.push(`estimated cost: ${formatUSD(e.inputCost)} for the input; the reply is not bounded (no --max-tokens), so its cost is not included`);
  } else {
    lines.push(`estimated cost: ${formatUSD(e.inputCost)} for the input, at most ${formatUSD(e.maxCost ?? null)} with a reply of up to ${e.maxTokens} tokens (--max-tokens)`);
  }
  return `${lines.join('\n')}\n`;
}

/** --max-cost: refuse a request whose input alone would cost more (exit 10), or whose price is unknown. */
export function checkBudget(e: Estimate, maxCost: number): void {
  if (e.inputCost === null) throw noPrice(e.model);
  if (e.inputCost > maxCost) {
    throw new GptError(ExitCode.budget, `the input alone (${e.inputTokens} tokens) would cost ${formatUSD(e.inputCost)}, more than --max-cost ${formatUSD(maxCost)}`,
      'raise --max-cost, or shorten the prompt or thread; nothing was sent');
  }
}

/** --max-cost needs the model's price: checked when a chat starts, before anything is typed or sent. */
export async function checkPriced(model: string, deps: Deps): Promise<void> {
  if ((await costOfUsage({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }, model, deps)) === null) throw noPrice(model);
}

function noPrice(model: string): GptError {
  return usageError(`--max-cost needs a price, and ${model} has none on this endpoint`, `give one in the config: models: {${model}: {input_price: ..., output_price: ...}}`);
}
