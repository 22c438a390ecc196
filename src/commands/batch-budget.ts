import { Budget } from '../batch/budget.js';
import type { BatchItem } from '../batch/item.js';
import { itemThreadRef, type ItemPathRules } from '../batch/item-paths.js';
import { itemRequest } from '../batch/request.js';
import type { RequestSettings } from '../core/endpoints.js';
import type { ContextPolicy, SentAttachment, StoredMessage, Thread } from '../core/types.js';
import { turnSettings } from '../core/prompt.js';
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
import { fitThread } from './context.js';

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

  /** `context`: --context, the policy for items whose thread outgrows the model's window (else the thread's, else trim). */
  constructor(
    private readonly deps: Deps,
    private readonly rules: ItemPathRules | undefined,
    private readonly maxFilesSize?: number,
    private readonly context?: ContextPolicy,
  ) {}

  /**
   * The item's input tokens as it would be sent (its thread fitted to the model's window, as
   * sending fits it), counted exactly but for earlier items' replies (images estimated); its
   * settings, and its files and attachments. `refused`: the thread does not fit and its policy is fail.
   */
  async count(
    item: BatchItem,
  ): Promise<{ settings: RequestSettings; tokens: number; imageTokens: number; omittedTurns: number; refused?: GptError; context?: ItemContext }> {
    const ref = this.refOf(item);
    const found = ref === undefined ? undefined : await this.load(ref);
    const context = this.rules && (item.files || item.attachments) ? await loadItemContext(item, this.rules, this.maxFilesSize, this.deps) : undefined;
    const sent = context && forCounting(context.attached);
    const turn = { prompt: context ? promptWithFiles(item, context) : (item.prompt ?? ''), attached: { turn: sent, history: found?.attached } };
    const { settings, messages } = itemRequest(item, this.deps.settings, found?.thread, turn);
    const history = found?.thread.messages ?? [];
    let fitted = { messages, omittedTurns: 0 };
    let refused: GptError | undefined;
    if (history.length > 0) {
      const policy = this.context ?? found?.thread.context ?? 'trim';
      try {
        // Said by --dry-run in its totals, not item by item.
        fitted = await fitThread(messages, history, { model: settings.model, maxTokens: settings.maxTokens, policy }, { ...this.deps, warn: () => {} });
      } catch (error) {
        if (!(error instanceof GptError)) throw error;
        refused = error;
      }
    }
    const replies = ref === undefined ? 0 : (this.replies.get(ref.file) ?? 0);
    const tokens = refused ? 0 : promptTokens(fitted.messages, await loadCounter(encodingFor(settings.model))) + replies;
    if (ref !== undefined && found && !refused) {
      // The next item of this thread comes after this one's question (and its attachments) and reply.
      const question: StoredMessage = { role: 'user', content: turn.prompt };
      found.thread.messages.push(question, { role: 'assistant', content: '' });
      if (sent?.length) found.attached.set(question, sent);
      this.replies.set(ref.file, replies + (settings.maxTokens ?? 0));
    }
    // Of the tokens, the images' estimate (this item's and its thread's, as sent): said apart by --dry-run.
    const imageTokens = refused ? 0 : fitted.messages.reduce((sum, m) => sum + attachmentTokens(m.attachments), 0);
    return { settings, tokens, imageTokens, omittedTurns: fitted.omittedTurns, refused, context };
  }

  /** The item's settings (its model), with what its thread remembers; nothing counted. */
  async settingsOf(item: BatchItem): Promise<RequestSettings> {
    const ref = this.refOf(item);
    const found = ref === undefined ? undefined : await this.load(ref);
    return turnSettings(this.deps.settings, found?.thread, item);
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
      found = this.deps.store.load(ref.file).then(
        async ({ thread: loaded }) => {
          const thread = { ...loaded, messages: [...loaded.messages] };
          const earlier = await threadAttachments(thread.messages, threadStores(ref, thread, threadsDir), ref, base).catch(
            () => new Map<StoredMessage, LoadedAttachment[]>(),
          );
          return { thread, attached: new Map([...earlier].map(([message, loaded]) => [message, forCounting(loaded)])) };
        },
        () => undefined,
      );
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
  /** What --max-cost reserves for it (estimateOf); null without a price. */
  estimate: number | null;
  /** Earlier turns of its thread left out to fit the model's window. */
  omittedTurns: number;
  /** Why it would not be sent: its thread does not fit and its policy is fail. */
  refused?: GptError;
  context?: ItemContext;
}

