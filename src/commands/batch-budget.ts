import { Budget } from '../batch/budget.js';
import type { BatchItem } from '../batch/item.js';
import { itemThreadRef, type ItemPathRules } from '../batch/item-paths.js';
import { itemRequest } from '../batch/request.js';
import type { RequestSettings } from '../core/endpoints.js';
import type { SentAttachment, StoredMessage, Thread } from '../core/types.js';
import type { ThreadRef } from '../store/threads.js';
import { ExitCode, GptError, usageError } from '../core/errors.js';
import { resolveModel } from '../core/models.js';
import { formatUSD, sumCosts } from '../core/prices.js';
import { encodingFor, promptTokens } from '../core/tokens.js';
import { attachmentTokens } from '../core/attachments.js';
import type { SendItem } from '../batch/local.js';
import { loadPricer, type Pricer } from '../usage/price-table.js';
import { loadCounter } from '../usage/tokenizer.js';
import type { Deps } from './deps.js';
import { threadAttachments, threadStores, type LoadedAttachment } from './attachments.js';
import { loadItemContext, promptWithFiles, type ItemContext } from './batch-context.js';

// `gpt batch --max-cost` and the cost lines of `--dry-run` (README "Costs").

/** Prices result lines with the config's prices, else the table's (the Batch API's rate for --remote). */
export function batchPricer(deps: Deps, remote: boolean): Promise<Pricer> {
  return loadPricer(deps.settings.connection.baseURL, (model) => resolveModel(model, deps.settings.inForce.capabilities).entry, remote);
}

/**
 * What items send, for their estimates: an item that continues a thread sends the thread's
 * messages too, as its file holds them now, and after them the turns of the batch's earlier
 * items of that thread (their prompts, and their replies at max_tokens: unknown until sent).
 * A thread that cannot be read counts as empty (sending that item will fail, costing nothing).
 */
export class ItemThreads {
  private readonly threads = new Map<string, Promise<CountedThread | undefined>>();
  /** Per thread file: the tokens of the replies of the batch's earlier items (at max_tokens). */
  private readonly replies = new Map<string, number>();

  constructor(private readonly deps: Deps, private readonly rules: ItemPathRules | undefined, private readonly maxFilesSize?: number) {}

  /** The item's input tokens, counted exactly but for earlier items' replies (images estimated); its settings, and its files and attachments. */
  async count(item: BatchItem): Promise<{ settings: RequestSettings; tokens: number; imageTokens: number; context?: ItemContext }> {
    const ref = this.refOf(item);
    const found = ref === undefined ? undefined : await this.load(ref);
    const context = this.rules && (item.files || item.attachments) ? await loadItemContext(item, this.rules, this.maxFilesSize, this.deps) : undefined;
    const sent = context && forCounting(context.attached);
    const turn = { prompt: context ? promptWithFiles(item, context) : item.prompt ?? '', attached: { turn: sent, history: found?.attached } };
    const { settings, messages } = itemRequest(item, this.deps.settings, found?.thread, turn);
    const tokens = promptTokens(messages, await loadCounter(encodingFor(settings.model))) + (ref === undefined ? 0 : this.replies.get(ref.file) ?? 0);
    if (ref !== undefined && found) {
      // The next item of this thread comes after this one's question (and its attachments) and reply.
      const question: StoredMessage = { role: 'user', content: turn.prompt };
      found.thread.messages.push(question, { role: 'assistant', content: '' });
      if (sent?.length) found.attached.set(question, sent);
      this.replies.set(ref.file, (this.replies.get(ref.file) ?? 0) + (settings.maxTokens ?? 0));
    }
    // Of the tokens, the images' estimate (this item's and its thread's): said apart by --dry-run.
    const imageTokens = messages.reduce((sum, m) => sum + attachmentTokens(m.attachments), 0);
    return { settings, tokens, imageTokens, context };
  }

  private refOf(item: BatchItem): ThreadRef | undefined {
    if (item.thread === undefined || !this.rules) return undefined;
    try {
      return itemThreadRef(item.thread, this.rules);
    } catch {
      return undefined; // refused when it is sent
    }
  }

  /** The thread as its file holds it, with its earlier attachments (their sizes; one that cannot be found is not counted). */
  private load(ref: ThreadRef): Promise<CountedThread | undefined> {
    let found = this.threads.get(ref.file);
    if (!found) {
      const { threadsDir } = this.deps.paths;
      const base = this.rules!.base;
      found = this.deps.store.load(ref.file).then(async ({ thread: loaded }) => {
        const thread = { ...loaded, messages: [...loaded.messages] };
        const earlier = await threadAttachments(thread.messages, threadStores(ref, thread, threadsDir), ref, base).catch(() => new Map<StoredMessage, LoadedAttachment[]>());
        return { thread, attached: new Map([...earlier].map(([message, loaded]) => [message, forCounting(loaded)])) };
      }, () => undefined);
      this.threads.set(ref.file, found);
    }
    return found;
  }
}

