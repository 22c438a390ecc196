import { readFile } from './async-fs.js';
import { join } from 'node:path';
import { ensurePrivateDir, writePrivateFile } from './fs.js';

/**
 * The models `gpt models` last listed, kept for shell completion (which must never call the
 * API): `$XDG_CACHE_HOME/gpt/models.json`, 0600. Old lists are ignored: models come and go.
 */
const FILE = 'models.json';
export const MODELS_CACHE_MS = 24 * 60 * 60 * 1000;

export async function saveModelsCache(cacheDir: string, models: readonly string[], now: Date): Promise<void> {
  await ensurePrivateDir(cacheDir);
  await writePrivateFile(join(cacheDir, FILE), `${JSON.stringify({ fetched_at: now.toISOString(), models })}\n`, { fsync: false });
}

/** The cached list, or none when it is missing, unreadable or older than MODELS_CACHE_MS. */
export async function readModelsCache(cacheDir: string, now: Date): Promise<string[]> {
  try {
    const { fetched_at, models } = JSON.parse(await readFile(join(cacheDir, FILE), 'utf8'));
    const age = now.getTime() - Date.parse(fetched_at);
    const fresh = age >= 0 && age < MODELS_CACHE_MS;
    return fresh && Array.isArray(models) ? models.filter((m): m is string => typeof m === 'string') : [];
  } catch {
    return [];
  }
}
