import { usageError } from './errors.js';

/** A JSON Schema as parsed JSON. */
export type JsonSchema = Record<string, unknown>;

/** What --schema asks for, ready to send: the strict schema and the name the API wants. */
export interface SchemaSpec {
  name: string;
  /** Strict-compatible; with `multi`, the schema of one item (the wire wraps it in `{"items": [...]}`). */
  schema: JsonSchema;
  multi: boolean;
}

const CONCISE_TYPES: Record<string, string> = {
  str: 'string',
  string: 'string',
  int: 'integer',
  integer: 'integer',
  float: 'number',
  number: 'number',
  bool: 'boolean',
  boolean: 'boolean',
};

const HINT = 'write JSON Schema (\'{"type":"object",...}\'), a file ending in .json, or fields like \'name, age int, email: their work address\'';

/**
 * The concise form for the shell: `name, age int, email: their work address`. Fields are separated
 * by commas, or by newlines when there are any (so a description can hold commas); each is
 * `NAME [TYPE][: description]`, TYPE one of str (default), int, float, bool. Every field is required.
 */
export function parseConciseSchema(text: string): JsonSchema {
  const parts = (text.includes('\n') ? text.split('\n') : text.split(',')).map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw usageError('--schema is empty', HINT);
  const properties: Record<string, JsonSchema> = {};
  for (const part of parts) {
    const match = /^([A-Za-z_][\w-]*)(?:\s+([A-Za-z]+))?\s*(?::\s*(.*))?$/.exec(part);
    if (!match) throw usageError(`--schema field '${part}' is not NAME [TYPE][: description]`, HINT);
    const [, name, typeWord, description] = match as unknown as [string, string, string | undefined, string | undefined];
    const type = CONCISE_TYPES[(typeWord ?? 'str').toLowerCase()];
    if (!type) throw usageError(`--schema field '${name}' has unknown type '${typeWord}'`, 'types are str (the default), int, float and bool');
    if (properties[name]) throw usageError(`--schema names the field '${name}' twice`, 'give each field once');
    properties[name] = description ? { type, description } : { type };
  }
  return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false };
}

/** Inline JSON (starts with `{`) or the concise form; a file is read by the caller (`schemaSource`). */
export function parseSchemaText(text: string, origin = '--schema'): JsonSchema {
  if (!text.trimStart().startsWith('{')) return parseConciseSchema(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw usageError(`${origin} is not valid JSON (${(error as Error).message})`, HINT);
  }
  if (!isObject(value)) throw usageError(`${origin} is not a JSON object`, HINT);
  return value;
}

/** Where --schema's value comes from: a path (ends in .json, or holds a slash) is a file, anything else is text. */
export function schemaSource(value: string): 'file' | 'text' {
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) return 'text';
  return /\.json$/i.test(trimmed) || trimmed.includes('/') ? 'file' : 'text';
}

/** A name the API takes (^[A-Za-z0-9_-]{1,64}$), from a file name or the schema's title. */
export function schemaName(schema: JsonSchema, file?: string): string {
  const base = file?.replace(/^.*[\\/]/, '').replace(/(\.schema)?\.json$/i, '') ?? (typeof schema.title === 'string' ? schema.title : undefined);
  const cleaned = (base ?? '')
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
  return cleaned === '' ? 'reply' : cleaned;
}

/** Keywords that OpenAI's strict mode refuses (its "supported schemas" list, late 2026). */
const UNSUPPORTED = [
  'allOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
  'patternProperties',
  'propertyNames',
  'unevaluatedProperties',
  'unevaluatedItems',
  'dependentRequired',
  'dependentSchemas',
  'dependencies',
  'minProperties',
  'maxProperties',
];

/** Sub-schemas under these keys are schemas themselves (a map of them, or a list). */
const SCHEMA_MAPS = ['properties', '$defs', 'definitions'];
const SCHEMA_LISTS = ['anyOf', 'prefixItems'];

/**
 * The schema as strict mode needs it: every object closed (`additionalProperties: false`) and every
 * property required, those the user left optional becoming "this or null". Refuses, naming the
 * place, what strict mode cannot express; the root must be an object (strict mode's rule).
 */
