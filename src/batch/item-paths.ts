import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { GptError, usageError } from '../core/errors.js';
import { resolveThreadRef, type ThreadRef } from '../store/threads.js';
import type { BatchItem } from './item.js';
import { ItemProblem } from './item-problem.js';

/**
 * What a batch file may point at. A batch file is data, often generated: by itself it may
 * name threads in the threads folder and nothing else. Anything more is the user's choice,
 * made on the command line.
 */
export interface ItemPathRules {
  /** Relative paths in items are taken from here: the input file's folder, or the working folder for stdin. */
  base: string;
  /** The threads folder: where item threads are kept without --thread-dir. */
  threadsDir: string;
  /** --thread-dir DIR (absolute): item threads are kept there, and must stay inside it. */
  threadDir?: string;
  /** --allow-paths: paths in items are used as given. */
  allowPaths: boolean;
  /** --remote: nothing of the user's files is read or written, only the prompts are uploaded. */
  remote: boolean;
}

/** For the files and attachments an item names. */
export const FILES_OPT_IN = "the files a batch item names must be inside its input file's folder; to allow others, run it with --allow-paths; nothing was sent";

const OPT_IN =
  'a batch file may only name threads; to allow paths, run it with --allow-paths (or keep its threads in a folder with --thread-dir DIR); nothing was sent';

/**
 * Checks every file an item refers to, for local and remote runs alike, so that a remote run
 * never uploads what a local run would refuse. Throws an ItemProblem (the reader adds the
 * line) or, for --remote with a thread, a usage error.
 */
export function checkItemPaths(item: BatchItem, rules: ItemPathRules): void {
  if (item.thread === undefined) return;
  if (rules.remote) {
    throw usageError(`an item with \`thread\` cannot run with --remote`, 'a thread needs one turn after another: run those items without --remote');
  }
  itemThreadRef(item.thread, rules);
}

/** Where an item's `thread` is kept; refused (ItemProblem) when the rules do not allow it. */
export function itemThreadRef(value: string, rules: ItemPathRules): ThreadRef {
  const isPath = value.includes('/') || /\.ya?ml$/i.test(value);
  if (isPath) {
    if (!rules.allowPaths) throw new ItemProblem(`\`thread\` is a path ('${value}'), not a thread name`, OPT_IN);
    return resolveThreadRef(value, rules.threadsDir, rules.base);
  }
  const ref = resolveThreadRef(value, rules.threadDir ?? rules.threadsDir, rules.base);
  if (rules.threadDir === undefined) return ref;
  return { ...ref, file: containedPath(`${value}.yaml`, rules.threadDir) };
}

/**
 * `value` resolved against `base`, refused (ItemProblem) unless it stays inside `base` after
 * resolving `..` and symbolic links. The file need not exist: the real path of its deepest
 * existing ancestor is what counts, and a dangling link is followed to where a write would
 * land. Returns the real path, so the file used is the one checked.
 */
export function containedPath(value: string, base: string, hint = OPT_IN): string {
  if (isAbsolute(value)) throw new ItemProblem(`'${value}' is an absolute path; paths in a batch file are relative to its folder`, hint);
  const realBase = realPath(resolve(base));
  if (!isInside(realBase, resolve(realBase, value))) throw new ItemProblem(`'${value}' leads out of the folder ${base}`, hint);
  const real = realPath(resolve(realBase, value));
  if (!isInside(realBase, real)) throw new ItemProblem(`'${value}' leads out of the folder ${base} through a symbolic link`, hint);
  return real;
}

function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Links a path may go through before it is taken for a loop (the kernel's own limit). */
const MAX_LINKS = 40;

/** The real path of `path`, which may not exist yet: links followed as far as they lead. */
function realPath(path: string, links = 0): string {
  try {
    return realpathSync.native(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw cannotResolve(path, error);
  }
  const parent = dirname(path);
  if (isLink(path)) {
    // A dangling link: a write would create its target.
    if (links >= MAX_LINKS) throw new ItemProblem(`'${path}': too many symbolic links`);
    return realPath(resolve(realPath(parent, links), readlinkSync(path)), links + 1);
  }
  if (parent === path) return path;
  return join(realPath(parent, links), basename(path));
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

const cannotResolve = (path: string, error: unknown) =>
  error instanceof GptError ? error : new ItemProblem(`cannot resolve '${path}' (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
