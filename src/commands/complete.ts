import type { DynamicKind } from '../core/completion-script.js';
import { homeOf, resolvePaths, type Paths } from '../core/paths.js';
import type { Env } from '../core/types.js';
import { profileNames } from '../store/config-file.js';
import { readModelsCache } from '../store/models-cache.js';
import { listTemplates } from '../store/templates.js';
import { threadNames } from '../store/thread-folder.js';

/** What commands that read no config and make no request need (shell completion). */
export interface QuickDeps {
  paths: Paths;
  out(text: string): void;
  now(): Date;
}

/** QuickDeps from the environment: the XDG folders, stdout and the clock. */
export async function quickDeps(env: Env, stdout: { write(text: string): unknown }): Promise<QuickDeps> {
  return {
    paths: resolvePaths(env, await homeOf(env)),
    out: (text) => void stdout.write(text),
    now: () => new Date(),
  };
}

/**
 * `gpt __complete KIND`: the values a completion script offers, one a line. Reads a folder
 * or a cache file (the config only for profile names), and never the API, since every Tab waits for it.
 */
export async function runComplete(options: { kind: DynamicKind }, deps: QuickDeps): Promise<void> {
  // A folder that cannot be read offers nothing: a Tab is no place for an error.
  const values = await SOURCES[options.kind](deps).catch(() => []);
  if (values.length > 0) deps.out(`${values.join('\n')}\n`);
}

const SOURCES: Record<DynamicKind, (deps: QuickDeps) => Promise<string[]>> = {
  // Thread names are the file names in the threads folder: no file is read.
  threads: async (deps) => threadNames(deps.paths.threadsDir).sort(),
  models: (deps) => readModelsCache(deps.paths.cacheDir, deps.now()),
  // Profiles live in the config: YAML is loaded, but only for a Tab after --endpoint.
  profiles: (deps) => profileNames(deps.paths.configFile),
  // Template names are the file names in the templates folder: no file is read.
  templates: (deps) => listTemplates(deps.paths),
};
