import { isSeq } from 'yaml';
import { badInputError, usageError } from '../core/errors.js';
import { checkItem, estimateTokens, type BatchItem } from './item.js';
import { ItemProblem } from './item-problem.js';
import { parseYaml } from '../store/yaml.js';
import type { Template } from './template.js';

export type InputFormat = 'jsonl' | 'yaml' | 'text';
export const FORMATS: readonly InputFormat[] = ['jsonl', 'yaml', 'text'];

const BY_EXTENSION: Record<string, InputFormat> = {
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  // A JSON array of items is YAML too.
  yaml: 'yaml',
  yml: 'yaml',
  json: 'yaml',
  txt: 'text',
  text: 'text',
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

/**
 * YAML: a list of items (objects or strings), parsed whole, so a YAML input is held in
 * memory; an item's default id is its position in the list (1, 2, ...).
 */
export function yamlItems(text: string, options: InputOptions): BatchItem[] {
  const { doc, lineOf, toJS } = parseYaml(text, options.name, (message) => badInputError(message, FIX));
  if (doc.contents === null) return [];
  if (!isSeq(doc.contents)) {
    throw badInputError(`${options.name}:${lineOf(doc.contents.range?.[0])}: expected a list of prompts (each \`- ...\`)`, FIX);
  }
  const values = toJS() as unknown[];
  const nodes = doc.contents.items as Array<{ range?: [number, number, number] } | null>;
  return values.map((value, index) => {
    const line = lineOf(nodes[index]?.range?.[0]);
    try {
      return checkItem(value, line, index + 1, options.template);
    } catch (error) {
      throw located(options, line, error);
    }
  });
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
