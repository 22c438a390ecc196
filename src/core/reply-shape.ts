import { extractCode } from './code-blocks.js';
import { ExitCode, GptError, usageError } from './errors.js';
import { wireSchema, type SchemaSpec } from './schema.js';
import type { ChatMessage } from './types.js';

/**
 * How a server is asked for JSON: `json_schema` (strict structured output, the default) or
 * `json_object` (JSON mode, for servers without json_schema) with the schema in the system prompt.
 * The reply is checked against the schema either way.
 */
export type SchemaMode = 'json_schema' | 'json_object';
export const SCHEMA_MODES: readonly SchemaMode[] = ['json_schema', 'json_object'];

/** Checks a parsed reply against the wire schema; the list of what does not fit, empty when it fits. */
export type SchemaCheck = (value: unknown) => string[];

/** What the user asked the reply to be: data fitting a schema, or a code block. */
export type ReplyShape = { kind: 'data'; spec: SchemaSpec; mode: SchemaMode; check: SchemaCheck } | { kind: 'code'; which: 'first' | 'last' };

/** The reply as the user asked for it: the text printed in plain mode, and `data` for --json. */
export interface ShapedReply {
  printed: string;
  data?: unknown;
  code?: string;
}

/** `response_format` for the request (undefined for code blocks: they need none). */
export function responseFormat(shape: ReplyShape) {
  if (shape.kind !== 'data') return undefined;
  if (shape.mode === 'json_object') return { type: 'json_object' as const };
  return { type: 'json_schema' as const, json_schema: { name: shape.spec.name, schema: wireSchema(shape.spec), strict: true as const } };
}

/**
 * JSON mode knows no schema, so the schema goes into the system prompt (which also gives the
 * messages the word "JSON" that json_object requires).
 */
export function withSchemaInstruction(shape: ReplyShape, messages: ChatMessage[]): ChatMessage[] {
  if (shape.kind !== 'data' || shape.mode !== 'json_object') return messages;
  const instruction = `Reply with one JSON object, and nothing else, that fits this JSON Schema:\n${JSON.stringify(wireSchema(shape.spec))}`;
  const system = messages.findIndex((m) => m.role === 'system');
  if (system === -1) return [{ role: 'system', content: instruction }, ...messages];
  return messages.map((m, i) => (i === system ? { ...m, content: `${m.content}\n\n${instruction}` } : m));
}

/** The shaped reply, or the error (exit 9) that says why the reply is not what was asked for. */
export function shapeReply(shape: ReplyShape, reply: { text: string; refusal?: string }): ShapedReply | GptError {
  if (reply.refusal) {
    return unfit(`the model refused: ${oneLine(reply.refusal)}`, 'rephrase the prompt, or ask without --schema');
  }
  if (shape.kind === 'code') {
    const block = extractCode(reply.text, shape.which);
    if (!block) return unfit('the reply has no fenced code block', 'ask for the code in a ``` block, or drop -x');
    return { printed: block.code, code: block.code };
  }
  let value: unknown;
  try {
    value = JSON.parse(reply.text);
  } catch {
    return unfit('the reply is not JSON', 'try again; with --schema-mode json_object, a model that ignores the instruction shows this');
  }
  const problems = shape.check(value);
  if (problems.length > 0) {
    return unfit(`the reply does not fit --schema (${problems.slice(0, 3).join('; ')})`, 'try again, or loosen the schema');
  }
  const data = shape.spec.multi ? (value as { items: unknown[] }).items : value;
  return { printed: `${JSON.stringify(data)}\n`, data };
}

/** The reply is kept (thread, and `reply` with --json): the message says where to find it. */
function unfit(message: string, hint: string): GptError {
  return new GptError(ExitCode.replyUnfit, message, `${hint} (the reply is kept: in the thread, and in --json output)`);
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** --schema-mode / schema_mode, checked. */
export function schemaMode(value: string | undefined, origin: string): SchemaMode {
  if (value === undefined) return 'json_schema';
  if ((SCHEMA_MODES as readonly string[]).includes(value)) return value as SchemaMode;
  const error = usageError(`${origin} must be json_schema or json_object, not '${value}'`, 'json_object is for servers without json_schema');
  if (origin === '--schema-mode') throw error;
  throw new GptError(ExitCode.config, error.message, error.hint);
}
