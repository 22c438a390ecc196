import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, writePrivateFile } from './fs.js';

/**
 * Context windows learned from servers' errors (README "Long threads"), per endpoint and
 * model: `$XDG_CACHE_HOME/gpt/context-windows.json`, 0600. A cache: a missing or unreadable
 * file is no window, and deleting it forgets them all.
 */
const FILE = 'context-windows.json';

interface Learned {
  window: number;
  learned_at: string;
}

/** The key of one model on one server: the base URL (undefined: the OpenAI API) and the model name. */
const keyOf = (baseURL: string | undefined, model: string) => `${baseURL ?? 'https://api.openai.com/v1'} ${model}`;

async function readAll(cacheDir: string): Promise<Record<string, Learned>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(join(cacheDir, FILE), 'utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, Learned>) : {};
  } catch {
    return {};
  }
}

/** The window this server named for this model, if it ever did. */
export async function learnedWindow(cacheDir: string, baseURL: string | undefined, model: string): Promise<number | undefined> {
  const window = (await readAll(cacheDir))[keyOf(baseURL, model)]?.window;
  return Number.isInteger(window) && window! > 0 ? window : undefined;
}

/** Remembers the window a server named (read, changed, written whole: two runs at once may lose one's entry, which the next error restores). */
export async function learnWindow(cacheDir: string, baseURL: string | undefined, model: string, window: number, now: Date): Promise<void> {
  const all = await readAll(cacheDir);
  all[keyOf(baseURL, model)] = { window, learned_at: now.toISOString() };
  await ensurePrivateDir(cacheDir);
  await writePrivateFile(join(cacheDir, FILE), `${JSON.stringify(all, null, 2)}\n`, { fsync: false });
}
