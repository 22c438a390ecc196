import { stat } from 'node:fs/promises';
import { ExitCode, GptError } from '../core/errors.js';
import { validateConfig, type ConfigFile } from '../core/config.js';
import { validateModelsMap } from '../core/models.js';
import { readTextIfExists } from './fs.js';

/** Reads the YAML config file; a missing file is an empty config. */
export async function loadConfigFile(file: string, warn: (line: string) => void): Promise<ConfigFile> {
  const text = await readTextIfExists(file);
  if (text === undefined || text.trim() === '') return {};
  await warnIfShared(file, warn);
  const { default: YAML } = await import('yaml'); // only paid for when there is a config
  let value: unknown;
  try {
    value = YAML.parse(text, { maxAliasCount: 50 });
  } catch (error) {
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new GptError(ExitCode.config, `${file}${line ? `:${line}` : ''}: not valid YAML`, 'fix the config file');
  }
  const config = validateConfig(value, file);
  if (config.models !== undefined) validateModelsMap(config.models, file);
  return config;
}

/**
 * Other users who can change the config could point `base_url` at their own server and
 * read every prompt (and the key). Reading it is harmless: the key belongs in the environment.
 */
async function warnIfShared(file: string, warn: (line: string) => void): Promise<void> {
  const { mode } = await stat(file);
  if (mode & 0o022) {
    warn(`gpt: ${file} can be changed by other users — chmod go-w ${file}`);
  }
}
