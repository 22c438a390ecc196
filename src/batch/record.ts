import type { GptError } from '../core/errors.js';
import { formatUSD, sumCosts } from '../core/prices.js';
import type { ChatReply, Usage } from '../core/types.js';
import { thousands } from '../io/progress.js';
import { errorJson } from '../io/render.js';

/** One line of a batch's results (documented in README): the same for local and remote runs. */
export interface ResultRecord {
  id: string;
  reply: string | null;
  /** A reasoning model's thinking, when the server sent it apart from the answer. */
  reasoning?: string;
  model: string | null;
  finish_reason: string | null;
  usage: Usage | null;
  /** USD; null when unknown (no usage, or no price for the model on this endpoint). */
  cost: number | null;
  /** With --schema (or the item's `schema`): the reply as a JSON value, checked. */
  data?: unknown;
  /** Instead of a reply, when the item failed. */
  error?: ReturnType<typeof errorJson>['error'];
}

export function replyRecord(id: string, reply: ChatReply): ResultRecord {
  const reasoning = reply.reasoning === undefined ? {} : { reasoning: reply.reasoning };
  return { id, reply: reply.text, ...reasoning, model: reply.model, finish_reason: reply.finishReason, usage: reply.usage, cost: null };
}

export function errorRecord(id: string, model: string | null, error: GptError): ResultRecord {
  return { id, reply: null, model, finish_reason: null, usage: null, cost: null, error: errorJson(error).error };
}

/** Counts for the summary line and the progress bar. */
export class Tally {
  done = 0;
  failed = 0;
  tokens = 0;
  rateLimited = 0;
  /** USD of the replies so far; null once one reply's price is unknown. */
  cost: number | null = 0;

  add(record: ResultRecord): void {
    if (record.error) {
      this.failed++;
      if (record.error.status === 429) this.rateLimited++;
    } else {
      this.done++;
    }
    this.tokens += record.usage?.total_tokens ?? 0;
    if (record.usage) this.cost = sumCosts([this.cost, record.cost]);
  }

  get finished(): number {
    return this.done + this.failed;
  }
}

/** `1,000 items: 998 done, 2 failed, 45,210 tokens, $0.0123, 12.3s` (the cost when known); with `notRun`, `..., 2 failed, 5 did not run, ...` */
export function summaryLine(tally: Tally, total: number, seconds: number, notRun = 0): string {
  const items = total === 1 ? 'item' : 'items';
  const skipped = notRun > 0 ? `, ${thousands(notRun)} did not run` : '';
  return `${thousands(total)} ${items}: ${thousands(tally.done)} done, ${thousands(tally.failed)} failed${skipped}, ${thousands(tally.tokens)} tokens${tally.cost ? `, ${formatUSD(tally.cost)}` : ''}, ${seconds.toFixed(1)}s`;
}
