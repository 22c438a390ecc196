import { describe, expect, it } from 'vitest';
import { ExitCode, GptError } from '../../src/core/errors.js';
import { parseConciseSchema, parseSchemaText, schemaName, schemaSource, schemaSpec, strictSchema, wireSchema } from '../../src/core/schema.js';

function usageFailure(run: () => unknown): GptError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GptError);
    expect((error as GptError).exitCode).toBe(ExitCode.usage);
    return error as GptError;
  }
  throw new Error('expected a usage error');
}

describe('the concise schema form', () => {
  it('makes an object of required fields, str by default', () => {
    expect(parseConciseSchema('name, age int, score float, ok bool, email')).toEqual({
      type: 'object',
      properties: {
        name: { type: 'string' },
        age: { type: 'integer' },
        score: { type: 'number' },
        ok: { type: 'boolean' },
        email: { type: 'string' },
      },
      required: ['name', 'age', 'score', 'ok', 'email'],
      additionalProperties: false,
    });
  });

  it('takes a trailing description, with or without a type', () => {
    expect(parseConciseSchema('email: their work address, age int: in years').properties).toEqual({
      email: { type: 'string', description: 'their work address' },
      age: { type: 'integer', description: 'in years' },
    });
  });

  it('splits on newlines when there are any, so a description may hold commas', () => {
    expect(parseConciseSchema('name: first, then last\nage int\n').properties).toEqual({
      name: { type: 'string', description: 'first, then last' },
      age: { type: 'integer' },
    });
  });

  it('refuses an unknown type, a repeated field, a malformed field and an empty schema', () => {
    expect(usageFailure(() => parseConciseSchema('age integr')).message).toContain("unknown type 'integr'");
    expect(usageFailure(() => parseConciseSchema('a, a int')).message).toContain("'a' twice");
    expect(usageFailure(() => parseConciseSchema('first name int extra')).message).toContain('not NAME');
    expect(usageFailure(() => parseConciseSchema(' , ')).message).toContain('empty');
  });
});

describe('where --schema comes from', () => {
  it('reads inline JSON, names files, and takes the rest as the concise form', () => {
    expect(schemaSource(' {"type":"object"}')).toBe('text');
    expect(schemaSource('person.schema.json')).toBe('file');
    expect(schemaSource('schemas/person')).toBe('file');
    expect(schemaSource('name, age int')).toBe('text');
    expect(parseSchemaText('{"type":"object","properties":{}}')).toEqual({ type: 'object', properties: {} });
    expect(usageFailure(() => parseSchemaText('{"type":')).message).toContain('not valid JSON');
  });

  it('names the schema after its file or title, as the API allows', () => {
    expect(schemaName({}, '/x/person.schema.json')).toBe('person');
    expect(schemaName({ title: 'A person!' })).toBe('A_person');
    expect(schemaName({})).toBe('reply');
  });
});

describe('strictification', () => {
  it('closes every object and makes optional properties nullable, nested ones too', () => {
    const strict = strictSchema({
      type: 'object',
      properties: {
        name: { type: 'string' },
        nick: { type: 'string' },
        kind: { type: 'string', enum: ['a', 'b'] },
        address: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        tags: { type: 'array', items: { type: 'object', properties: { t: { type: 'string' } } } },
        any: { $ref: '#/$defs/x' },
      },
      required: ['name', 'address', 'tags'],
      $defs: { x: { type: 'object', properties: { y: { type: ['integer'] } } } },
    });
    expect(strict).toEqual({
      type: 'object',
      properties: {
        name: { type: 'string' },
        nick: { type: ['string', 'null'] },
        kind: { type: ['string', 'null'], enum: ['a', 'b', null] },
        address: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
        tags: { type: 'array', items: { type: 'object', properties: { t: { type: ['string', 'null'] } }, required: ['t'], additionalProperties: false } },
        any: { anyOf: [{ $ref: '#/$defs/x' }, { type: 'null' }] },
      },
      required: ['name', 'nick', 'kind', 'address', 'tags', 'any'],
      additionalProperties: false,
      $defs: { x: { type: 'object', properties: { y: { type: ['integer', 'null'] } }, required: ['y'], additionalProperties: false } },
    });
  });

  it('leaves a schema that is already strict as it is', () => {
    const schema = parseConciseSchema('name, age int');
    expect(strictSchema(schema)).toEqual(schema);
  });

  it('refuses what strict mode cannot express, naming the place', () => {
    expect(usageFailure(() => strictSchema({ type: 'array' })).message).toContain('object at the top');
    expect(usageFailure(() => strictSchema({ type: 'object', additionalProperties: true })).message).toContain('extra properties at the top');
    expect(
      usageFailure(() => strictSchema({ type: 'object', properties: { m: { type: 'object', additionalProperties: { type: 'string' } } } })).message,
    ).toContain('/properties/m');
    expect(usageFailure(() => strictSchema({ type: 'object', properties: { a: { allOf: [] } } })).message).toContain("'allOf' at /properties/a");
    expect(usageFailure(() => strictSchema({ type: 'object', patternProperties: {} })).message).toContain("'patternProperties'");
    expect(usageFailure(() => strictSchema({ type: 'object', properties: {}, required: ['x'] })).message).toContain("requires 'x'");
  });

  it('--schema-multi wraps the item in {"items": [...]} on the wire', () => {
    const spec = schemaSpec(parseConciseSchema('name'), { multi: true });
    expect(wireSchema(spec)).toEqual({
      type: 'object',
      properties: { items: { type: 'array', items: spec.schema } },
      required: ['items'],
      additionalProperties: false,
    });
    expect(wireSchema(schemaSpec(parseConciseSchema('name'), { multi: false }))).toEqual(spec.schema);
  });
});