const usageOf = (input: number, output: number) => ({ prompt_tokens: input, completion_tokens: output, total_tokens: input + output });

/**
 * What an item may cost, as --max-cost reserves it: its input as sent, and the reply at its
 * max_tokens when one is set (else the input alone); `price` applies the Batch API's rate for
 * --remote. An item that would be refused costs nothing.
 */
function estimateOf(price: Pricer, count: { settings: RequestSettings; tokens: number; refused?: GptError }): number | null {
  const output = count.refused ? 0 : (count.settings.maxTokens ?? 0);
  return price(usageOf(count.tokens, output), count.settings.model);
}

/**
 * The items' input tokens as they would be sent (with their threads, fitted to the window; images estimated), and their cost: input alone, and with
 * replies at max_tokens (null when one item has none). `seeItem` is shown each item's count, files and attachments.
 */
export async function countItems(
  items: AsyncIterable<BatchItem>,
  remote: boolean,
  deps: Deps,
  rules?: ItemPathRules,
  maxFilesSize?: number,
  seeItem?: (item: BatchItem, count: ItemCount) => void,
  context?: ContextPolicy,
) {
  const price = await batchPricer(deps, remote);
  const threads = new ItemThreads(deps, rules, maxFilesSize, context);
  let tokens = 0;
  let imageTokens = 0;
  let inputCost: number | null = 0;
  let maxCost: number | null = 0;
  for await (const item of items) {
    const counted = await threads.count(item);
    const { settings, tokens: n, imageTokens: images } = counted;
    const { model, maxTokens } = settings;
    const itemInput = price(usageOf(n, 0), model);
    const itemMax = maxTokens === undefined ? null : price(usageOf(n, counted.refused ? 0 : maxTokens), model);
    seeItem?.(item, {
      model,
      tokens: n,
      imageTokens: images,
      inputCost: itemInput,
      maxTokens,
      maxCost: itemMax,
      estimate: estimateOf(price, counted),
      omittedTurns: counted.omittedTurns,
      refused: counted.refused,
      context: counted.context,
    });
    tokens += n;
    imageTokens += images;
    inputCost = sumCosts([inputCost, itemInput]);
    maxCost = maxTokens === undefined ? null : sumCosts([maxCost, itemMax]);
  }
  return { tokens, imageTokens, inputCost, maxCost };
}

function unpriced(model: string): GptError {
  return usageError(
    `--max-cost needs a price, and ${model} has none on this endpoint`,
    `give one in the config: models: {${model}: {input_price: ..., output_price: ...}}`,
  );
}

/**
 * --max-cost: refuses an item whose model has no price (exit 2). Called on each item to send
 * while the input is checked, so the run is refused before -o FILE is touched.
 */
export function priceChecker(price: Pricer, deps: Deps, rules: ItemPathRules): (item: BatchItem) => Promise<void> {
  const threads = new ItemThreads(deps, rules);
  return async (item) => {
    const { model } = await threads.settingsOf(item);
    if (price(usageOf(0, 0), model) === null) throw unpriced(model);
  };
}

/**
 * A local run under --max-cost: `items` passes on the items for as long as the budget allows
 * (an item is read, and so sent, only when what was spent, the estimates of the items in
 * flight and its own stay within it; when only the items in flight stand in the way, it waits
 * for them); `sender` notes what each cost, and `finished` settles each item run (sent or not).
 */
export class BudgetedRun {
  private readonly estimates = new WeakMap<BatchItem, number>();
  private readonly costs = new WeakMap<BatchItem, number>();

  constructor(
    readonly budget: Budget,
    private readonly price: Pricer,
  ) {}

