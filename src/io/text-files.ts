import { open, stat, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { badInputError } from '../core/errors.js';
import { attachWith, checkFilesSize, type FileSize, type PromptFile } from '../core/file-prompt.js';
import { NotText, decodeText, type TextFault } from '../core/text.js';
import { folderFiles } from './folder-files.js';
import { readStdin } from './stdin.js';

/** The -f path that means stdin. */
export const STDIN_PATH = '-';
/** As git does, a NUL byte in the first 8000 bytes marks a file as binary. */
const SNIFF_BYTES = 8000;

export interface TextFilesOptions {
  /** Relative paths are read from here (and labelled as written). */
  cwd: string;
  /** --max-files-size: the most bytes all the files may hold together. */
  maxBytes: number;
  stdin: NodeJS.ReadStream;
  signal?: AbortSignal;
  /** How errors name where the paths came from: `-f` (the default), or a batch item's `files:`. */
  source?: string;
  /** Called with each file (a folder's too) before it is read; throws to refuse it (a batch file's paths must stay in its folder). */
  checkFile?: (path: string, label: string) => void;
}

export interface TextFiles {
  /** The text files, in the order given (a folder's in path order). */
  files: PromptFile[];
  /** Files inside folders that were not text, so were left out (labels). */
  skipped: string[];
}

/** One file to read: a path given, or found in a folder given (`named: false`). */
interface Entry {
  label: string;
  /** Absolute; undefined for stdin. */
  path?: string;
  named: boolean;
}

/**
 * The text files -f PATH names (README "Text files: -f"), read whole and checked before
 * anything is sent: a missing or unreadable path, a named file that is not UTF-8 text, and
 * a total over `maxBytes` are errors (exit 6) naming the path. Inside a folder, files that
 * are not text are skipped and listed. Used by `gpt ask`; written for chat and batch too.
 */
export async function readTextFiles(paths: readonly string[], options: TextFilesOptions): Promise<TextFiles> {
  const entries: Entry[] = [];
  const source = options.source ?? '-f';
  for (const given of paths) entries.push(...(await entriesOf(given, options.cwd, source)));
  for (const entry of entries) if (entry.path !== undefined) options.checkFile?.(entry.path, entry.label);
  const files: PromptFile[] = [];
  const skipped: string[] = [];
  const sizes: FileSize[] = [];
  let total = 0;
  let unread = false;
  for (const entry of entries) {
    // Once over the limit the answer is known: the rest are not read (a folder of 50,000
    // files is refused in a moment); the error then says "at least".
    if (total > options.maxBytes) {
      unread = true;
      break;
    }
    // A file that does not fit is read only far enough to see whether it is binary: past
    // the limit only its size matters, for the error that names the total.
    const room = Math.max(0, options.maxBytes - total);
    const read = entry.path === undefined ? await stdinFile(options) : await fileStart(entry, Math.max(room + 1, SNIFF_BYTES), source);
    const text = read.whole ? textOf(entry, read.bytes, source) : sniff(entry, read.bytes, source);
    if (text === undefined) {
      skipped.push(entry.label);
      continue;
    }
    sizes.push({ label: entry.label, bytes: read.size, atLeast: read.atLeast });
    total += read.size;
    if (typeof text === 'string') files.push({ label: entry.label, text });
  }
  checkFilesSize(sizes, options.maxBytes, source === '-f' ? 'the -f files' : `the ${source} files`, unread);
  return { files, skipped };
}

/** What one -f argument stands for: stdin, a file, or a folder's files. */
async function entriesOf(given: string, cwd: string, source: string): Promise<Entry[]> {
  // `-f "$EMPTY"` would otherwise read the current folder, every file of it.
  if (given === '') throw badInputError(`${source}: the path is empty`, 'name a file or folder (is a variable empty?); nothing was sent');
  if (given === STDIN_PATH) return [{ label: 'stdin', named: true }];
  const path = resolve(cwd, given);
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw cannotRead(given, error, source);
  });
  if (!info.isDirectory()) return [{ label: given, path, named: true }];
  const prefix = given.endsWith('/') ? given : `${given}/`;
  const inside = (await folderFiles(path)).map((file) => ({ label: prefix + file, path: resolve(path, file), named: false }));
  if (inside.length === 0)
    throw badInputError(`${source} ${given}: no files in it to read`, 'hidden files and what .gitignore holds are skipped; name a file instead');
  return inside;
}