export function strictSchema(schema: JsonSchema): JsonSchema {
  if (schema.type !== 'object') {
    throw usageError(
      "--schema must describe an object at the top (strict mode's rule)",
      'give {"type":"object",...}, or use --schema-multi for a list of such objects',
    );
  }
  return strictNode(schema, '');
}

function strictNode(node: JsonSchema, where: string): JsonSchema {
  const at = where === '' ? 'the top' : where;
  for (const key of UNSUPPORTED) {
    if (key in node) {
      throw usageError(
        `--schema uses '${key}' at ${at}, which OpenAI's strict mode does not support`,
        'rewrite it with anyOf, enum or nullable types, or leave the check to your own code',
      );
    }
  }
  const out: JsonSchema = { ...node };
  for (const key of SCHEMA_MAPS) {
    const map = node[key];
    if (!isObject(map)) continue;
    out[key] = Object.fromEntries(Object.entries(map).map(([name, sub]) => [name, strictChild(sub, `${where}/${key}/${name}`)]));
  }
  for (const key of SCHEMA_LISTS) {
    const list = node[key];
    if (Array.isArray(list)) out[key] = list.map((sub, i) => strictChild(sub, `${where}/${key}/${i}`));
  }
  if (isObject(node.items)) out.items = strictChild(node.items, `${where}/items`);
  if (isObjectType(node)) closeObject(node, out, at);
  return out;
}

function strictChild(sub: unknown, where: string): JsonSchema {
  if (!isObject(sub)) throw usageError(`--schema has something other than a schema at ${where}`, HINT);
  return strictNode(sub, where);
}

function closeObject(node: JsonSchema, out: JsonSchema, at: string): void {
  if (node.additionalProperties !== undefined && node.additionalProperties !== false) {
    throw usageError(
      `--schema allows extra properties at ${at}, which OpenAI's strict mode does not support`,
      'list every property (a free-form map cannot be strict), or remove additionalProperties',
    );
  }
  out.additionalProperties = false;
  const properties = isObject(out.properties) ? out.properties : {};
  const required = new Set(Array.isArray(node.required) ? node.required.filter((r): r is string => typeof r === 'string') : []);
  for (const name of required) {
    if (!(name in properties)) throw usageError(`--schema requires '${name}' at ${at} but does not describe it`, 'add it to properties');
  }
  out.properties = Object.fromEntries(Object.entries(properties).map(([name, sub]) => [name, required.has(name) ? sub : orNull(sub as JsonSchema)]));
  out.required = Object.keys(properties);
}

/** "This or null": how strict mode says optional. */
export function orNull(schema: JsonSchema): JsonSchema {
  const { type } = schema;
  if (typeof type === 'string') return type === 'null' ? schema : { ...schema, type: [type, 'null'], ...nullEnum(schema) };
  if (Array.isArray(type)) return type.includes('null') ? schema : { ...schema, type: [...type, 'null'], ...nullEnum(schema) };
  if (Array.isArray(schema.anyOf)) {
    return schema.anyOf.some((s) => isObject(s) && s.type === 'null') ? schema : { ...schema, anyOf: [...schema.anyOf, { type: 'null' }] };
  }
  return { anyOf: [schema, { type: 'null' }] };
}

/** An enum must admit null too, or "or null" would still refuse it. */
function nullEnum(schema: JsonSchema): JsonSchema {
  return Array.isArray(schema.enum) && !schema.enum.includes(null) ? { enum: [...schema.enum, null] } : {};
}

/** The schema sent on the wire: one object, or `{"items": [...]}` for --schema-multi. */
export function wireSchema(spec: SchemaSpec): JsonSchema {
  if (!spec.multi) return spec.schema;
  return { type: 'object', properties: { items: { type: 'array', items: spec.schema } }, required: ['items'], additionalProperties: false };
}

/** A spec from the text or file content of --schema. */
export function schemaSpec(schema: JsonSchema, options: { multi: boolean; file?: string }): SchemaSpec {
  if (options.multi && schema.type !== 'object') {
    // A list of anything is still wrapped in an object, so only the item needs no object root.
    return { name: schemaName(schema, options.file), schema: strictNode(schema, '/items/items'), multi: true };
  }
  return { name: schemaName(schema, options.file), schema: strictSchema(schema), multi: options.multi };
}

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isObjectType(node: JsonSchema): boolean {
  return node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object')) || isObject(node.properties);
}
