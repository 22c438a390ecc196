import type { Settings } from '../core/config.js';
import { GptError } from '../core/errors.js';
import { fillTemplate, type SavedTemplate } from '../core/template.js';
import { ItemProblem } from './item-problem.js';
import type { Template } from './template.js';

/**
 * `gpt batch --template VALUE`: a value that can be a template name (letters, digits, `_-.`)
 * names a saved template; anything else is inline text, as before saved templates existed.
 * An inline template needs `{{prompt}}`, which no name can hold, so no working value means both.
 */
export const namesSavedTemplate = (value: string) => /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/.test(value) && !value.endsWith('.yaml');

/**
 * Each item through a saved template: `{{input}}` (or `{{prompt}}`) is the item's prompt,
 * `{{NAME}}` the item's own field, else its -p value, else the template's default.
 */
export function savedItemTemplate(saved: SavedTemplate, name: string, params: Record<string, string>): Template {
  return {
    fill(fields) {
      const values: Record<string, string> = { ...params };
      for (const [key, value] of Object.entries(fields)) {
        if (typeof value === 'string' || typeof value === 'number') values[key] = String(value);
      }
      try {
        return fillTemplate(saved, String(fields.prompt ?? ''), values, name);
      } catch (error) {
        if (error instanceof GptError) throw new ItemProblem(error.message, error.hint);
        throw error;
      }
    },
  };
}

/** The template's settings as defaults for every item: flags still win, then the template. */
export function templateDefaults(saved: SavedTemplate, settings: Settings): Settings {
  const { flags } = settings.inputs;
  return {
    ...settings,
    inputs: {
      ...settings.inputs,
      flags: {
        ...flags,
        model: flags.model ?? saved.model,
        system: flags.system ?? saved.system,
        temperature: flags.temperature ?? saved.temperature,
        maxTokens: flags.maxTokens ?? saved.max_tokens,
        reasoningEffort: flags.reasoningEffort ?? saved.reasoning_effort,
      },
    },
  };
}