interface CountedThread {
  thread: Thread;
  attached: Map<StoredMessage, SentAttachment[]>;
}

/** Attachments as far as counting needs them: their references and sizes, not their bytes (a batch may hold many). */
const forCounting = (loaded: readonly LoadedAttachment[]): SentAttachment[] =>
  loaded.map(({ sent }) => ({ ref: sent.ref, url: '', ...(sent.pixels ? { pixels: sent.pixels } : {}) }));

/** One item's count, as `--dry-run --json` lists it. */
export interface ItemCount {
  model: string;
  tokens: number;
  imageTokens: number;
  inputCost: number | null;
  maxTokens?: number;
  /** With its reply at max_tokens; null without max_tokens or a price. */
  maxCost: number | null;
  context?: ItemContext;
}

/**
 * The items' input tokens counted exactly (with their threads; images estimated), and their cost: input alone, and with
 * replies at max_tokens (null when one item has none). `seeItem` is shown each item's count, files and attachments.
 */
export async function countItems(items: AsyncIterable<BatchItem>, remote: boolean, deps: Deps, rules?: ItemPathRules, maxFilesSize?: number, seeItem?: (item: BatchItem, count: ItemCount) => void) {
  const price = await batchPricer(deps, remote);
  const usage = (input: number, output: number) => ({ prompt_tokens: input, completion_tokens: output, total_tokens: input + output });
  const threads = new ItemThreads(deps, rules, maxFilesSize);
  let tokens = 0;
  let imageTokens = 0;
  let inputCost: number | null = 0;
  let maxCost: number | null = 0;
  for await (const item of items) {
    const { settings, tokens: n, imageTokens: images, context } = await threads.count(item);
    const { model, maxTokens } = settings;
    const itemInput = price(usage(n, 0), model);
    const itemMax = maxTokens === undefined ? null : price(usage(n, maxTokens), model);
    seeItem?.(item, { model, tokens: n, imageTokens: images, inputCost: itemInput, maxTokens, maxCost: itemMax, context });
    tokens += n;
    imageTokens += images;
    inputCost = sumCosts([inputCost, itemInput]);
    maxCost = maxTokens === undefined ? null : sumCosts([maxCost, itemMax]);
  }
  return { tokens, imageTokens, inputCost, maxCost };
}

/** Each item's estimate while it is in flight (--max-cost). */
const estimates = new WeakMap<BatchItem, number>();

/**
 * The items, for as long as the budget allows: an item is read (and so sent) only when
 * what was spent, the estimates of the items in flight and its own stay within --max-cost.
 */
export async function* withinBudget(items: AsyncIterable<BatchItem>, budget: Budget, price: Pricer, deps: Deps, rules: ItemPathRules, maxFilesSize?: number): AsyncGenerator<BatchItem> {
  const threads = new ItemThreads(deps, rules, maxFilesSize);
  for await (const item of items) {
    const estimate = estimateItem(item, price, threads);
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
 * What an item may cost: its input counted exactly (with its thread's history: ItemThreads), and the
 * reply at its max_tokens when one is set (else the input alone); `price` applies the
 * Batch API's rate for --remote.
 */
async function estimateItem(item: BatchItem, price: Pricer, threads: ItemThreads): Promise<number> {
  const { settings, tokens: input } = await threads.count(item);
  const output = settings.maxTokens ?? 0;
  const cost = price({ prompt_tokens: input, completion_tokens: output, total_tokens: input + output }, settings.model);
  if (cost === null) {
    throw usageError(`--max-cost needs a price, and ${settings.model} has none on this endpoint`,
      `give one in the config: models: {${settings.model}: {input_price: ..., output_price: ...}}`);
  }
  return cost;
}

/** --remote --max-cost: the whole batch's estimate (at the Batch API's rate) must be within it before it is submitted. */
export async function checkRemoteBudget(items: AsyncIterable<BatchItem>, budget: Budget, price: Pricer, deps: Deps, rules: ItemPathRules, maxFilesSize?: number): Promise<void> {
  let total = 0;
  // --remote takes no thread items; the rules are for their files and attachments.
  const threads = new ItemThreads(deps, rules, maxFilesSize);
  for await (const item of items) total += await estimateItem(item, price, threads);
  if (total > budget.max) {
    throw new GptError(ExitCode.budget, `the batch is estimated at ${formatUSD(total)}, more than --max-cost ${formatUSD(budget.max)}`,
      'raise --max-cost, or send fewer items (or set max_tokens, which bounds the estimate); nothing was submitted');
  }
}