  async *items(items: AsyncIterable<BatchItem>, deps: Deps, rules: ItemPathRules, maxFilesSize?: number, context?: ContextPolicy): AsyncGenerator<BatchItem> {
    const threads = new ItemThreads(deps, rules, maxFilesSize, context);
    for await (const item of items) {
      const counted = await threads.count(item);
      const estimate = estimateOf(this.price, counted);
      if (estimate === null) throw unpriced(counted.settings.model); // checked before; a thread's model may have changed since
      if (!(await this.budget.reserve(estimate))) return;
      this.estimates.set(item, estimate);
      yield item;
    }
  }

  sender(send: SendItem): SendItem {
    return async (item, signal) => {
      const record = await send(item, signal);
      this.costs.set(item, (record.usage && this.price(record.usage, record.model)) || 0);
      return record;
    };
  }

  readonly finished = (item: BatchItem): void => {
    this.budget.settle(this.estimates.get(item) ?? 0, this.costs.get(item) ?? 0);
  };
}

/** Exit 10 when the budget stopped the run (what finished is written). */
export function checkBudgetStop(budget: Budget | undefined, resumeHint: string): void {
  if (!budget?.stopped) return;
  const next = budget.refused === undefined ? '' : ` (estimated at ${formatUSD(budget.refused)})`;
  throw new GptError(
    ExitCode.budget,
    `stopped at --max-cost ${formatUSD(budget.max)}: ${formatUSD(budget.total)} spent, and the next item${next} would pass it`,
    `what finished is written; ${resumeHint} (give it a new --max-cost)`,
  );
}

/** --remote --max-cost: the whole batch's estimate (at the Batch API's rate) must be within it before it is submitted. */
export async function checkRemoteBudget(
  items: AsyncIterable<BatchItem>,
  budget: Budget,
  price: Pricer,
  deps: Deps,
  rules: ItemPathRules,
  maxFilesSize?: number,
): Promise<void> {
  let total = 0;
  // --remote takes no thread items; the rules are for their files and attachments.
  const threads = new ItemThreads(deps, rules, maxFilesSize);
  for await (const item of items) {
    const counted = await threads.count(item);
    const estimate = estimateOf(price, counted);
    if (estimate === null) throw unpriced(counted.settings.model);
    total += estimate;
  }
  if (total > budget.max) {
    throw new GptError(
      ExitCode.budget,
      `the batch is estimated at ${formatUSD(total)}, more than --max-cost ${formatUSD(budget.max)}`,
      'raise --max-cost, or send fewer items (or set max_tokens, which bounds the estimate); nothing was submitted',
    );
  }
}

/**
 * `--dry-run --max-cost`: how far the budget goes, the items' estimates taken in order as the
 * run reserves them (an estimate at max_tokens is a bound: a real run may fit more).
 */
export class BudgetForecast {
  private total = 0;
  private covered = 0;
  private items = 0;
  private bounded = true;

  constructor(readonly max: number) {}

  add(count: ItemCount): void {
    this.items++;
    if (count.maxTokens === undefined && !count.refused) this.bounded = false;
    this.total += count.estimate ?? 0;
    if (this.covered === this.items - 1 && this.total <= this.max) this.covered++;
  }

  get within(): boolean {
    return this.covered === this.items;
  }

  describe(remote: boolean): string {
    const max = formatUSD(this.max);
    if (remote && !this.within) return `budget: the estimate (${formatUSD(this.total)}) passes --max-cost ${max}: the batch would not be submitted (exit 10)`;
    const of = `${this.items} item${this.items === 1 ? '' : 's'}`;
    if (this.within) {
      return this.bounded
        ? `budget: --max-cost ${max} covers all ${of} (at most ${formatUSD(this.total)})`
        : `budget: --max-cost ${max} covers the input of all ${of} (${formatUSD(this.total)}); their replies are not bounded (no max_tokens on every item), so the run may stop early (exit 10)`;
    }
    const bound = this.bounded ? 'at least ' : 'about ';
    return `budget: the estimate (${formatUSD(this.total)}) passes --max-cost ${max}: it covers ${bound}${this.covered} of the ${of}${this.bounded ? ' at their max_tokens bound' : ''}; the run would stop before the first that does not fit (exit 10)`;
  }
}
