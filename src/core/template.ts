import type { RequestLayer, RequestSettings } from './endpoints.js';
import { usageError } from './errors.js';
import { EFFORTS, type Effort } from './model-table.js';

/** A saved template: `$XDG_CONFIG_HOME/gpt/templates/NAME.yaml` (README "Saved templates"). */
export interface SavedTemplate {
  system?: string;
  model?: string;
  temperature?: number;
  max_tokens?: number;
  reasoning_effort?: Effort;
  /** Inline JSON Schema (a mapping), or text as --schema takes it. */
  schema?: string | Record<string, unknown>;
  /** With `{{input}}` (the user's prompt) and `{{NAME}}` (-p NAME VALUE) placeholders. */
  prompt?: string;
  defaults?: Record<string, string>;
}

const FIELDS: Record<keyof SavedTemplate, (v: unknown) => boolean> = {
  system: (v) => typeof v === 'string',
  model: (v) => typeof v === 'string' && v.trim() !== '',
  temperature: (v) => typeof v === 'number' && v >= 0 && v <= 2,
  max_tokens: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1,
  reasoning_effort: (v) => (EFFORTS as readonly unknown[]).includes(v),
  schema: (v) => typeof v === 'string' || (typeof v === 'object' && v !== null && !Array.isArray(v)),
  prompt: (v) => typeof v === 'string',
  defaults: (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((d) => typeof d === 'string' || typeof d === 'number'),
};

/** A template name is a file name in the templates folder: no paths. */
export function checkTemplateName(name: string): void {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/.test(name) || name.endsWith('.yaml')) {
    throw usageError(`'${name}' is not a template name`, 'use letters, digits, _, - and . (no path, no .yaml)');
  }
}

/** Checks a parsed template file; unknown keys and wrong types are refused, naming the file. */
export function checkTemplate(value: unknown, file: string): SavedTemplate {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw usageError(`template ${file} is not a mapping`, `fix ${file}`);
  for (const [key, field] of Object.entries(value)) {
    const check = FIELDS[key as keyof SavedTemplate];
    if (!check) throw usageError(`unknown key '${key}' in template ${file}`, `known keys: ${Object.keys(FIELDS).join(', ')}`);
    if (!check(field)) throw usageError(`'${key}' in template ${file} has a value it cannot take`, 'see README "Saved templates"');
  }
  const template = value as SavedTemplate;
  if (template.defaults) template.defaults = Object.fromEntries(Object.entries(template.defaults).map(([k, v]) => [k, String(v)]));
  return template;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * The prompt a template makes: `{{input}}` is the user's prompt (args and stdin), `{{NAME}}` a
 * -p value or the template's default. A template without `{{input}}` gets the input after a
 * blank line, so nothing the user typed is dropped. A missing value is a usage error naming it.
 */
export function fillTemplate(template: SavedTemplate, input: string | undefined, params: Record<string, string>, name: string): string {
  if (template.prompt === undefined) {
    if (input === undefined || input.trim() === '') throw usageError('no prompt given', `template ${name} has no prompt: give one`);
    return input;
  }
  const values = { ...template.defaults, ...params };
  const missing = new Set<string>();
  const text = template.prompt.replace(PLACEHOLDER, (_whole, key: string) => {
    if (key === 'input') return input ?? '';
    const value = values[key];
    if (value === undefined) missing.add(key);
    return value ?? '';
  });
  if (missing.size > 0) {
    const list = [...missing];
    throw usageError(`template ${name} needs ${list.map((k) => `{{${k}}}`).join(', ')}`, `give ${list.map((k) => `-p ${k} VALUE`).join(' ')}`);
  }
  if (PLACEHOLDER_INPUT.test(template.prompt) || !input) return text;
  return `${text}\n\n${input}`;
}

const PLACEHOLDER_INPUT = /\{\{\s*input\s*\}\}/;

/** Flags still win; the template comes next, before the thread and the config. */
export function withTemplate(request: RequestSettings, template: SavedTemplate, flags: RequestLayer): RequestSettings {
  return {
    ...request,
    model: flags.model ?? template.model ?? request.model,
    system: flags.system ?? template.system ?? request.system,
    temperature: flags.temperature ?? template.temperature ?? request.temperature,
    maxTokens: flags.maxTokens ?? template.max_tokens ?? request.maxTokens,
    reasoningEffort: flags.reasoningEffort ?? template.reasoning_effort ?? request.reasoningEffort,
  };
}

/** `-p NAME VALUE` pairs (as `NAME=VALUE` after the command line is read). */
export function paramsOf(pairs: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const key = at === -1 ? pair : pair.slice(0, at);
    if (at === -1 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw usageError(`-p ${pair}: expected -p NAME VALUE`, 'NAME is the {{NAME}} of the template');
    }
    params[key] = pair.slice(at + 1);
  }
  return params;
}
