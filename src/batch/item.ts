import type { RequestLayer } from '../core/endpoints.js';
import { NUMBER_LIMITS, describeLimit, withinLimit, type NumberLimit } from '../core/limits.js';
import { GptError } from '../core/errors.js';
import { messageProblem } from '../core/messages.js';
import { EFFORTS, parseEffort } from '../core/models.js';
import { dropUndefined } from '../core/objects.js';
import { DETAILS, type ChatMessage, type Detail } from '../core/types.js';
import { parseConciseSchema, schemaSpec, type SchemaSpec } from '../core/schema.js';
import { ItemProblem } from './item-problem.js';
import type { Template } from './template.js';

/** One prompt of a batch, checked and with its template applied; its request settings are a RequestLayer. */
export interface BatchItem extends RequestLayer {
  /** The item's `id`, or its line (or position) number; always text. */
  id: string;
  /** Line of the input file it came from (its position in a YAML list has a line too). */
  line: number;
  prompt?: string;
  messages?: ChatMessage[];
  /** A thread name or path (as `ask --thread` takes it): the item continues that conversation. */
  thread?: string;
  /** The item's own `schema` (a JSON Schema object or the concise form), made strict. */
  schema?: SchemaSpec;
  /** Text files (or folders of them) put before the prompt, as `-f` does; paths relative to the input file. */
  files?: string[];
  /** Images and PDFs (paths relative to the input file, or http(s) URLs), as `-a` does. */
  attachments?: string[];
  /** How closely the model looks at the item's attached images, as `--detail` does. */
  detail?: Detail;
}

const problem = (text: string) => new ItemProblem(text);

/**
 * Checks one input value: a string is a prompt; a mapping has `prompt` or `messages` and
 * optional `id`, `system`, `model`, `temperature`, `max_tokens`, `reasoning_effort`, `thread`. Other fields are
 * kept only as template variables.
 */
export function checkItem(value: unknown, line: number, defaultId: number, template: Template | undefined): BatchItem {
  if (typeof value === 'string') return withPrompt({ id: String(defaultId), line }, value, { prompt: value }, template);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw problem('an item must be an object with `prompt` or `messages` (or, in YAML, a string)');
  }
  const fields = value as Record<string, unknown>;
  const item: BatchItem = { id: checkId(fields.id, defaultId), line };
  const text = (key: string, nonEmpty = true) => {
    const v = fields[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || (nonEmpty && v.trim() === '')) throw problem(`\`${key}\` must be ${nonEmpty ? 'non-empty ' : ''}text`);
    return v;
  };
  item.system = text('system', false);
  item.model = text('model');
  item.thread = text('thread');
  item.temperature = checkNumber(fields.temperature, 'temperature', NUMBER_LIMITS.temperature);
  item.maxTokens = checkNumber(fields.max_tokens, 'max_tokens', NUMBER_LIMITS.max_tokens);
  const effort = text('reasoning_effort');
  if (effort !== undefined) {
    item.reasoningEffort = parseEffort(effort);
    if (item.reasoningEffort === undefined) throw problem(`\`reasoning_effort\` must be one of ${EFFORTS.join(', ')}`);
  }
  item.schema = checkSchema(fields.schema);
  item.files = checkPaths(fields.files, 'files');
  if (item.files?.includes('-')) throw problem('`files` cannot read stdin (`-`); name a file');
  item.attachments = checkPaths(fields.attachments, 'attachments');
  const detail = text('detail');
  if (detail !== undefined) {
    if (!(DETAILS as readonly string[]).includes(detail)) throw problem(`\`detail\` must be one of ${DETAILS.join(', ')}`);
    if (!item.attachments) throw problem('`detail` is for the images in `attachments`');
    item.detail = detail as Detail;
  }
  const hasPrompt = fields.prompt !== undefined && fields.prompt !== null;
  const hasMessages = fields.messages !== undefined && fields.messages !== null;
  if (hasPrompt && hasMessages) throw problem('an item has `prompt` or `messages`, not both');
  if (hasMessages) {
    if (item.thread !== undefined) throw problem('an item with `thread` continues it with a `prompt`, not `messages`');
    if (item.files || item.attachments) throw problem('`files` and `attachments` go with a `prompt`, not `messages`');
    item.messages = checkMessages(fields.messages);
    return dropUndefined(item);
  }
  if (!hasPrompt) throw problem('the item has neither `prompt` nor `messages`');
  const prompt = text('prompt');
  return withPrompt(item, prompt!, fields, template);
}

function withPrompt(item: BatchItem, prompt: string, fields: Record<string, unknown>, template: Template | undefined): BatchItem {
  if (prompt.trim() === '') throw problem('the prompt is empty');
  item.prompt = template ? template.fill({ ...fields, id: item.id, prompt }) : prompt;
  return dropUndefined(item);
}

function checkSchema(value: unknown): SchemaSpec | undefined {
  if (value === undefined || value === null) return undefined;
  try {
    if (typeof value === 'string') return schemaSpec(parseConciseSchema(value), { multi: false });
    if (typeof value === 'object' && !Array.isArray(value)) return schemaSpec(value as Record<string, unknown>, { multi: false });
  } catch (error) {
    if (error instanceof GptError) throw new ItemProblem(error.message.replace('--schema', '`schema`'), error.hint);
    throw error;
  }
  throw problem("`schema` must be a JSON Schema object or fields like 'name, age int'");
}

/** `files:` and `attachments:`: a list of paths (or, for attachments, URLs); checked against the input's folder later. */
function checkPaths(value: unknown, key: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.trim() === '')) throw problem(`\`${key}\` must be a list of paths`);
  return value.length === 0 ? undefined : (value as string[]);
}

function checkId(value: unknown, defaultId: number): string {
  if (value === undefined || value === null) return String(defaultId);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value;
  throw problem('`id` must be non-empty text or a number');
}

function checkNumber(value: unknown, key: string, limit: NumberLimit): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!withinLimit(value, limit)) throw problem(`\`${key}\` must be ${describeLimit(limit)}`);
  return value;
}

function checkMessages(value: unknown): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) throw problem('`messages` must be a non-empty list');
  return value.map((m, i) => {
    const wrong = messageProblem(m, i + 1, 'an object');
    if (wrong) throw problem(wrong.problem);
    const { role, content } = m as ChatMessage;
    return { role, content };
  });
}

/** About how many tokens the item's text is (4 characters a token): for --dry-run. */
export function estimateTokens(item: BatchItem): number {
  let chars = (item.system ?? '').length + (item.prompt ?? '').length;
  for (const m of item.messages ?? []) chars += m.content.length;
  return Math.ceil(chars / 4);
}
