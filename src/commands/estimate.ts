import { attachmentName, attachmentTokens, imageTokens, isImageRef } from '../core/attachments.js';
import { ExitCode, GptError, usageError } from '../core/errors.js';
import { formatUSD } from '../core/prices.js';
import { describeBytes } from '../core/sizes.js';
import { harmlessLine } from '../core/text.js';
import { encodingFor, promptTokens } from '../core/tokens.js';
import type { PromptFile } from '../core/file-prompt.js';
import type { ChatMessage, SentAttachment } from '../core/types.js';
import { loadCounter } from '../usage/tokenizer.js';
import type { Deps } from './deps.js';
import { costOfUsage } from './turn.js';

export interface Estimate {
  model: string;
  encoding: string;
  /** The tokenizer's count of the messages as the chat format sends them (exact), and the images' estimate. */
  inputTokens: number;
  /** Of inputTokens, the images' estimate from their sizes (core/attachments.ts); 0 without images. */
  imageTokens: number;
  inputCost: number | null;
  /** The reply bounded by max_tokens; undefined when none is given (no bound). */
  maxTokens?: number;
  maxCost?: number | null;
}

/** Counts a request's input exactly and prices it, with the reply bounded by max_tokens when given. */
export async function estimate(messages: ChatMessage[], model: string, maxTokens: number | undefined, deps: Deps, batch = false): Promise<Estimate> {
  const encoding = encodingFor(model);
  const inputTokens = promptTokens(messages, await loadCounter(encoding));
  const imageTokens = messages.reduce((sum, m) => sum + attachmentTokens(m.attachments), 0);
  const price = (completion: number) =>
    costOfUsage({ prompt_tokens: inputTokens, completion_tokens: completion, total_tokens: inputTokens + completion }, model, deps, batch);
  const result: Estimate = { model, encoding, inputTokens, imageTokens, inputCost: await price(0) };
  if (maxTokens !== undefined) Object.assign(result, { maxTokens, maxCost: await price(maxTokens) });
  return result;
}

/**
 * What `--dry-run` prints: the messages that would be sent (role and size, attachments
 * summarised), the input tokens (exact, with the images' estimate said apart) and the
 * cost estimate saying what bounds it.
 */
export function describeEstimate(e: Estimate, messages: readonly ChatMessage[] = [], files: readonly PromptFile[] = [], maxCost?: number): string {
  const exact = `${e.inputTokens - e.imageTokens} (exact, ${e.encoding})`;
  const lines = [
    `model: ${e.model}`,
    ...describeMessages(messages, files),
    `input tokens: ${e.imageTokens ? `${exact} + about ${e.imageTokens} for images (estimated from their sizes)` : exact}`,
  ];
  if (e.inputCost === null) {
    lines.push('estimated cost: unknown (no price for this model on this endpoint; models: in the config can give one)');
  } else if (e.maxTokens === undefined) {
    lines.push(`estimated cost: ${formatUSD(e.inputCost)} for the input; the reply is not bounded (no --max-tokens), so its cost is not included`);
  } else {
    lines.push(
      `estimated cost: ${formatUSD(e.inputCost)} for the input, at most ${formatUSD(e.maxCost ?? null)} with a reply of up to ${e.maxTokens} tokens (--max-tokens)`,
    );
  }
  if (maxCost !== undefined) lines.push(describeBudget(e, maxCost));
  // File names come from disk (a cloned repository's folder): shown, never obeyed, one a line.
  return `${lines.map(harmlessLine).join('\n')}\n`;
}

/**
 * One line a message: `user: 1.2 KiB, with shot.png (image/png, 45.1 KiB, 800×600: about
 * 765 tokens)`. The last (the new question) names the -f files its text holds.
 */
function describeMessages(messages: readonly ChatMessage[], files: readonly PromptFile[]): string[] {
  if (messages.length === 0) return [];
  return [
    'messages:',
    ...messages.map((m, i) => {
      const named = i === messages.length - 1 && files.length ? `, with files ${describeFiles(files)}` : '';
      const attached = m.attachments?.length ? `, with ${m.attachments.map(describeAttachment).join(', ')}` : '';
      return `  ${m.role}: ${describeBytes(Buffer.byteLength(m.content))}${named}${attached}`;
    }),
  ];
}

/** How many -f files a dry run names before it counts the rest (a folder can hold hundreds). */
const FILES_NAMED = 10;

/** `src/a.ts (1.2 KiB), src/b.ts (3 KiB)`, and `and 5 more (12 KiB)` past the first ten. */
function describeFiles(files: readonly PromptFile[]): string {
  const size = (some: readonly PromptFile[]) => describeBytes(some.reduce((sum, f) => sum + Buffer.byteLength(f.text), 0));
  const named = files.slice(0, FILES_NAMED).map((f) => `${f.label} (${size([f])})`);
  const rest = files.slice(FILES_NAMED);
  return [...named, ...(rest.length ? [`and ${rest.length} more (${size(rest)})`] : [])].join(', ');
}

