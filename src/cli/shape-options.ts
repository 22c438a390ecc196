import { Option, type Command } from 'commander';
import type { ShapeOptions } from '../commands/shape.js';

/** --schema and -x: the reply as data or as a code block (README "Data out"). */
export function addShapeOptions(command: Command): Command {
  return addSchemaOptions(command)
    .option('-x, --extract', 'print only the first fenced code block of the reply')
    .option('--extract-last', 'print only the last fenced code block of the reply');
}

/** --schema alone (gpt batch: a code block is not a result line's job). */
export function addSchemaOptions(command: Command): Command {
  return command
    .option('--schema <schema>', "the reply is JSON fitting this schema: inline JSON, a .json file, or 'name, age int, email'")
    .option('--schema-multi', 'the reply is a list of objects fitting --schema (printed as a JSON array)')
    .addOption(
      new Option('--schema-mode <mode>', 'how the server is asked: json_schema (default), or json_object for servers without it').choices([
        'json_schema',
        'json_object',
      ]),
    );
}

interface RawShapeOptions {
  schema?: string;
  schemaMulti?: boolean;
  schemaMode?: string;
  extract?: boolean;
  extractLast?: boolean;
}

export function shapeOptions(raw: RawShapeOptions): ShapeOptions {
  return {
    schema: raw.schema,
    schemaMulti: raw.schemaMulti,
    schemaMode: raw.schemaMode,
    extract: raw.extractLast ? 'last' : raw.extract ? 'first' : undefined,
  };
}
