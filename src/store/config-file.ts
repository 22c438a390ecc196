import { stat } from './async-fs.js';
import { ExitCode, GptError } from '../core/errors.js';
import { validateConfig, type ConfigFile } from '../core/config.js';
import { readTextIfExists } from './fs.js';

/** Reads the YAML config file; a missing file is an empty config. */
export async function loadConfigFile(file: string, warn: (line: string) => void): Promise<ConfigFile> {
  const text = await readTextIfExists(file);
  if (text === undefined || text.trim() === '') return {};
  await warnIfShared(file, warn);
  const { parseYaml } = await import('./yaml.js'); // only paid for when there is a config
  const fail = (message: string) => new GptError(ExitCode.config, message, 'fix the config file');
  return validateConfig(parseYaml(text, file, fail).toJS(), file);
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

/**
 * The names of the config's endpoint profiles, for shell completion: a config that is
 * missing or broken offers none (a Tab is no place for an error; the next command says why).
 */
export async function profileNames(file: string): Promise<string[]> {
  const config = await loadConfigFile(file, () => {}).catch(() => ({}) as ConfigFile);
  return Object.keys(config.endpoints ?? {}).sort();
}
