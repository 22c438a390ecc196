// runBatch (local runs) called in-process; input files in the temp HOME (see test/support/fake-deps.ts).
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runBatch } from '../../src/commands/batch.js';
import type { BatchOptions } from '../../src/commands/batch-options.js';
import type { Deps } from '../../src/commands/deps.js';
import { ExitCode, GptError } from '../../src/core/errors.js';
import { encodeChat } from 'gpt-tokenizer/encoding/o200k_base';
import { eachTestWorld, threadsFolder } from '../support/fake-deps.js';
import { jsonLines } from '../support/json-lines.js';

const world = eachTestWorld();

const write = async (name: string, text: string) => {
  const file = join(world.home, name);
  await writeFile(file, text);
  return file;
};
const batch = (file: string, more: Partial<BatchOptions> = {}, deps: Deps = world.deps) =>
  runBatch({ file, resume: false, dryRun: false, remote: false, wait: true, ...more }, deps);
const results = () => jsonLines(world.out());
const rejected = (message: string) =>
  new GptError(ExitCode.apiRejected, `the API rejected the request (400): ${message}`, 'check the request options', { status: 400 });

describe('gpt batch: input formats', () => {
  it('runs JSON Lines: one result line per item, in input order, with reply, model, finish reason and usage', async () => {
    await write(
      'p.jsonl',
      [
        '{"id": "whale", "prompt": "biggest animal?", "model": "m-2", "temperature": 0.2, "max_tokens": 50}',
        '{"prompt": "second", "system": "be brief"}',
        '{"id": "chat", "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}, {"role": "user", "content": "again"}]}',
      ].join('\n'),
    );
    await batch('p.jsonl');
    expect(results()[0]).toEqual({
      id: 'whale',
      reply: 'echo: biggest animal?',
      model: 'm-2',
      finish_reason: 'stop',
      usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 },
      cost: null,
    });
    expect(results().map((x) => [x.id, x.reply])).toEqual([
      ['whale', 'echo: biggest animal?'],
      ['2', 'echo: second'],
      ['chat', 'echo: again'],
    ]);
    const byPrompt = Object.fromEntries(world.client.requests.map((q) => [q.messages.at(-1)!.content, q]));
    expect(byPrompt['biggest animal?']).toMatchObject({ model: 'm-2', fields: { temperature: 0.2, max_tokens: 50 } });
    expect(byPrompt.second!.messages).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'second' },
    ]);
    expect(byPrompt.again!.messages).toHaveLength(3);
    expect(world.stderr()).toMatch(/^gpt: 3 items: 3 done, 0 failed, 67 tokens, \d+\.\ds\n$/);
  });

  it('runs YAML (strings and objects) and plain text, and reads stdin with -', async () => {
    await write('p.yaml', '- first\n- id: two\n  prompt: second\n');
    await batch('p.yaml', {}, { ...world.deps, warn: () => {} });
    expect(results().map((x) => [x.id, x.reply])).toEqual([
      ['1', 'echo: first'],
      ['two', 'echo: second'],
    ]);

    for (const [file, format, stdin, replies] of [
      ['p.txt', undefined, '', ['echo: alpha', 'echo: beta']],
      ['-', 'text', 'one\ntwo\n', ['echo: one', 'echo: two']],
      ['-', undefined, '{"prompt":"j"}\n', ['echo: j']],
    ] as const) {
      await world.renew({ stdin });
      await write('p.txt', 'alpha\n\nbeta\n');
      await batch(file, { format });
      expect(
        results().map((x) => x.reply),
        file,
      ).toEqual(replies);
    }
    expect(results().map((x) => x.id)).toEqual(['1']);
  });

  it('keeps input order however the replies arrive', async () => {
    // The first items answer last.
    world.client.fallback = (request) => ({ delayMs: (10 - Number(request.messages.at(-1)!.content.slice(1))) * 20 });
    await write('p.txt', Array.from({ length: 10 }, (_, i) => `p${i}`).join('\n'));
    await batch('p.txt', { concurrency: 10 });
    expect(results().map((x) => x.reply)).toEqual(Array.from({ length: 10 }, (_, i) => `echo: p${i}`));
  });

  it('wraps prompts in a template (from the flag or a file)', async () => {
    await write('p.jsonl', '{"prompt": "cat", "lang": "French"}\n{"prompt": "dog", "lang": "German"}\n');
    await batch('p.jsonl', { template: 'Translate to {{lang}}: {{prompt}}' });
    expect(results().map((x) => x.reply)).toEqual(['echo: Translate to French: cat', 'echo: Translate to German: dog']);

    await write('t.txt', 'Q{{id}}: {{prompt}}\n');
    await write('p.txt', 'why?\n');
    await batch('p.txt', { templateFile: 't.txt' });
    expect(results().at(-1).reply).toBe('echo: Q1: why?');

    await expect(batch('p.txt', { template: 'Translate: {{text}}' })).rejects.toMatchObject({
      exitCode: ExitCode.usage,
      message: expect.stringMatching(/the template \(--template\) has no \{\{prompt\}\}/),
    });
  });
});

