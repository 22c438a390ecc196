import { constants, createReadStream, createWriteStream } from 'node:fs';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { badInputError, usageError } from '../core/errors.js';
import { code } from '../store/fs.js';
import type { BatchItem } from './item.js';
import { formatOf, jsonlItems, textItems, yamlItems, type InputFormat } from './input.js';
import type { Template } from './template.js';

/** A batch's input, which can be read more than once: checked whole first, then run. */
export interface BatchInput {
  /** How problems name it: the path as given, or `stdin`. */
  name: string;
  format: InputFormat;
  items(): AsyncIterable<BatchItem> | Iterable<BatchItem>;
  /** Removes the copy of stdin, if one was made. */
  close(): Promise<void>;
}

export interface OpenInputOptions {
  format?: string;
  template?: Template;
  cwd: string;
  stdin: NodeJS.ReadStream;
}

/**
 * Opens FILE, or `-` for stdin. JSON Lines and text are streamed line by line on each
 * reading; stdin is first copied to a private temporary file so it can be read twice.
 * YAML is parsed whole, once.
 */
export async function openInput(file: string, options: OpenInputOptions): Promise<BatchInput> {
  const fromStdin = file === '-';
  const name = fromStdin ? 'stdin' : file;
  const { format, guessed } = formatOf(fromStdin ? '' : file, options.format);
  let path = resolve(options.cwd, file);
  let spool: string | undefined;
  if (fromStdin) {
    if (options.stdin.isTTY) throw usageError('no input: stdin is a terminal', 'give a file, or pipe one in: gpt batch - < prompts.jsonl');
    spool = await mkdtemp(join(tmpdir(), 'gpt-batch-'));
    path = join(spool, 'stdin');
    await pipeline(options.stdin, createWriteStream(path, { mode: 0o600 })).catch((error: unknown) => {
      throw badInputError(`cannot read stdin (${code(error)})`);
    });
  }
  const close = async () => {
    if (spool) await rm(spool, { recursive: true, force: true });
  };
  const parse = { name, template: options.template, guessed };
  try {
    if (format === 'yaml') {
      const items = yamlItems(await readWhole(path, name), parse);
      return { name, format, items: () => items, close };
    }
    await checkReadable(path, name); // a missing file is reported before anything else
    const reader = format === 'jsonl' ? jsonlItems : textItems;
    return { name, format, items: () => reader(readLines(path, name), parse), close };
  } catch (error) {
    await close();
    throw error;
  }
}

const cannotRead = (name: string, error: unknown) =>
  badInputError(`cannot read ${name} (${code(error)})`, 'check the path and its permissions');

async function readWhole(path: string, name: string): Promise<string> {
  return readFile(path, 'utf8').catch((error: unknown) => {
    throw cannotRead(name, error);
  });
}

async function checkReadable(path: string, name: string): Promise<void> {
  await access(path, constants.R_OK).catch((error: unknown) => {
    throw cannotRead(name, error);
  });
}

/** The file's lines, read as they are needed (a line without its `\n` or `\r\n`). */
export async function* readLines(path: string, name: string): AsyncGenerator<string> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of lines) yield line;
  } catch (error) {
    throw cannotRead(name, error);
  } finally {
    lines.close();
    stream.destroy();
  }
}
