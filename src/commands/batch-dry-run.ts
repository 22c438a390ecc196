// `gpt batch --dry-run` (README "gpt batch"): what would be sent, counted, and nothing sent.
import { attachmentName, isImageRef } from '../core/attachments.js';
import { formatUSD } from '../core/prices.js';
import { describeBytes } from '../core/sizes.js';
import { harmlessLine } from '../core/text.js';
import type { InputSummary } from '../batch/input.js';
import type { BatchItem } from '../batch/item.js';
import type { ItemPathRules } from '../batch/item-paths.js';
import { writeRequestFiles } from '../batch/remote.js';
import type { BatchInput } from '../batch/source.js';
import type { ItemContext } from './batch-context.js';
import { BudgetForecast, countItems, type ItemCount } from './batch-budget.js';
import type { BatchOptions } from './batch-options.js';
import { remoteLine, withScratch } from './batch-remote.js';
import type { Deps } from './deps.js';

/** Items whose files and attachments are listed one by one; the rest are in the totals (a batch may have 10,000). */
export const ITEMS_LISTED = 3;

export async function printDryRun(
  scan: InputSummary,
  pending: () => AsyncIterable<BatchItem>,
  options: BatchOptions,
  input: BatchInput,
  deps: Deps,
  rules: ItemPathRules,
) {
  const { remote } = options;
  const context = new ContextTotals(input.name);
  const perItem: object[] = [];
  const fitting = new Fitting(input.name);
  const budget = options.maxCost === undefined ? undefined : new BudgetForecast(options.maxCost);
  const counted = await countItems(
    pending(),
    remote,
    deps,
    rules,
    options.maxFilesSize,
    (item, count) => {
      if (count.context) context.add(item, count.context);
      fitting.add(item, count);
      budget?.add(count);
      if (options.json) perItem.push(itemJson(item, count));
    },
    options.context,
  );
  let batches: number | undefined;
  if (remote) {
    const { requestLine } = await import('../llm/openai-batch.js');
    batches = (await withScratch((dir) => writeRequestFiles(pending(), remoteLine(requestLine, deps, rules, options.maxFilesSize), dir, input.name))).length;
  }
  if (options.json) {
    deps.out(
      `${JSON.stringify({
        items: scan.count,
        already_done: scan.skipped,
        input_tokens: counted.tokens,
        image_tokens: counted.imageTokens,
        input_cost: counted.inputCost,
        max_cost: counted.maxCost,
        batches: batches ?? null,
        within_budget: budget ? budget.within : null,
        refused: fitting.refused,
        ...context.json(),
        per_item: perItem,
      })}\n`,
    );
    return;
  }
  const lines = [`items: ${scan.count}`];
  if (scan.skipped > 0) lines.push(`already done: ${scan.skipped}`);
  // A thread's history is counted; the replies to the batch's earlier items of a thread are not yet written.
  const history = scan.firstThreadLine === undefined ? '' : ', with thread history as sent; replies to earlier items of a thread at their max_tokens';
  const images = counted.imageTokens > 0 ? ` + about ${counted.imageTokens} for images (estimated from their sizes)` : '';
  lines.push(`input tokens: ${counted.tokens - counted.imageTokens} (exact${history})${images}`);
  lines.push(...context.describe(), ...fitting.describe());
  const rate = remote ? " at the Batch API's rate" : '';
  if (counted.inputCost === null) lines.push('estimated cost: unknown (no price for a model on this endpoint; models: in the config can give one)');
  else if (counted.maxCost === null)
    lines.push(
      `estimated cost: ${formatUSD(counted.inputCost)} for the input${rate}; the replies are not bounded (no max_tokens on every item), so their cost is not included`,
    );
  else
    lines.push(`estimated cost: ${formatUSD(counted.inputCost)} for the input${rate}, at most ${formatUSD(counted.maxCost)} with replies of up to max_tokens`);
  if (budget) lines.push(budget.describe(remote));
  if (batches !== undefined) lines.push(`batches: ${batches}`);
  // Item ids and file names are the batch file's and the disk's: shown, never obeyed, one a line.
  deps.out(`${lines.map(harmlessLine).join('\n')}\n`);
}

/** One item in `--dry-run --json`: its counts (README "Costs"). */
const itemJson = (item: BatchItem, count: ItemCount) => ({
  id: item.id,
  line: item.line,
  model: count.model,
  input_tokens: count.tokens,
  image_tokens: count.imageTokens,
  input_cost: count.inputCost,
  max_tokens: count.maxTokens ?? null,
  max_cost: count.maxCost,
  omitted_turns: count.omittedTurns,
  refused: count.refused?.message ?? null,
});

