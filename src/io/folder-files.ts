import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Ignore } from 'ignore';
import { badInputError } from '../core/errors.js';

/** The rules of one .gitignore, and how a walked path (relative to the walk's root) reads from its folder. */
interface Rules {
  rules: Ignore;
  fromItsFolder: (path: string) => string;
}

/**
 * The files `-f FOLDER` means, as paths relative to it joined with `/`, sorted by path
 * (byte order): recursively, skipping hidden names (`.git`, `.env`) and what the folder's
 * .gitignore files hold: those of the git work tree above it (its root's `.git/info/exclude`
 * and the .gitignore of each folder from that root down), its own and nested ones, a deeper
 * file winning, as in git; so `-f src/` leaves out what the repository's .gitignore does.
 * A link to a file is read; a link to a folder is not followed (as git keeps it), so a
 * link loop cannot hang the walk. Sockets, pipes and devices are not files to read.
 */
export async function folderFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  await walk(root, '', await rulesAbove(resolve(root)), found);
  return found.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

async function walk(root: string, dir: string, inherited: readonly Rules[], found: string[]): Promise<void> {
  const folder = join(root, dir);
  const entries = await readdir(folder, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    throw badInputError(`cannot read the folder ${folder} (${error.code ?? error.message})`, 'check its permissions');
  });
  const own = entries.some((entry) => entry.name === '.gitignore') ? await gitignore(join(folder, '.gitignore')) : undefined;
  const rules = own ? [...inherited, { rules: own, fromItsFolder: (path: string) => path.slice(dir.length) }] : inherited;
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

/**
 * The rules that reach `folder` from above: none outside a git work tree (git reads no
 * .gitignore there either); inside one, its exclude file and each .gitignore from the top down.
 */
async function rulesAbove(folder: string): Promise<Rules[]> {
  const top = await workTreeTop(folder);
  if (top === undefined) return [];
  // [the folder whose rules apply, the file]: the folder's own .gitignore is the walk's to read.
  const steps = relative(top, folder).split(sep).filter(Boolean);
  const files: [string, string][] = [[top, join(top, '.git', 'info', 'exclude')]];
  for (let i = 0; i < steps.length; i++) {
    const above = join(top, ...steps.slice(0, i));
    files.push([above, join(above, '.gitignore')]);
  }
  const found: Rules[] = [];
  for (const [holder, file] of files) {
    const rules = await gitignore(file);
    // The walk's paths, as seen from the folder that holds the rules.
    const prefix = relative(holder, folder).split(sep).join('/');
    if (rules) found.push({ rules, fromItsFolder: (path) => (prefix ? `${prefix}/${path}` : path) });
  }
  return found;
}

/** The nearest folder at or above `folder` that holds `.git` (a folder, or a file in a linked work tree). */
async function workTreeTop(folder: string): Promise<string | undefined> {
  for (let at = folder; ; at = dirname(at)) {
    if (
      await stat(join(at, '.git')).then(
        () => true,
        () => false,
      )
    )
      return at;
    if (dirname(at) === at) return undefined;
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
  for (const { rules: matcher, fromItsFolder } of rules) {
    const result = matcher.test(fromItsFolder(path));
    if (result.ignored) excluded = true;
    else if (result.unignored) excluded = false;
  }
  return excluded;
}