function describeAttachment({ ref, pixels }: SentAttachment): string {
  const facts = [
    ref.mime ?? (ref.url ? 'by URL' : undefined),
    ref.bytes === undefined ? undefined : describeBytes(ref.bytes),
    ref.detail && `detail ${ref.detail}`,
  ]
    .filter(Boolean)
    .join(', ');
  const count = !isImageRef(ref)
    ? 'not counted'
    : pixels
      ? `${pixels.width}×${pixels.height}: about ${imageTokens(pixels, ref.detail)} tokens`
      : 'size unknown, not counted';
  return `${attachmentName(ref)} (${facts}; ${count})`;
}

/** The dry run's word on --max-cost: what the real run would do with this request. */
function describeBudget(e: Estimate, maxCost: number): string {
  const within = withinBudget(e, maxCost);
  if (within === null) return `budget: --max-cost ${formatUSD(maxCost)} cannot be checked without a price, so gpt ask would refuse it (exit 2)`;
  return within
    ? `budget: the input is within --max-cost ${formatUSD(maxCost)}`
    : `budget: the input alone is over --max-cost ${formatUSD(maxCost)}, so gpt ask would refuse it (exit 10)`;
}

/**
 * What `--dry-run --json` prints (README "Costs"): the estimate's figures as one object, for
 * scripts. `input_tokens` holds `image_tokens` (estimated); `max_cost` is the cost with the
 * reply at `max_tokens`, both null without --max-tokens; each cost null without a price.
 * `within_budget` is --max-cost's verdict on the input (null without --max-cost or a price).
 * Names are exact, not made harmless: JSON escapes control characters itself.
 */
export function estimateJson(e: Estimate, messages: readonly ChatMessage[] = [], files: readonly PromptFile[] = [], maxCost?: number) {
  return {
    model: e.model,
    encoding: e.encoding,
    input_tokens: e.inputTokens,
    image_tokens: e.imageTokens,
    input_cost: e.inputCost,
    max_tokens: e.maxTokens ?? null,
    max_cost: e.maxCost ?? null,
    within_budget: maxCost === undefined ? null : withinBudget(e, maxCost),
    messages: messages.map((m, i) => ({
      role: m.role,
      bytes: Buffer.byteLength(m.content),
      // The -f files are in the new question, the last message (as the text form names them).
      ...(i === messages.length - 1 && files.length ? { files: files.map((f) => ({ path: f.label, bytes: Buffer.byteLength(f.text) })) } : {}),
      ...(m.attachments?.length ? { attachments: m.attachments.map(attachmentJson) } : {}),
    })),
  };
}

/** One attachment: `path` (a file) or `url`; `mime` and `bytes` null when unknown (a URL); `tokens` null when not counted. */
function attachmentJson({ ref, pixels }: SentAttachment) {
  return {
    ...(ref.url === undefined ? { path: attachmentName(ref) } : { url: ref.url }),
    mime: ref.mime ?? null,
    bytes: ref.bytes ?? null,
    ...(ref.detail ? { detail: ref.detail } : {}),
    tokens: isImageRef(ref) && pixels ? imageTokens(pixels, ref.detail) : null,
  };
}

/** --max-cost bounds the input's cost: true when within, null when the price is unknown. */
const withinBudget = (e: Estimate, maxCost: number): boolean | null => (e.inputCost === null ? null : e.inputCost <= maxCost);

/**
 * --max-cost's refusal of a request, if any: its input alone would cost more (exit 10), or
 * its price is unknown (exit 2). A dry run prints it after the estimate, so it exits as the
 * real run would. `fix` is what the user can do about the cost (gpt chat's differs).
 */
export function budgetRefusal(e: Estimate, maxCost: number, fix = 'raise --max-cost, or shorten the prompt or thread'): GptError | undefined {
  const within = withinBudget(e, maxCost);
  if (within === null) return noPrice(e.model);
  if (within) return undefined;
  return new GptError(
    ExitCode.budget,
    `the input alone (${e.inputTokens} tokens) would cost ${formatUSD(e.inputCost)}, more than --max-cost ${formatUSD(maxCost)}`,
    `${fix}; nothing was sent`,
  );
}

/** --max-cost: refuse a request whose input alone would cost more (exit 10), or whose price is unknown. */
export function checkBudget(e: Estimate, maxCost: number, fix?: string): void {
  const refusal = budgetRefusal(e, maxCost, fix);
  if (refusal) throw refusal;
}

/** --max-cost needs the model's price: checked when a chat starts, before anything is typed or sent. */
export async function checkPriced(model: string, deps: Deps): Promise<void> {
  if ((await costOfUsage({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }, model, deps)) === null) throw noPrice(model);
}

function noPrice(model: string): GptError {
  return usageError(
    `--max-cost needs a price, and ${model} has none on this endpoint`,
    `give one in the config: models: {${model}: {input_price: ..., output_price: ...}}`,
  );
}
