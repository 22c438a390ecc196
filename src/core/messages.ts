import { ROLES, type Role } from './types.js';

export interface MessageProblem {
  /** The key at fault, when the message is a mapping. */
  key?: 'role' | 'content';
  problem: string;
}

/**
 * What is wrong with message `n` (from 1) of a list, for thread files and batch items
 * alike; undefined when it has a known role and text content. `shape` names what it
 * should be in the file's terms: `a mapping` (YAML), `an object` (JSON).
 */
export function messageProblem(value: unknown, n: number, shape: string): MessageProblem | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problem: `message ${n} must be ${shape} with \`role\` and \`content\`` };
  }
  const { role, content } = value as Record<string, unknown>;
  if (!ROLES.includes(role as Role)) {
    return { key: 'role', problem: `message ${n} has role ${JSON.stringify(role ?? null)}; expected ${ROLES.join(', ')}` };
  }
  if (typeof content !== 'string') return { key: 'content', problem: `message ${n} has no text \`content\`` };
  return undefined;
}
