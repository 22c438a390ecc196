import { join } from 'node:path';

export interface Paths {
  configFile: string;
  threadsDir: string;
  cacheDir: string;
  /** Kept across runs but not worth backing up: the journal of Batch API batches. */
  stateDir: string;
}

type Env = Record<string, string | undefined>;

/** XDG base directories, with the usual fallbacks under HOME. */
export function resolvePaths(env: Env, home: string): Paths {
  const config = env.XDG_CONFIG_HOME || join(home, '.config');
  const data = env.XDG_DATA_HOME || join(home, '.local', 'share');
  const cache = env.XDG_CACHE_HOME || join(home, '.cache');
  const state = env.XDG_STATE_HOME || join(home, '.local', 'state');
  return {
    configFile: join(config, 'gpt', 'config.yaml'),
    threadsDir: join(data, 'gpt', 'threads'),
    cacheDir: join(cache, 'gpt'),
    stateDir: join(state, 'gpt'),
  };
}