interface FileStart {
  bytes: Buffer;
  /** The file's size (for a pipe: what was read). */
  size: number;
  /** `bytes` is all of the file. */
  whole: boolean;
  /** A pipe not read to its end: `size` is a lower bound. */
  atLeast: boolean;
}

/** Up to `cap` bytes of a file; a regular file's size comes from the file system, a pipe's from reading it. */
async function fileStart(entry: Entry, cap: number, source: string): Promise<FileStart> {
  const handle = await open(entry.path!).catch((error: NodeJS.ErrnoException) => {
    throw cannotRead(entry.label, error, source);
  });
  try {
    const info = await handle.stat();
    const bytes = await readUpTo(handle, cap).catch((error: NodeJS.ErrnoException) => {
      throw cannotRead(entry.label, error, source);
    });
    const whole = bytes.length < cap || (info.isFile() && bytes.length === info.size);
    const size = info.isFile() ? Math.max(info.size, bytes.length) : bytes.length;
    return { bytes, size, whole, atLeast: !whole && !info.isFile() };
  } finally {
    await handle.close();
  }
}

async function readUpTo(handle: FileHandle, cap: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let got = 0;
  while (got < cap) {
    const chunk = Buffer.alloc(Math.min(cap - got, 1 << 16));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) break;
    chunks.push(chunk.subarray(0, bytesRead));
    got += bytesRead;
  }
  return Buffer.concat(chunks);
}

/** `-f -`: stdin, read to its end whatever the terminal or the wait for arguments. */
async function stdinFile(options: TextFilesOptions): Promise<FileStart> {
  const text = (await readStdin(options.stdin, 'read', options.signal)) ?? '';
  return { bytes: Buffer.from(text), size: Buffer.byteLength(text), whole: true, atLeast: false };
}

/** The file's text; undefined when it is not text and inside a folder (skipped); an error when named. */
function textOf(entry: Entry, bytes: Buffer, source: string): string | undefined {
  try {
    return decodeText(bytes);
  } catch (error) {
    if (error instanceof NotText) return notText(entry, error.fault, source);
    throw error;
  }
}

/** For a file past the limit, read only in part: counted (true) unless it looks binary. */
function sniff(entry: Entry, bytes: Buffer, source: string): true | undefined {
  return bytes.subarray(0, SNIFF_BYTES).includes(0) ? notText(entry, 'binary', source) : true;
}

/** A file that is not text: skipped inside a folder (undefined), refused when named. */
function notText(entry: Entry, fault: TextFault, source: string): undefined {
  if (!entry.named) return undefined;
  const attach = attachWith(source);
  throw fault === 'binary'
    ? badInputError(`${source} ${entry.label} is binary data, not text`, `attach images and PDFs with ${attach}; other binary files cannot go in a prompt`)
    : badInputError(`${source} ${entry.label} is not valid UTF-8 text`, 'convert it first, e.g. iconv -f latin1 -t UTF-8');
}

function cannotRead(given: string, error: NodeJS.ErrnoException, source: string) {
  if (error.code === 'ENOENT') return badInputError(`${source} ${given}: no such file or folder`, 'check the path');
  if (error.code === 'EACCES' || error.code === 'EPERM') return badInputError(`${source} ${given}: permission denied`, 'check its permissions');
  return badInputError(`${source} ${given}: cannot read it (${error.code ?? error.message})`);
}
