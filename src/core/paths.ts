import { isAbsolute, join } from 'node:path';
import type { Env } from './types.js';

export interface Paths {
  configFile: string;
  threadsDir: string;
  cacheDir: string;
  /** Kept across runs but not worth backing up: the journal of Batch API batches. */
  stateDir: string;
}

/** XDG base directories, with the usual fallbacks under HOME. */
export function resolvePaths(env: Env, home: string): Paths {
  const config = xdg(env.XDG_CONFIG_HOME) ?? join(home, '.config');
  const data = xdg(env.XDG_DATA_HOME) ?? join(home, '.local', 'share');
  const cache = xdg(env.XDG_CACHE_HOME) ?? join(home, '.cache');
  const state = xdg(env.XDG_STATE_HOME) ?? join(home, '.local', 'state');
  return {
    configFile: join(config, 'gpt', 'config.yaml'),
    threadsDir: join(data, 'gpt', 'threads'),
    cacheDir: join(cache, 'gpt'),
    stateDir: join(state, 'gpt'),
  };
}

/** The XDG spec: a relative path in these variables is invalid and must be ignored (as an empty one). */
const xdg = (value: string | undefined) => (value && isAbsolute(value) ? value : undefined);

/** $HOME, as os.homedir() reads it first; node:os (a millisecond of start-up) only when it is not set. */
export const homeOf = async (env: Env): Promise<string> => env.HOME || (await import('node:os')).homedir();

/**
 * A leading `~` or `~/` as a shell expands it, for chat's /file and /attach (no shell
 * reads what is typed there); `~user` and a `~` elsewhere are left as they are.
 */
export function expandHome(path: string, home: string | undefined): string {
  if (!home || !(path === '~' || path.startsWith('~/'))) return path;
  return `${home}${path.slice(1)}`;
}
