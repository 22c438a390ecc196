import { constants, createReadStream, createWriteStream } from 'node:fs';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { GptError, badInputError, usageError } from '../core/errors.js';
import { NotText, decodeText } from '../core/text.js';
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

const cannotRead = (name: string, error: unknown) => badInputError(`cannot read ${name} (${code(error)})`, 'check the path and its permissions');

/** A YAML input, whole; like every input it must be text (the one rule of decodeText). */
async function readWhole(path: string, name: string): Promise<string> {
  const bytes = await readFile(path).catch((error: unknown) => {
    throw cannotRead(name, error);
  });
  try {
    return decodeText(bytes);
  } catch (error) {
    throw notText(name, firstBadLine(bytes), error);
  }
}

async function checkReadable(path: string, name: string): Promise<void> {
  await access(path, constants.R_OK).catch((error: unknown) => {
    throw cannotRead(name, error);
  });
}

/**
 * Longer than any model's context, yet far from what would exhaust memory: a line beyond
 * it is refused rather than buffered until the process runs out.
 */
export const MAX_LINE_BYTES = 32 * 1024 * 1024;

/**
 * The file's lines, read as they are needed (a line without its `\n` or `\r\n`). Lines
 * are split on bytes and each is decoded strictly: text that is not UTF-8 is refused with
 * its line number instead of reaching the model with U+FFFD in it.
 */
export async function* readLines(path: string, name: string): AsyncGenerator<string> {
  const stream = createReadStream(path);
  let line = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const decode = (bytes: Buffer) => {
    line++;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    try {
      return decodeText(bytes.subarray(0, end));
    } catch (error) {
      throw notText(name, line, error);
    }
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (let newline = chunk.indexOf(0x0a); newline >= 0; newline = chunk.indexOf(0x0a, start)) {
        const tail = chunk.subarray(start, newline);
        const bytes = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
        pending = [];
        pendingBytes = 0;
        start = newline + 1;
        if (bytes.length > MAX_LINE_BYTES) throw lineTooLong(name, line + 1);
        yield decode(bytes);
      }
      if (start < chunk.length) {
        pending.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
        if (pendingBytes > MAX_LINE_BYTES) throw lineTooLong(name, line + 1);
      }
    }
    if (pendingBytes > 0) yield decode(Buffer.concat(pending));
  } catch (error) {
    if (error instanceof GptError) throw error;
    throw cannotRead(name, error);
  } finally {
    stream.destroy();
  }
}

/** The number of the first line that is not text (a character never spans a newline). */
function firstBadLine(bytes: Buffer): number {
  let line = 1;
  for (let start = 0; ; line++) {
    const newline = bytes.indexOf(0x0a, start);
    try {
      decodeText(bytes.subarray(start, newline < 0 ? bytes.length : newline));
    } catch {
      return line;
    }
    if (newline < 0) return line;
    start = newline + 1;
  }
}

function notText(name: string, line: number, error: unknown): GptError {
  if (!(error instanceof NotText)) return cannotRead(name, error);
  const hint = error.fault === 'binary' ? 'a batch file holds text; nothing was sent' : 'convert it first, e.g. iconv -t UTF-8; nothing was sent';
  return badInputError(`${name}:${line}: ${error.message}`, hint);
}

const lineTooLong = (name: string, line: number) =>
  badInputError(`${name}:${line}: a line longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB`, 'no model takes a prompt that long; nothing was sent');