describe('gpt batch: bad input is refused before anything is sent', () => {
  it.each([
    ['p.jsonl', [...Array.from({ length: 6 }, (_, i) => `{"prompt": "p${i}"}`), '{"prompt": "broken"'].join('\n'), /^p\.jsonl:7: not valid JSON/],
    ['p.yaml', '- a\n- b\n- [unclosed\n', /^p\.yaml:\d: not valid YAML/],
    ['p.jsonl', '{"prompt": "a"}\n{"id": "x", "model": "m"}\n', /^p\.jsonl:2: the item has neither `prompt` nor `messages`/],
    ['p.jsonl', '{"id": "a", "prompt": "x"}\n{"id": "a", "prompt": "y"}\n', /^p\.jsonl:2: duplicate id 'a' \(also on line 1\)/],
    ['p.jsonl', '{"prompt": "x", "thread": ".hidden"}\n', /^p\.jsonl:1: invalid thread name '\.hidden'/],
  ])('%s: %s', async (name, text, message) => {
    await write(name, text);
    await expect(batch(name)).rejects.toMatchObject({ exitCode: ExitCode.badInput, message: expect.stringMatching(message) });
    expect(world.out()).toBe('');
    expect(world.client.requests).toHaveLength(0);
  });

  it('reports a missing file and options that do not go together', async () => {
    await expect(batch('nope.jsonl')).rejects.toMatchObject({
      exitCode: ExitCode.badInput,
      message: 'cannot read nope.jsonl (ENOENT)',
      hint: 'check the path and its permissions',
    });
    await write('p.txt', 'x\n');
    await expect(batch('p.txt', { resume: true })).rejects.toMatchObject({ exitCode: ExitCode.usage, message: '--resume needs -o FILE' });
    await expect(batch('p.txt', { wait: false })).rejects.toMatchObject({ exitCode: ExitCode.usage, message: '--no-wait applies to --remote runs' });
    await expect(batch('p.txt', { remote: true, concurrency: 2 })).rejects.toMatchObject({ exitCode: ExitCode.usage });
    expect(world.client.requests).toHaveLength(0);
  });

  it('--dry-run checks the input and prints the count, exact input tokens and the cost, sending nothing', async () => {
    await write('p.jsonl', '{"prompt": "12345678"}\n{"prompt": "abcd", "system": "wxyz"}\n');
    await batch('p.jsonl', { dryRun: true });
    // No base URL: the OpenAI API, priced from the table (the exact count is checked in test/e2e/batch.test.ts).
    const local = /^items: 2\ninput tokens: \d+ \(exact\)\nestimated cost: \$[\d.]+ for the input; the replies are not bounded/;
    expect(world.out()).toMatch(local);
    await batch('p.jsonl', { dryRun: true, remote: true });
    expect(world.out()).toMatch(/estimated cost: \$[\d.]+ for the input at the Batch API's rate; [^\n]*\nbatches: 1\n$/);
    expect(world.client.requests).toHaveLength(0);
  });
});

describe('gpt batch: failures, resume, threads', () => {
  it('keeps going when one item fails: its line has the error, and the run fails with exit 8', async () => {
    world.client.fallback = (request) => (request.messages.at(-1)!.content === 'bad' ? rejected('unsupported value') : {});
    await write('p.txt', 'good\nbad\nfine\n');
    await expect(batch('p.txt')).rejects.toMatchObject({ exitCode: ExitCode.batchItemsFailed, message: '1 of 3 items failed' });
    expect(results().map((x) => x.reply)).toEqual(['echo: good', null, 'echo: fine']);
    expect(results()[1]).toMatchObject({
      id: '2',
      model: 'gpt-5.4-mini',
      finish_reason: null,
      usage: null,
      error: { message: 'the API rejected the request (400): unsupported value', exit_code: 4, status: 400 },
    });
    expect(world.stderr()).toMatch(/^gpt: 3 items: 2 done, 1 failed, \d+ tokens/);
  });

  it('stops the whole batch when the key is refused', async () => {
    world.client.fallback = () => new GptError(ExitCode.config, 'the API refused the key (401): bad key', 'check OPENAI_API_KEY');
    await write('p.txt', Array.from({ length: 20 }, (_, i) => `p${i}`).join('\n'));
    await expect(batch('p.txt', { concurrency: 2 })).rejects.toMatchObject({ exitCode: ExitCode.config });
    expect(world.client.requests.length).toBeLessThanOrEqual(2);
  });

  it('--resume sends only the items missing from -o FILE, and appends their results', async () => {
    const ids = Array.from({ length: 6 }, (_, i) => `item-${i}`);
    await write('p.jsonl', ids.map((id) => JSON.stringify({ id, prompt: id })).join('\n'));
    const done = ids
      .slice(0, 2)
      .map((id) => JSON.stringify({ id, reply: `echo: ${id}` }))
      .join('\n');
    // A run stopped while writing the third line.
    await write('out.jsonl', `${done}\n{"id": "item-2", "rep`);
    await batch('p.jsonl', { output: 'out.jsonl', resume: true });
    expect(world.client.prompts().sort()).toEqual(ids.slice(2));
    expect(world.stderr()).toMatch(
      /the last line of out\.jsonl was cut short when a run stopped; it was removed, and that item's result is written again\ngpt: resuming: 2 items already in out\.jsonl\n/,
    );
    expect(jsonLines(await readFile(join(world.home, 'out.jsonl'), 'utf8')).map((x) => x.id)).toEqual(ids);
  });

  it('continues threads: items of one thread run in order, each with the turns before it', async () => {
    world.client.fallback = (request) => ({ delayMs: request.messages.at(-1)!.content === 'first' ? 100 : 0 });
    await write(
      'p.jsonl',
      [
        '{"id": "a", "prompt": "first", "thread": "notes"}',
        '{"id": "b", "prompt": "unrelated"}',
        '{"id": "c", "prompt": "second", "thread": "notes"}',
        '{"id": "d", "prompt": "elsewhere", "thread": "other.yaml"}',
      ].join('\n'),
    );
    await batch('p.jsonl', { allowPaths: true }); // other.yaml is a path
    const second = world.client.requests.find((q) => q.messages.at(-1)!.content === 'second')!;
    expect(second.messages).toEqual([
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'echo: first' },
      { role: 'user', content: 'second' },
    ]);
    const thread = YAML.parse(await readFile(join(world.threadsDir, 'notes.yaml'), 'utf8'));
    expect(thread.messages.map((m: { content: string }) => m.content)).toEqual(['first', 'echo: first', 'second', 'echo: second']);
    expect(YAML.parse(await readFile(join(world.home, 'other.yaml'), 'utf8')).messages).toHaveLength(2);
    // Items without a thread are not kept as conversations.
    expect(await readdir(world.threadsDir)).toEqual(['notes.yaml']);
  });

  it('refuses thread items with --remote, before anything is sent', async () => {
    await write('p.jsonl', '{"prompt": "x"}\n{"prompt": "y", "thread": "notes"}\n');
    await expect(batch('p.jsonl', { remote: true })).rejects.toMatchObject({
      exitCode: ExitCode.usage,
      message: 'p.jsonl:2: an item with `thread` cannot run with --remote',
    });
  });
});

