// `--dry-run --json` (README "Costs"): one JSON object for scripts, in-process, nothing sent.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeChat } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { runAsk, type AskOptions } from '../../src/commands/ask.js';
import { runBatch } from '../../src/commands/batch.js';
import type { BatchOptions } from '../../src/commands/batch-options.js';
import { ExitCode, type GptError } from '../../src/core/errors.js';
import { pdf, png } from '../support/attachment-files.js';
import { eachTestWorld, type FakeWorldOptions } from '../support/fake-deps.js';

// $1 per million input tokens, $4 output.
const PRICED: FakeWorldOptions = { config: { models: { 'priced-model': { input_price: 1, output_price: 4 } } }, flags: { model: 'priced-model' } };

const world = eachTestWorld(PRICED);

const put = async (name: string, bytes: Buffer | string) => {
  await mkdir(join(world.home, name, '..'), { recursive: true });
  await writeFile(join(world.home, name), bytes);
  return Buffer.from(bytes);
};
const ask = (args: string[], more: Partial<AskOptions> = {}) =>
  runAsk({ args, continueLatest: false, json: true, stream: true, dryRun: true, ...more }, world.deps);
const batch = (file: string, more: Partial<BatchOptions> = {}) =>
  runBatch({ file, resume: false, dryRun: true, json: true, remote: false, wait: true, ...more }, world.deps);
type Message = { role: 'system' | 'user' | 'assistant'; content: string };
/** The chat's tokens, counted by the tokenizer library itself. */
const exact = (messages: Message[]) => encodeChat(messages, 'gpt-4o').length;
const usd = (tokens: number, replyTokens = 0) => Math.round(((tokens * 1 + replyTokens * 4) / 1e6) * 1e9) / 1e9;
/** stdout is one JSON object on one line. */
const printed = () => {
  expect(world.out()).toMatch(/^\{[^\n]*\}\n$/);
  return JSON.parse(world.out());
};

describe('gpt ask --dry-run --json', () => {
  it('prints the counts, the costs and each message with its files and attachments', async () => {
    await put('notes.md', 'hello\n');
    const shot = await put('shot.png', png(1024, 1024));
    const doc = await put('r.pdf', pdf('x'));
    await ask(['q'], { files: ['notes.md'], attach: ['shot.png', 'r.pdf', 'https://example.com/c.gif'], detail: 'low' });
    const question = 'notes.md\n```\nhello\n```\n\nq';
    const text = exact([{ role: 'user', content: question }]);
    expect(printed()).toEqual({
      model: 'priced-model',
      encoding: 'o200k_base',
      input_tokens: text + 85,
      image_tokens: 85,
      input_cost: usd(text + 85),
      max_tokens: null,
      max_cost: null,
      within_budget: null,
      messages: [
        {
          role: 'user',
          bytes: Buffer.byteLength(question),
          files: [{ path: 'notes.md', bytes: 6 }],
          attachments: [
            { path: 'shot.png', mime: 'image/png', bytes: shot.length, detail: 'low', tokens: 85 },
            { path: 'r.pdf', mime: 'application/pdf', bytes: doc.length, tokens: null },
            { url: 'https://example.com/c.gif', mime: 'image/gif', bytes: null, detail: 'low', tokens: null },
          ],
        },
      ],
    });
    expect(world.client.requests).toHaveLength(0);
  });

  it('bounds the cost by --max-tokens, and lists the system prompt; null costs without a price', async () => {
    await world.renew({ flags: { model: 'priced-model', system: 'Be brief.', maxTokens: 100 } });
    await ask(['Name a whale']);
    const messages: Message[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Name a whale' },
    ];
    expect(printed()).toEqual({
      model: 'priced-model',
      encoding: 'o200k_base',
      input_tokens: exact(messages),
      image_tokens: 0,
      input_cost: usd(exact(messages)),
      max_tokens: 100,
      max_cost: usd(exact(messages), 100),
      within_budget: null,
      messages: [
        { role: 'system', bytes: 9 },
        { role: 'user', bytes: 12 },
      ],
    });

    await world.renew({ config: {}, flags: { model: 'unpriced-model' } });
    await ask(['Name a whale']);
    expect(printed()).toMatchObject({ model: 'unpriced-model', input_cost: null, max_tokens: null, max_cost: null });
  });
});

