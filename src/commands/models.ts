import type { Deps } from './deps.js';

export interface ModelsOptions {
  json: boolean;
}

/** Lists the models the endpoint serves: how users of local servers find a model name. */
export async function runModels(options: ModelsOptions, deps: Deps): Promise<void> {
  const models = await (await deps.client()).listModels(deps.signal);
  if (options.json) deps.out(`${JSON.stringify(models.map((id) => ({ id })))}\n`);
  else if (models.length > 0) deps.out(`${models.join('\n')}\n`);
}