describe('gpt batch: the results file', () => {
  it('is made private even when it existed before with wider permissions', async () => {
    await write('p.txt', 'one\n');
    const out = join(world.home, 'out.jsonl');
    await writeFile(out, 'old\n', { mode: 0o644 });
    await batch('p.txt', { output: 'out.jsonl' });
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(jsonLines(await readFile(out, 'utf8')).map((x) => x.reply)).toEqual(['echo: one']);
  });
});

describe("gpt batch: estimates count a thread's history", () => {
  // $1 per million input tokens, $4 output.
  const PRICED = { models: { 'priced-model': { input_price: 1, output_price: 4 } } };
  type Message = { role: 'system' | 'user' | 'assistant'; content: string };
  const history: Message[] = [
    { role: 'user', content: 'Tell me about blue whales.' },
    { role: 'assistant', content: 'whales are large marine mammals. '.repeat(40).trim() },
  ];
  const writeThread = async () => {
    await writeFile(join(await threadsFolder(world), 'whales.yaml'), YAML.stringify({ model: 'priced-model', messages: history }));
  };
  const exact = (messages: Message[]) => encodeChat(messages, 'gpt-4o').length;
  const counted = () => Number(/^input tokens: (\d+) /m.exec(world.out())![1]);

  it('--dry-run counts the thread an item continues, and the earlier items of that thread before a later one', async () => {
    await world.renew({ config: PRICED, flags: { model: 'priced-model' } });
    await writeThread();
    await write(
      'p.jsonl',
      '{"prompt": "And their size?", "thread": "whales", "max_tokens": 50}\n{"prompt": "And their food?", "thread": "whales", "max_tokens": 50}\n',
    );
    await batch('p.jsonl', { dryRun: true });
    const first = [...history, { role: 'user' as const, content: 'And their size?' }];
    // The second follows the first's question and its reply, unknown yet: counted at its max_tokens.
    const second = [...first, { role: 'assistant' as const, content: '' }, { role: 'user' as const, content: 'And their food?' }];
    expect(counted()).toBe(exact(first) + exact(second) + 50);
    expect(world.out()).toMatch(/^input tokens: \d+ \(exact, with thread history as sent; replies to earlier items of a thread at their max_tokens\)$/m);
    expect(world.client.requests).toHaveLength(0);
  });

  it('--max-cost stops before an item whose thread makes it cost more than the budget', async () => {
    await world.renew({ config: PRICED, flags: { model: 'priced-model' } });
    await writeThread();
    // The prompt alone is about 10 tokens ($0.00001); with its thread, over 200 ($0.0002).
    expect(exact(history)).toBeGreaterThan(200);
    await write('p.jsonl', '{"prompt": "And their size?", "thread": "whales"}\n');
    await expect(batch('p.jsonl', { maxCost: 0.0001 })).rejects.toMatchObject({ exitCode: ExitCode.budget });
    expect(world.client.requests).toHaveLength(0);
    await batch('p.jsonl', { maxCost: 0.001 });
    expect(world.client.requests).toHaveLength(1);
  });
});
