import { saveModelsCache } from '../store/models-cache.js';
import type { Deps } from './deps.js';

export interface ModelsOptions {
  json: boolean;
}

/** Lists the models the endpoint serves: how users of local servers find a model name. */
export async function runModels(options: ModelsOptions, deps: Deps): Promise<void> {
  const models = await (await deps.client()).listModels(deps.signal);
  if (options.json) deps.out(`${JSON.stringify(models.map((id) => ({ id })))}\n`);
  else if (models.length > 0) deps.out(`${models.join('\n')}\n`);
  // For shell completion, which never calls the API; a cache that cannot be written costs only that.
  await saveModelsCache(deps.paths.cacheDir, models, deps.now()).catch(() => undefined);
}
