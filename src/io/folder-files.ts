import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Ignore } from 'ignore';
import { badInputError } from '../core/errors.js';

/** The rules of one .gitignore, for the paths under its folder (`base`: '' or `sub/dir/`). */
interface Rules {
  base: string;
  rules: Ignore;
}

/**
 * The files `-f FOLDER` means, as paths relative to it joined with `/`, sorted by path
 * (byte order): recursively, skipping hidden names (`.git`, `.env`) and what the folder's
 * .gitignore files hold (its own and nested ones, a deeper file winning, as in git).
 * A link to a file is read; a link to a folder is not followed (as git keeps it), so a
 * link loop cannot hang the walk. Sockets, pipes and devices are not files to read.
 */
export async function folderFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  await walk(root, '', [], found);
  return found.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

async function walk(root: string, dir: string, inherited: readonly Rules[], found: string[]): Promise<void> {
  const folder = join(root, dir);
  const entries = await readdir(folder, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    throw badInputError(`cannot read the folder ${folder} (${error.code ?? error.message})`, 'check its permissions');
  });
  const own = entries.some((entry) => entry.name === '.gitignore') ? await gitignore(join(folder, '.gitignore')) : undefined;
  const rules = own ? [...inherited, { base: dir, rules: own }] : inherited;
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = dir + entry.name;
    if (entry.isDirectory()) {
      if (!ignored(rules, `${path}/`)) await walk(root, `${path}/`, rules, found);
    } else if (entry.isFile() || (entry.isSymbolicLink() && (await linksToFile(join(folder, entry.name))))) {
      if (!ignored(rules, path)) found.push(path);
    }
  }
}

/** Whether a link leads to a file; a broken or looping link leads nowhere to read. */
async function linksToFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

/** The rules of a .gitignore; one that cannot be read holds none (git says nothing either). */
async function gitignore(file: string): Promise<Ignore | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  // Loaded only when a folder has a .gitignore: most commands never need it.
  const { default: ignore } = await import('ignore');
  return ignore().add(text);
}

/** Whether the .gitignore files above `path` exclude it: the deepest that has a say wins, as in git. */
function ignored(rules: readonly Rules[], path: string): boolean {
  let excluded = false;
  for (const { base, rules: matcher } of rules) {
    const result = matcher.test(path.slice(base.length));
    if (result.ignored) excluded = true;
    else if (result.unignored) excluded = false;
  }
  return excluded;
}
