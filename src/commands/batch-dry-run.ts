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
import { countItems } from './batch-budget.js';
import type { BatchOptions } from './batch-options.js';
import { remoteLine, withScratch } from './batch-remote.js';
import type { Deps } from './deps.js';

/** Items whose files and attachments are listed one by one; the rest are in the totals (a batch may have 10,000). */
export const ITEMS_LISTED = 3;

export async function printDryRun(scan: InputSummary, pending: () => AsyncIterable<BatchItem>, options: BatchOptions, input: BatchInput, deps: Deps, rules: ItemPathRules) {
  const { remote } = options;
  const lines = [`items: ${scan.count}`];
  if (scan.skipped > 0) lines.push(`already done: ${scan.skipped}`);
  // A thread's history is counted; the replies to the batch's earlier items of a thread are not yet written.
  const history = scan.firstThreadLine === undefined ? '' : ', with thread history; replies to earlier items of a thread at their max_tokens';
  const context = new ContextTotals(input.name);
  const counted = await countItems(pending(), remote, deps, rules, options.maxFilesSize, (item, found) => context.add(item, found));
  const images = counted.imageTokens > 0 ? ` + about ${counted.imageTokens} for images (estimated from their sizes)` : '';
  lines.push(`input tokens: ${counted.tokens - counted.imageTokens} (exact${history})${images}`);
  lines.push(...context.describe());
  const rate = remote ? ' at the Batch API\'s rate' : '';
  if (counted.inputCost === null) lines.push('estimated cost: unknown (no price for a model on this endpoint; models: in the config can give one)');
  else if (counted.maxCost === null) lines.push(`estimated cost: ${formatUSD(counted.inputCost)} for the input${rate}; the replies are not bounded (no max_tokens on every item), so their cost is not included`);
  else lines.push(`estimated cost: ${formatUSD(counted.inputCost)} for the input${rate}, at most ${formatUSD(counted.maxCost)} with replies of up to max_tokens`);
  if (remote) {
    const { requestLine } = await import('../llm/openai-batch.js');
    const files = await withScratch((dir) => writeRequestFiles(pending(), remoteLine(requestLine, deps, rules, options.maxFilesSize), dir, input.name));
    lines.push(`batches: ${files.length}`);
  }
  // Item ids and file names are the batch file's and the disk's: shown, never obeyed, one a line.
  deps.out(`${lines.map(harmlessLine).join('\n')}\n`);
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
      const kinds = [plural(this.kinds.image, 'image'), plural(this.kinds.pdf, 'PDF'), this.kinds.url ? `${this.kinds.url} by URL` : ''].filter(Boolean).join(', ');
      const uncounted = this.unpriced || this.kinds.url > 0 ? '; PDFs, URLs and images of unknown size not counted' : '';
      lines.push(`attachments: ${attached} (${kinds}; ${describeBytes(this.attachedBytes)}), ${inItems}${uncounted}`);
    }
    const more = this.items > this.listed.length ? ` (the first ${this.listed.length} of ${this.items})` : '';
    lines.push(`items with files or attachments${more}:`, ...this.listed);
    return lines;
  }

  private describeItem(item: BatchItem, context: ItemContext): string {
    const parts = [
      ...context.files.map((f) => `${f.label} (text, ${describeBytes(Buffer.byteLength(f.text))})`),
      ...context.attached.map(({ sent: { ref, pixels } }) => {
        const facts = [ref.mime ?? 'by URL', ref.bytes === undefined ? undefined : describeBytes(ref.bytes),
          pixels ? `${pixels.width}×${pixels.height}` : undefined, ref.detail && `detail ${ref.detail}`].filter(Boolean).join(', ');
        return `${attachmentName(ref)} (${facts})`;
      }),
    ];
    return `  ${this.name}:${item.line} (id ${item.id}): ${parts.join(', ')}`;
  }
}

const plural = (n: number, what: string) => (n === 0 ? '' : `${n} ${what}${n === 1 ? '' : 's'}`);
