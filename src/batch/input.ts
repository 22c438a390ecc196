import YAML, { LineCounter, isSeq } from 'yaml';
import { badInputError, usageError } from '../core/errors.js';
import { checkItem, estimateTokens, type BatchItem } from './item.js';
import { ItemProblem } from './item-problem.js';
import type { Template } from './template.js';

export type InputFormat = 'jsonl' | 'yaml' | 'text';
export const FORMATS: readonly InputFormat[] = ['jsonl', 'yaml', 'text'];

const BY_EXTENSION: Record<string, InputFormat> = {
  jsonl: 'jsonl', ndjson: 'jsonl',
  // A JSON array of items is YAML too.
  yaml: 'yaml', yml: 'yaml', json: 'yaml',
  txt: 'text', text: 'text',
};

/** `--format` wins; else the extension; else (stdin, other names) JSON Lines. */
export function formatOf(file: string, flag: string | undefined): { format: InputFormat; guessed: boolean } {
  if (flag !== undefined) {
    if (!FORMATS.includes(flag as InputFormat)) throw usageError(`unknown --format '${flag}'`, `use one of ${FORMATS.join(', ')}`);
    return { format: flag as InputFormat, guessed: false };
  }
  const extension = /\.([A-Za-z0-9]+)$/.exec(file)?.[1]?.toLowerCase();
  const known = extension === undefined ? undefined : BY_EXTENSION[extension];
  return known ? { format: known, guessed: false } : { format: 'jsonl', guessed: true };
}

/** Where problems are reported: `prompts.jsonl:7: ...`. */
export interface InputOptions {
  name: string;
  template?: Template;
  /** The format was not given nor told by the extension: say so if line 1 does not parse. */
  guessed?: boolean;
}

const FIX = 'fix the input file; nothing was sent';

function located(options: InputOptions, line: number, error: unknown): Error {
  if (!(error instanceof ItemProblem)) return error as Error;
  return badInputError(`${options.name}:${line}: ${error.message}`, error.hint ?? FIX);
}

/** JSON Lines: one object per line; blank lines are skipped; an item's default id is its line number. */
export async function* jsonlItems(lines: AsyncIterable<string>, options: InputOptions): AsyncGenerator<BatchItem> {
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const hint = options.guessed && line === 1 ? 'for one prompt a line use --format text; for YAML, --format yaml' : FIX;
      throw badInputError(`${options.name}:${line}: not valid JSON (${(error as Error).message})`, hint);
    }
    if (typeof value === 'string') {
      throw badInputError(`${options.name}:${line}: a JSON Lines item must be an object with \`prompt\` or \`messages\``, FIX);
    }
    try {
      yield checkItem(value, line, line, options.template);
    } catch (error) {
      throw located(options, line, error);
    }
  }
}

/** Plain text: one prompt per non-empty line; its id is its line number. */
export async function* textItems(lines: AsyncIterable<string>, options: InputOptions): AsyncGenerator<BatchItem> {
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    try {
      yield checkItem(text, line, line, options.template);
    } catch (error) {
      throw located(options, line, error);
    }
  }
}

// Alias expansion beyond this is a "billion laughs" document, not a list of prompts.
const MAX_ALIAS_COUNT = 50;

/**
 * YAML: a list of items (objects or strings), parsed whole, so a YAML input is held in
 * memory; an item's default id is its position in the list (1, 2, ...).
 */
export function yamlItems(text: string, options: InputOptions): BatchItem[] {
  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const firstError = doc.errors[0];
  if (firstError) {
    const line = firstError.linePos?.[0]?.line ?? 1;
    throw badInputError(`${options.name}:${line}: not valid YAML (${firstError.message.split('\n')[0]})`, FIX);
  }
  if (doc.contents === null) return [];
  if (!isSeq(doc.contents)) {
    const line = lineCounter.linePos(doc.contents.range?.[0] ?? 0).line;
    throw badInputError(`${options.name}:${line}: expected a list of prompts (each \`- ...\`)`, FIX);
  }
  let values: unknown[];
  try {
    values = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown[];
  } catch (error) {
    // Only aliases fail here: point at the first one.
    throw badInputError(`${options.name}:${firstAliasLine(doc, lineCounter)}: ${(error as Error).message}`, FIX);
  }
  const nodes = doc.contents.items as Array<{ range?: [number, number, number] } | null>;
  return values.map((value, index) => {
    const line = lineCounter.linePos(nodes[index]?.range?.[0] ?? 0).line;
    try {
      return checkItem(value, line, index + 1, options.template);
    } catch (error) {
      throw located(options, line, error);
    }
  });
}

function firstAliasLine(doc: YAML.Document, lineCounter: LineCounter): number {
  let offset = 0;
  YAML.visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0] ?? 0;
      return YAML.visit.BREAK;
    },
  });
  return lineCounter.linePos(offset).line;
}

/** What a first pass over the input learns; duplicate ids are refused here. */
export interface InputSummary {
  /** Items to send. */
  count: number;
  /** Items left out because their results are already there (--resume). */
  skipped: number;
  /** Of the items to send, not counting thread history. */
  estimatedTokens: number;
  /** Line of the first item to send that continues a thread, if any. */
  firstThreadLine?: number;
}

export async function scanItems(
  items: AsyncIterable<BatchItem> | Iterable<BatchItem>,
  name: string,
  isPending: (item: BatchItem) => boolean = () => true,
): Promise<InputSummary> {
  const lines = new Map<string, number>();
  const summary: InputSummary = { count: 0, skipped: 0, estimatedTokens: 0 };
  for await (const item of items) {
    const earlier = lines.get(item.id);
    if (earlier !== undefined) {
      throw badInputError(`${name}:${item.line}: duplicate id '${item.id}' (also on line ${earlier})`, 'give every item its own id');
    }
    lines.set(item.id, item.line);
    if (!isPending(item)) {
      summary.skipped++;
      continue;
    }
    summary.count++;
    summary.estimatedTokens += estimateTokens(item);
    if (item.thread !== undefined) summary.firstThreadLine ??= item.line;
  }
  return summary;
}