describe('gpt ask --dry-run --max-cost', () => {
  const refused = async (run: Promise<void>) => {
    const error = await run.then(
      () => undefined,
      (e: GptError) => e,
    );
    expect(error?.exitCode).toBeDefined();
    return error!;
  };

  it('says the budget holds: within_budget true, and a line in the text form; exit 0', async () => {
    await ask(['hello world'], { maxCost: 1 });
    expect(printed()).toMatchObject({ within_budget: true });
    const mark = world.out().length;
    await ask(['hello world'], { maxCost: 1, json: false });
    expect(world.out().slice(mark)).toMatch(/\nbudget: the input is within --max-cost \$1\.00\n$/);
    expect(world.client.requests).toHaveLength(0);
  });

  it('exits 10 as the real run would, after the estimate: the text form, then --json as one object with the error', async () => {
    const text = await refused(ask(['hello world'], { maxCost: 0.000001, json: false }));
    expect(text.exitCode).toBe(ExitCode.budget);
    expect(text.message).toMatch(/^the input alone \(\d+ tokens\) would cost \$0\.0000\d+, more than --max-cost \$0\.000001$/);
    expect(world.out()).toMatch(
      /^model: priced-model\n[\s\S]*estimated cost: [^\n]+\nbudget: the input alone is over --max-cost \$0\.000001, so gpt ask would refuse it \(exit 10\)\n$/,
    );

    const mark = world.out().length;
    const json = await refused(ask(['hello world'], { maxCost: 0.000001 }));
    expect(json.exitCode).toBe(ExitCode.budget);
    expect(world.out().slice(mark)).toBe(''); // the error's object carries the estimate (reportError prints it)
    expect(json.output).toMatchObject({ model: 'priced-model', within_budget: false, max_cost: null });
    expect(world.client.requests).toHaveLength(0);
  });

  it('exits 2 as the real run would when the model has no price; within_budget null', async () => {
    await world.renew({ config: {}, flags: { model: 'nopriced' } });
    const text = await refused(ask(['hi'], { maxCost: 1, json: false }));
    expect(text.exitCode).toBe(ExitCode.usage);
    expect(text.message).toBe('--max-cost needs a price, and nopriced has none on this endpoint');
    expect(world.out()).toMatch(/\nbudget: --max-cost \$1\.00 cannot be checked without a price, so gpt ask would refuse it \(exit 2\)\n$/);
    const mark = world.out().length;
    const json = await refused(ask(['hi'], { maxCost: 1 }));
    expect(json.exitCode).toBe(ExitCode.usage);
    expect(world.out().slice(mark)).toBe('');
    expect(json.output).toMatchObject({ model: 'nopriced', input_cost: null, within_budget: null });
  });
});

describe('gpt batch --dry-run --json', () => {
  it("prints the totals, the files and attachments, and each item's counts", async () => {
    await put('job/a.txt', 'text\n');
    const shot = await put('job/shot.png', png(1024, 1024));
    await put(
      'job/p.jsonl',
      [
        { id: 'one', prompt: 'First?', max_tokens: 50 },
        { id: 'two', prompt: 'Second?', files: ['a.txt'], attachments: ['shot.png'], detail: 'low' },
      ]
        .map((item) => JSON.stringify(item))
        .join('\n'),
    );
    await batch('job/p.jsonl');
    const one = exact([{ role: 'user', content: 'First?' }]);
    const two = exact([{ role: 'user', content: 'a.txt\n```\ntext\n```\n\nSecond?' }]) + 85;
    expect(printed()).toEqual({
      items: 2,
      already_done: 0,
      input_tokens: one + two,
      image_tokens: 85,
      input_cost: usd(one + two),
      max_cost: null, // item two has no max_tokens
      batches: null,
      within_budget: null, // no --max-cost
      refused: 0,
      files: { count: 1, bytes: 5 },
      attachments: { count: 1, images: 1, pdfs: 0, urls: 0, bytes: shot.length },
      per_item: [
        {
          id: 'one',
          line: 1,
          model: 'priced-model',
          input_tokens: one,
          image_tokens: 0,
          input_cost: usd(one),
          max_tokens: 50,
          max_cost: usd(one, 50),
          omitted_turns: 0,
          refused: null,
        },
        {
          id: 'two',
          line: 2,
          model: 'priced-model',
          input_tokens: two,
          image_tokens: 85,
          input_cost: usd(two),
          max_tokens: null,
          max_cost: null,
          omitted_turns: 0,
          refused: null,
        },
      ],
    });
    expect(world.client.requests).toHaveLength(0);
  });

  it('--json without --dry-run is refused: results are JSON Lines already', async () => {
    await put('p.jsonl', '{"prompt": "x"}\n');
    const error = await batch('p.jsonl', { dryRun: false }).then(
      () => undefined,
      (e: GptError) => e,
    );
    expect(error).toMatchObject({ exitCode: ExitCode.usage, message: '--json applies to --dry-run' });
    expect(world.client.requests).toHaveLength(0);
  });
});
