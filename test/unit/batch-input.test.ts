import { describe, expect, it } from 'vitest';
import { GptError } from '../../src/core/errors.js';
import { checkItem, estimateTokens, type BatchItem } from '../../src/batch/item.js';
import { formatOf, jsonlItems, scanItems, textItems, yamlItems } from '../../src/batch/input.js';
import { parseTemplate } from '../../src/batch/template.js';

async function all(items: AsyncIterable<BatchItem>): Promise<BatchItem[]> {
  const out: BatchItem[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function* linesOf(text: string) {
  for (const line of text.split('\n')) yield line;
}

async function failure(work: () => Promise<unknown> | unknown): Promise<GptError> {
  try {
    await work();
  } catch (error) {
    expect(error).toBeInstanceOf(GptError);
    return error as GptError;
  }
  throw new Error('expected a failure');
}

const jsonl = (text: string, template?: string) =>
  all(jsonlItems(linesOf(text), { name: 'p.jsonl', template: template ? parseTemplate(template, 't') : undefined }));

describe('input formats', () => {
  it('chooses the format by flag, then extension, else JSON Lines', () => {
    expect(formatOf('a.yaml', undefined).format).toBe('yaml');
    expect(formatOf('a.YML', undefined).format).toBe('yaml');
    expect(formatOf('a.json', undefined).format).toBe('yaml'); // a JSON array is YAML
    expect(formatOf('a.txt', undefined).format).toBe('text');
    expect(formatOf('a.ndjson', undefined)).toEqual({ format: 'jsonl', guessed: false });
    expect(formatOf('', undefined)).toEqual({ format: 'jsonl', guessed: true });
    expect(formatOf('a.txt', 'jsonl').format).toBe('jsonl');
    expect(() => formatOf('a', 'csv')).toThrow(/unknown --format 'csv'/);
  });

  it('reads JSON Lines: ids as text, line numbers as default ids, blank lines skipped', async () => {
    const items = await jsonl(
      [
        '{"id": "a", "prompt": "hi", "model": "m", "temperature": 0.5, "max_tokens": 9, "system": "be brief"}',
        '',
        '{"prompt": "second"}',
        '{"id": 7, "messages": [{"role": "user", "content": "x"}], "thread": null}',
      ].join('\n'),
    );
    expect(items).toEqual([
      { id: 'a', line: 1, prompt: 'hi', model: 'm', temperature: 0.5, maxTokens: 9, system: 'be brief' },
      { id: '3', line: 3, prompt: 'second' },
      { id: '7', line: 4, messages: [{ role: 'user', content: 'x' }] },
    ]);
  });

  it('names the file and line of a broken JSON Lines input', async () => {
    const lines = Array.from({ length: 6 }, (_, i) => `{"prompt": "p${i}"}`);
    const error = await failure(() => jsonl([...lines, '{"prompt": "oops"'].join('\n')));
    expect(error.exitCode).toBe(6);
    expect(error.message).toMatch(/^p\.jsonl:7: not valid JSON/);
    expect(error.hint).toMatch(/nothing was sent/);
  });

  it.each([
    ['{"id": "x"}', /p\.jsonl:1: the item has neither `prompt` nor `messages`/],
    ['{"prompt": "a", "messages": []}', /not both/],
    ['{"prompt": "   "}', /must be non-empty text/],
    ['{"prompt": 3}', /`prompt` must be non-empty text/],
    ['"just a string"', /must be an object/],
    ['[1]', /must be an object/],
    ['{"prompt": "a", "temperature": 3}', /`temperature` must be a number from 0 to 2/],
    ['{"prompt": "a", "max_tokens": 1.5}', /`max_tokens` must be a whole number/],
    ['{"prompt": "a", "id": ""}', /`id` must be non-empty text or a number/],
    ['{"messages": [{"role": "robot", "content": "x"}]}', /message 1 has role "robot"/],
    ['{"messages": [{"role": "user"}]}', /message 1 has no text `content`/],
    ['{"messages": [{"role": "user", "content": "x"}], "thread": "t"}', /continues it with a `prompt`/],
  ])('refuses %s', async (line, message) => {
    const error = await failure(() => jsonl(line));
    expect(error.exitCode).toBe(6);
    expect(error.message).toMatch(message);
  });

  it('suggests --format when the first line of an unnamed input is not JSON', async () => {
    const error = await failure(() => all(jsonlItems(linesOf('What is a whale?'), { name: 'stdin', guessed: true })));
    expect(error.hint).toMatch(/--format text/);
  });

  it('reads text: one prompt a non-empty line, its line number its id', async () => {
    const items = await all(textItems(linesOf('first\n\n  \nsecond'), { name: 'p.txt' }));
    expect(items.map((i) => [i.id, i.prompt])).toEqual([
      ['1', 'first'],
      ['4', 'second'],
    ]);
  });

  it('reads YAML: strings and objects, with positions as default ids and their lines', () => {
    const items = yamlItems('# prompts\n- first\n- id: b\n  prompt: second\n- prompt: |\n    multi\n    line\n', { name: 'p.yaml' });
    expect(items).toEqual([
      { id: '1', line: 2, prompt: 'first' },
      { id: 'b', line: 3, prompt: 'second' },
      { id: '3', line: 5, prompt: 'multi\nline\n' },
    ]);
    expect(yamlItems('', { name: 'p.yaml' })).toEqual([]);
  });

  it('names the line of a YAML problem', async () => {
    expect((await failure(() => yamlItems('- a\n- b: [\n', { name: 'p.yaml' }))).message).toMatch(/^p\.yaml:\d+: not valid YAML/);
    expect((await failure(() => yamlItems('prompt: x\n', { name: 'p.yaml' }))).message).toMatch(/^p\.yaml:1: expected a list/);
    expect((await failure(() => yamlItems('- a\n- id: x\n  model: m\n', { name: 'p.yaml' }))).message).toMatch(/^p\.yaml:2: the item has neither/);
  });

  it('refuses duplicate ids, naming both lines, and counts what is to be sent', async () => {
    const items = await jsonl('{"id":"a","prompt":"x"}\n{"id":"b","prompt":"y","thread":"t"}\n{"id":"a","prompt":"z"}');
    const error = await failure(() => scanItems(items, 'p.jsonl'));
    expect(error.message).toBe("p.jsonl:3: duplicate id 'a' (also on line 1)");
    const summary = await scanItems(items.slice(0, 2), 'p.jsonl', (item) => item.id !== 'a');
    expect(summary).toEqual({ count: 1, skipped: 1, estimatedTokens: 1, firstThreadLine: 2 });
  });

  it('estimates tokens at four characters each', () => {
    expect(estimateTokens({ id: '1', line: 1, prompt: 'x'.repeat(9), system: 'abc' })).toBe(3);
    expect(estimateTokens({ id: '1', line: 1, messages: [{ role: 'user', content: 'abcd' }] })).toBe(1);
  });
});

describe('templates', () => {
  it('wraps each prompt, with the id and other fields of the item', async () => {
    const items = await jsonl('{"id":"w1","prompt":"cat","lang":"French"}', 'Translate to {{lang}} ({{ id }}): {{prompt}}');
    expect(items[0]!.prompt).toBe('Translate to French (w1): cat');
    const text = await all(textItems(linesOf('dog'), { name: 'p.txt', template: parseTemplate('Q{{id}}: {{prompt}}', 't') }));
    expect(text[0]!.prompt).toBe('Q1: dog');
  });

  it('leaves items with messages alone', async () => {
    const items = await jsonl('{"messages":[{"role":"user","content":"x"}]}', 'T: {{prompt}}');
    expect(items[0]!.messages).toEqual([{ role: 'user', content: 'x' }]);
  });

  it('refuses a template without {{prompt}}, and an item without a field it uses', async () => {
    expect(() => parseTemplate('Translate: {{text}}', '--template')).toThrow(/has no \{\{prompt\}\}/);
    const error = await failure(() => jsonl('{"prompt":"x"}', '{{lang}}: {{prompt}}'));
    expect(error.message).toBe('p.jsonl:1: the template uses {{lang}} but the item has no text `lang`');
  });

  it('checkItem takes a bare string as a prompt', () => {
    expect(checkItem('hello', 4, 2, undefined)).toEqual({ id: '2', line: 4, prompt: 'hello' });
  });
});
