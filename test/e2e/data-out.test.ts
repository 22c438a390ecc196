import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

const lastBody = () => server.chatRequests().at(-1)!.body;
const loadThread = async (name: string) => YAML.parse(await readFile(join(sandbox.threadsDir, `${name}.yaml`), 'utf8'));

describe('gpt ask --schema', () => {
  it('sends a strict json_schema made from the concise form and prints the JSON value alone on one line', async () => {
    const r = await runGpt(sandbox, ['ask', '--schema', 'name, age int: in years', 'Ada, 36']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('{"name":"Ada, 36","age":42}\n');
    expect(lastBody().response_format).toEqual({
      type: 'json_schema',
      json_schema: {
        name: 'reply',
        strict: true,
        schema: {
          type: 'object',
          properties: { name: { type: 'string' }, age: { type: 'integer', description: 'in years' } },
          required: ['name', 'age'],
          additionalProperties: false,
        },
      },
    });
  });

  it('reads a schema file, makes it strict, names it after the file, and adds data beside reply with --json', async () => {
    const file = join(sandbox.home, 'person.schema.json');
    await writeFile(file, JSON.stringify({ type: 'object', properties: { name: { type: 'string' }, nick: { type: 'string' } }, required: ['name'] }));
    const r = await runGpt(sandbox, ['ask', '--json', '--schema', 'person.schema.json', 'Ada']);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.data).toEqual({ name: 'Ada', nick: 'Ada' });
    expect(out.reply).toBe('{"name":"Ada","nick":"Ada"}');
    const sent = lastBody().response_format.json_schema;
    expect(sent.name).toBe('person');
    expect(sent.schema.required).toEqual(['name', 'nick']);
    expect(sent.schema.properties.nick).toEqual({ type: ['string', 'null'] });
  });

  it('--schema-multi wraps the schema as {"items": [...]} and prints a JSON array', async () => {
    const r = await runGpt(sandbox, ['ask', '--schema', 'name', '--schema-multi', 'list them']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('[{"name":"list them"}]\n');
    expect(lastBody().response_format.json_schema.schema.properties.items.type).toBe('array');
  });

  it('a reply that does not fit exits 9, prints nothing on stdout, and keeps the reply in the thread', async () => {
    server.enqueue({ kind: 'reply', text: '{"name": "Ada", "age": "old"}' });
    const r = await runGpt(sandbox, ['ask', '--thread', 'people', '--schema', 'name, age int', 'Ada']);
    expect(r.exitCode).toBe(9);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^gpt: the reply does not fit --schema \(\/age must be integer\) — /);
    expect((await loadThread('people')).messages.at(-1).content).toBe('{"name": "Ada", "age": "old"}');
  });

  it('a reply that is not JSON exits 9, with the reply in the --json error object', async () => {
    server.enqueue({ kind: 'reply', text: 'Sure! Here is the JSON: {' });
    const r = await runGpt(sandbox, ['ask', '--json', '--schema', 'name', 'Ada']);
    expect(r.exitCode).toBe(9);
    const out = JSON.parse(r.stdout);
    expect(out.error).toMatchObject({ message: 'the reply is not JSON', exit_code: 9 });
    expect(out.reply).toBe('Sure! Here is the JSON: {');
    expect(out.data).toBeUndefined();
  });

  it('a refusal is reported as such (exit 9) and kept in the thread', async () => {
    server.enqueue({ kind: 'reply', refusal: "I'm sorry, I cannot help with that." });
    const r = await runGpt(sandbox, ['ask', '--thread', 'no', '--json', '--schema', 'name', 'something bad']);
    expect(r.exitCode).toBe(9);
    const out = JSON.parse(r.stdout);
    expect(out.error.message).toBe("the model refused: I'm sorry, I cannot help with that.");
    expect(out.refusal).toBe("I'm sorry, I cannot help with that.");
    expect((await loadThread('no')).messages.at(-1).content).toBe("I'm sorry, I cannot help with that.");
  });

  it('--schema-mode json_object sends JSON mode with the schema in the system prompt, and still checks the reply', async () => {
    server.enqueue({ kind: 'reply', text: '{"name": 7}' });
    const r = await runGpt(sandbox, ['ask', '-s', 'Be brief.', '--schema-mode', 'json_object', '--schema', 'name', 'Ada']);
    expect(r.exitCode).toBe(9);
    expect(r.stderr).toContain('/name must be string');
    expect(lastBody().response_format).toEqual({ type: 'json_object' });
    const system = lastBody().messages[0];
    expect(system.role).toBe('system');
    expect(system.content).toMatch(/^Be brief\.\n\nReply with one JSON object, and nothing else, that fits this JSON Schema:\n\{"type":"object"/);
  });

  it('schema_mode in the config file chooses json_object; a bad value is a config error', async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(sandbox.configHome, 'gpt'), { recursive: true });
    await writeFile(join(sandbox.configHome, 'gpt', 'config.yaml'), 'schema_mode: json_object\n');
    server.enqueue({ kind: 'reply', text: '{"name": "Ada"}' });
    const r = await runGpt(sandbox, ['ask', '--schema', 'name', 'Ada']);
    expect(r.stdout).toBe('{"name":"Ada"}\n');
    expect(lastBody().response_format).toEqual({ type: 'json_object' });
    await writeFile(join(sandbox.configHome, 'gpt', 'config.yaml'), 'schema_mode: json\n');
    const bad = await runGpt(sandbox, ['ask', '--schema', 'name', 'Ada']);
    expect(bad.exitCode).toBe(3);
    expect(bad.stderr).toContain("schema_mode in the config file must be json_schema or json_object, not 'json'");
  });

  it('refuses, before sending anything, a schema strict mode cannot express (exit 2)', async () => {
    const r = await runGpt(sandbox, ['ask', '--schema', '{"type":"object","additionalProperties":{"type":"string"}}', 'x']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("allows extra properties at the top, which OpenAI's strict mode does not support");
    const missing = await runGpt(sandbox, ['ask', '--schema', 'nope.json', 'x']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('cannot read the --schema file nope.json (no such file)');
    expect(server.chatRequests()).toHaveLength(0);
  });
});

describe('gpt ask -x / --extract-last', () => {
  const reply = 'Run this:\n\n```bash\necho first\n```\n\nor this:\n\n~~~sh\necho last\n~~~\n';

  it('prints only the first code block, or the last', async () => {
    server.enqueue({ kind: 'reply', text: reply }, { kind: 'reply', text: reply });
    const first = await runGpt(sandbox, ['ask', '-x', 'script please']);
    expect(first.stdout).toBe('echo first\n');
    const last = await runGpt(sandbox, ['ask', '--extract-last', 'script please']);
    expect(last.stdout).toBe('echo last\n');
    expect(lastBody().response_format).toBeUndefined();
  });

  it('a reply cut inside its code block still yields the code, with the cut notice on stderr', async () => {
    server.enqueue({ kind: 'reply', text: 'Here:\n```python\nfor i in range(3):\n    print(i', finishReason: 'length' });
    const r = await runGpt(sandbox, ['ask', '-x', '--max-tokens', '20', 'loop']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('for i in range(3):\n    print(i\n');
    expect(r.stderr).toContain('cut at the token limit');
  });

  it('a reply with no code block exits 9 and keeps the reply', async () => {
    server.enqueue({ kind: 'reply', text: 'No code, just words.' });
    const r = await runGpt(sandbox, ['ask', '--json', '-x', 'talk']);
    expect(r.exitCode).toBe(9);
    const out = JSON.parse(r.stdout);
    expect(out.error.message).toBe('the reply has no fenced code block');
    expect(out.reply).toBe('No code, just words.');
  });
});

describe('gpt thread show -x', () => {
  it('extracts the first or last code block from the saved last reply; none is exit 9', async () => {
    server.enqueue({ kind: 'reply', text: 'One:\n```\nfirst\n```\nTwo:\n```js\nlast()\n```\n' });
    expect((await runGpt(sandbox, ['ask', '--thread', 'code', 'go'])).exitCode).toBe(0);
    const first = await runGpt(sandbox, ['thread', 'show', 'code', '--last', '-x']);
    expect(first.stdout).toBe('first\n');
    const last = await runGpt(sandbox, ['thread', 'show', 'code', '--extract-last']);
    expect(last.stdout).toBe('last()\n');
    server.enqueue({ kind: 'reply', text: 'just words' });
    await runGpt(sandbox, ['ask', '--thread', 'code', 'again']);
    const none = await runGpt(sandbox, ['thread', 'show', 'code', '--last', '-x']);
    expect(none.exitCode).toBe(9);
    expect(none.stderr).toContain('the reply has no fenced code block');
  });
});

describe('gpt chat --schema and -x', () => {
  it('each reply from a pipe is checked JSON on its own line; one that does not fit is reported, kept, and the session goes on (exit 9)', async () => {
    server.enqueue({ kind: 'reply' }, { kind: 'reply', text: 'oops' }, { kind: 'reply' });
    const r = await runGpt(sandbox, ['chat', '--thread', 'c', '--schema', 'name'], { input: 'Ada\nBob\nCy\n' });
    expect(r.stdout).toBe('{"name":"Ada"}\n{"name":"Cy"}\n');
    expect(r.stderr).toContain('gpt: the reply is not JSON');
    expect(r.exitCode).toBe(9);
    const contents = (await loadThread('c')).messages.map((m: { content: string }) => m.content);
    expect(contents).toEqual(['Ada', '{"name":"Ada"}', 'Bob', 'oops', 'Cy', '{"name":"Cy"}']);
  });

  it("-x prints each reply's first code block", async () => {
    server.enqueue({ kind: 'reply', text: 'x\n```\nls\n```\n' });
    const r = await runGpt(sandbox, ['chat', '-x'], { input: 'list files\n' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('ls\n');
  });
});