/** Threads fitted to the model's window as they would be sent: turns left out, and items refused (--context fail). */
class Fitting {
  private trimmed = 0;
  private omitted = 0;
  refused = 0;
  private readonly listed: string[] = [];

  constructor(private readonly name: string) {}

  add(item: BatchItem, count: ItemCount): void {
    if (count.omittedTurns > 0) {
      this.trimmed++;
      this.omitted += count.omittedTurns;
    }
    if (!count.refused) return;
    this.refused++;
    if (this.listed.length < ITEMS_LISTED) this.listed.push(`  ${this.name}:${item.line} (id ${item.id}): ${count.refused.message}`);
  }

  describe(): string[] {
    const lines: string[] = [];
    if (this.trimmed > 0) {
      lines.push(
        `threads trimmed to the model's window: ${this.trimmed} item${this.trimmed === 1 ? '' : 's'}, ${this.omitted} earlier turn${this.omitted === 1 ? '' : 's'} left out (counted as sent; --context all sends everything)`,
      );
    }
    if (this.refused > 0) {
      const more = this.refused > this.listed.length ? ` (the first ${this.listed.length} of ${this.refused})` : '';
      lines.push(`would be refused, their thread outgrowing the model's window (--context fail)${more}:`, ...this.listed);
    }
    return lines;
  }
}

/** The items' files and attachments: totals, and the first few items one by one. */
class ContextTotals {
  private items = 0;
  private files = 0;
  private fileBytes = 0;
  private kinds = { image: 0, pdf: 0, url: 0 };
  private attachedBytes = 0;
  private unpriced = false;
  private readonly listed: string[] = [];

  constructor(private readonly name: string) {}

  add(item: BatchItem, context: ItemContext): void {
    if (context.files.length === 0 && context.attached.length === 0) return;
    this.items++;
    this.files += context.files.length;
    for (const file of context.files) this.fileBytes += Buffer.byteLength(file.text);
    for (const { sent } of context.attached) {
      const { ref } = sent;
      if (ref.url !== undefined) this.kinds.url++;
      else if (isImageRef(ref)) this.kinds.image++;
      else this.kinds.pdf++;
      this.attachedBytes += ref.bytes ?? 0;
      if (!isImageRef(ref) || (ref.url === undefined && !sent.pixels)) this.unpriced = true;
    }
    if (this.listed.length < ITEMS_LISTED) this.listed.push(this.describeItem(item, context));
  }

  describe(): string[] {
    if (this.items === 0) return [];
    const lines: string[] = [];
    const inItems = `in ${this.items} item${this.items === 1 ? '' : 's'}`;
    if (this.files > 0) lines.push(`files: ${this.files} (${describeBytes(this.fileBytes)} of text), ${inItems}`);
    const attached = this.kinds.image + this.kinds.pdf + this.kinds.url;
    if (attached > 0) {
      const kinds = [plural(this.kinds.image, 'image'), plural(this.kinds.pdf, 'PDF'), this.kinds.url ? `${this.kinds.url} by URL` : '']
        .filter(Boolean)
        .join(', ');
      const uncounted = this.unpriced || this.kinds.url > 0 ? '; PDFs, URLs and images of unknown size not counted' : '';
      lines.push(`attachments: ${attached} (${kinds}; ${describeBytes(this.attachedBytes)}), ${inItems}${uncounted}`);
    }
    const more = this.items > this.listed.length ? ` (the first ${this.listed.length} of ${this.items})` : '';
    lines.push(`items with files or attachments${more}:`, ...this.listed);
    return lines;
  }

  /** The totals for `--dry-run --json` (zeros when no item has any). */
  json() {
    const { image, pdf, url } = this.kinds;
    return {
      files: { count: this.files, bytes: this.fileBytes },
      attachments: { count: image + pdf + url, images: image, pdfs: pdf, urls: url, bytes: this.attachedBytes },
    };
  }

  private describeItem(item: BatchItem, context: ItemContext): string {
    const parts = [
      ...context.files.map((f) => `${f.label} (text, ${describeBytes(Buffer.byteLength(f.text))})`),
      ...context.attached.map(({ sent: { ref, pixels } }) => {
        const facts = [
          ref.mime ?? 'by URL',
          ref.bytes === undefined ? undefined : describeBytes(ref.bytes),
          pixels ? `${pixels.width}×${pixels.height}` : undefined,
          ref.detail && `detail ${ref.detail}`,
        ]
          .filter(Boolean)
          .join(', ');
        return `${attachmentName(ref)} (${facts})`;
      }),
    ];
    return `  ${this.name}:${item.line} (id ${item.id}): ${parts.join(', ')}`;
  }
}

const plural = (n: number, what: string) => (n === 0 ? '' : `${n} ${what}${n === 1 ? '' : 's'}`);
