import { readdir } from './async-fs.js';
import { dirname, join } from 'node:path';
import { ExitCode, GptError, usageError } from '../core/errors.js';
import type { Paths } from '../core/paths.js';
import { checkTemplate, checkTemplateName, type SavedTemplate } from '../core/template.js';
import { readTextIfExists } from './fs.js';

/** `$XDG_CONFIG_HOME/gpt/templates`, beside the config file. */
export function templatesDir(paths: Paths): string {
  return join(dirname(paths.configFile), 'templates');
}

export function templateFile(paths: Paths, name: string): string {
  checkTemplateName(name);
  return join(templatesDir(paths), `${name}.yaml`);
}

/** A saved template, checked; a missing one is a usage error that says how to make it. */
export async function loadTemplate(paths: Paths, name: string): Promise<{ template: SavedTemplate; file: string; text: string }> {
  const file = templateFile(paths, name);
  const text = await readTextIfExists(file);
  if (text === undefined) throw usageError(`there is no template '${name}'`, `gpt template list shows them; gpt template edit ${name} makes it`);
  const { default: YAML } = await import('yaml');
  let value: unknown;
  try {
    value = YAML.parse(text, { maxAliasCount: 50 });
  } catch (error) {
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new GptError(ExitCode.usage, `${file}${line ? `:${line}` : ''}: not valid YAML`, `fix it: gpt template edit ${name}`);
  }
  return { template: checkTemplate(value, file), file, text };
}

/** The names of the saved templates, sorted. */
export async function listTemplates(paths: Paths): Promise<string[]> {
  const entries = await readdir(templatesDir(paths)).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  return entries
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}
