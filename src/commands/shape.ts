import { readFile } from 'node:fs/promises';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { dirname, resolve } from 'node:path';
import type { SavedTemplate } from '../core/template.js';
import { usageError } from '../core/errors.js';
import { schemaMode, type ReplyShape, type SchemaCheck, type SchemaMode } from '../core/reply-shape.js';
import { parseSchemaText, schemaSource, schemaSpec, wireSchema, type JsonSchema, type SchemaSpec } from '../core/schema.js';

/** The flags that shape a reply (ask, thread show). */
export interface ShapeOptions {
  schema?: string;
  schemaMulti?: boolean;
  /** --schema-mode; the config's schema_mode when not given. */
  schemaMode?: string;
  extract?: 'first' | 'last';
}

/**
 * Reads --schema (inline, a file, or the concise form), makes it strict and compiles its checker,
 * so a bad schema is a usage error before anything is sent or paid for.
 */
export async function loadReplyShape(options: ShapeOptions, context: { cwd: string; configMode?: string }): Promise<ReplyShape | undefined> {
  if (options.schema !== undefined && options.extract) {
    throw usageError('--schema and -x/--extract cannot be used together', 'choose data (--schema) or a code block (-x)');
  }
  if (options.extract) return { kind: 'code', which: options.extract };
  if (options.schema === undefined) {
    if (options.schemaMulti) throw usageError('--schema-multi needs --schema', 'add --schema SCHEMA');
    return undefined;
  }
  const mode = shapeMode(options, context.configMode);
  const file = schemaSource(options.schema) === 'file' ? resolve(context.cwd, options.schema) : undefined;
  const text = file === undefined ? options.schema : await readSchemaFile(file, options.schema);
  const spec = schemaSpec(parseSchemaText(text, file === undefined ? '--schema' : options.schema), { multi: options.schemaMulti ?? false, file });
  return dataShape(spec, mode);
}

/** A reply shape for a strict schema: its checker compiled. */
export async function dataShape(spec: SchemaSpec, mode: SchemaMode): Promise<ReplyShape> {
  return { kind: 'data', spec, mode, check: await compileCheck(wireSchema(spec)) };
}

/**
 * The shape of each batch item's reply: its own `schema`, else --schema. Compiled once per
 * distinct schema, so 100,000 items with the same one compile it once.
 */
export function itemShapes(batchShape: ReplyShape | undefined, mode: SchemaMode) {
  const compiled = new Map<string, Promise<ReplyShape>>();
  return (own: SchemaSpec | undefined): Promise<ReplyShape | undefined> | undefined => {
    if (!own) return batchShape && Promise.resolve(batchShape);
    const key = JSON.stringify(own);
    if (!compiled.has(key)) compiled.set(key, dataShape(own, mode));
    return compiled.get(key)!;
  };
}

/**
 * A saved template's `schema` applies when --schema is not given; a file it names is found
 * beside the template.
 */
export function withTemplateSchema(shape: ShapeOptions, saved: { template: SavedTemplate; file: string } | undefined, cwd: string) {
  if (shape.schema !== undefined || saved?.template.schema === undefined) return { shape, cwd };
  const { schema } = saved.template;
  return { shape: { ...shape, schema: typeof schema === 'string' ? schema : JSON.stringify(schema) }, cwd: dirname(saved.file) };
}

/** --schema-mode, else the config's schema_mode, else json_schema. */
export function shapeMode(options: ShapeOptions, configMode: string | undefined): SchemaMode {
  return options.schemaMode !== undefined ? schemaMode(options.schemaMode, '--schema-mode') : schemaMode(configMode, 'schema_mode in the config file');
}

async function readSchemaFile(file: string, given: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw usageError(`cannot read the --schema file ${given} (${why})`, "give a JSON Schema file, inline JSON, or fields like 'name, age int'");
  }
}

/**
 * ajv (a maintained validator), loaded only here: the reply is checked whatever the server
 * claims, since compatible servers may ignore response_format. Formats are not checked
 * (OpenAI's strict mode enforces the ones it knows; ajv alone knows none without a plugin).
 */
async function compileCheck(schema: JsonSchema): Promise<SchemaCheck> {
  // ajv is CommonJS: its class is `Ajv2020` on the module, whichever way it was imported.
  const { Ajv2020 } = await import('ajv/dist/2020.js');
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, logger: false });
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (error) {
    throw usageError(`--schema is not a valid JSON Schema (${(error as Error).message})`, 'fix the schema');
  }
  return (value) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'does not fit'}`));
}
