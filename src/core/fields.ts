import { describeLimit, withinLimit, type NumberLimit } from './limits.js';
import { ExitCode, GptError } from './errors.js';

/** What one setting of a nested config mapping may hold. */
export type FieldKind = 'string' | 'boolean' | { number: NumberLimit } | { oneOf: readonly string[] } | { listOf: readonly string[] } | 'stringMap' | 'mapping';

/**
 * Checks a mapping of settings against `fields`, refusing unknown keys and wrong types
 * with the file's name. `what` names the mapping for the message, e.g. "of endpoint 'local'".
 */
export function checkFields(value: unknown, fields: Record<string, FieldKind>, what: string, file: string): Record<string, unknown> {
  const fix = `fix or remove it in ${file}`;
  const at = what === '' ? '' : ` ${what}`;
  if (!isMapping(value)) throw configError(`${what} in ${file} must be a mapping of settings`, fix);
  for (const [key, field] of Object.entries(value)) {
    const kind = fields[key];
    if (!kind) {
      throw configError(`unknown setting '${key}'${at} in ${file}`, `known settings: ${Object.keys(fields).join(', ')}`);
    }
    const problem = fieldProblem(field, kind);
    if (problem) throw configError(`setting '${key}'${at} in ${file} must be ${problem}`, fix);
  }
  return value;
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function configError(message: string, hint: string): GptError {
  return new GptError(ExitCode.config, message, hint);
}

/** Why `value` is not of `kind` (a phrase for "must be ..."), or undefined when it is. */
function fieldProblem(value: unknown, kind: FieldKind): string | undefined {
  if (kind === 'string') return typeof value === 'string' && value !== '' ? undefined : 'a non-empty string';
  if (kind === 'boolean') return typeof value === 'boolean' ? undefined : 'true or false';
  if (kind === 'mapping') return isMapping(value) ? undefined : 'a mapping';
  if (kind === 'stringMap') {
    return isMapping(value) && Object.values(value).every((v) => typeof v === 'string') ? undefined : 'a mapping of names to strings';
  }
  if ('number' in kind) {
    return typeof value === 'number' && withinLimit(value, kind.number) ? undefined : describeLimit(kind.number);
  }
  if ('oneOf' in kind) {
    return typeof value === 'string' && kind.oneOf.includes(value) ? undefined : `one of ${kind.oneOf.join(', ')}`;
  }
  const ok = Array.isArray(value) && value.every((v) => typeof v === 'string' && kind.listOf.includes(v));
  return ok ? undefined : `a list of values from ${kind.listOf.join(', ')}`;
}
