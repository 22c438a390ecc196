import { usageError } from '../core/errors.js';
import { ItemProblem } from './item-problem.js';

/** `--template 'Translate to French: {{prompt}}'`: wraps each item's prompt. */
export interface Template {
  /** Fills the placeholders from the item's fields (text or numbers). */
  fill(fields: Record<string, unknown>): string;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * `{{prompt}}` is the item's prompt; `{{id}}` and any other field of a JSON Lines or YAML
 * item (`{{lang}}`) may appear too. A template without `{{prompt}}` is refused: every
 * item would send the same text.
 */
export function parseTemplate(text: string, source: string): Template {
  const names = new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!));
  if (!names.has('prompt')) {
    throw usageError(`the template (${source}) has no {{prompt}}`, "write {{prompt}} where each item's prompt goes");
  }
  return {
    fill(fields) {
      return text.replace(PLACEHOLDER, (_whole, name: string) => {
        const value = fields[name];
        if (typeof value === 'string') return value;
        if (typeof value === 'number') return String(value);
        throw new ItemProblem(`the template uses {{${name}}} but the item has no text \`${name}\``);
      });
    },
  };
}
