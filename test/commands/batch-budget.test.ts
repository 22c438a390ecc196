// gpt batch --max-cost and the dry run's budget and thread counts (runBatch in-process, fake client).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { encodeChat } from 'gpt-tokenizer/encoding/o200k_base';
import { runBatch } from '../../src/commands/batch.js';
import type { BatchOptions } from '../../src/commands/batch-options.js';
import { ExitCode } from '../../src/core/errors.js';
import { eachTestWorld, failure, threadsFolder } from '../support/fake-deps.js';

const world = eachTestWorld();

const write = (name: string, text: string) => writeFile(join(world.home, name), text);
const batch = (file: string, more: Partial<BatchOptions> = {}) =>
  runBatch({ file, resume: false, dryRun: false, remote: false, wait: true, ...more }, world.deps);
const items = (n: number, extra: object = {}) =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ id: `i${i}`, prompt: 'How big is a blue whale?', ...extra })).join('\n');
// $1 per million input tokens, $4 output; m2 has no price.
const PRICED = { models: { m: { input_price: 1, output_price: 4 } } };

describe('gpt batch: a refused run leaves -o FILE as it was', () => {
  it('--max-cost with an unpriced model: exit 2 before the results file is touched, and no run summary', async () => {
    const old = `${items(10)
      .split('\n')
      .map((l) => JSON.stringify({ id: JSON.parse(l).id, reply: 'ok', cost: 0 }))
      .join('\n')}\n`;
    await world.renew({ config: PRICED, flags: { model: 'm2' } });
    await write('in.jsonl', items(10));
    await write('out.jsonl', old);
    const refused = await failure(batch('in.jsonl', { output: 'out.jsonl', maxCost: 1 }));
    expect(refused).toMatchObject({ exitCode: ExitCode.usage, message: expect.stringContaining('--max-cost needs a price, and m2 has none') });
    expect(await readFile(join(world.home, 'out.jsonl'), 'utf8')).toBe(old);
    expect(world.stderr()).not.toContain('no result yet');
    expect(world.client.requests).toHaveLength(0);
    // The dry run refuses it the same way.
    expect(await failure(batch('in.jsonl', { dryRun: true, maxCost: 1 }))).toMatchObject({ exitCode: ExitCode.usage });
  });

  it('a bad --schema file: refused before the results file is touched', async () => {
    await world.renew({});
    await write('in.jsonl', items(2));
    await write('out.jsonl', 'kept\n');
    const error = await failure(batch('in.jsonl', { output: 'out.jsonl', shape: { schema: 'missing.json' } } as Partial<BatchOptions>));
    expect(error).toBeDefined();
    expect(await readFile(join(world.home, 'out.jsonl'), 'utf8')).toBe('kept\n');
  });

  it('says "1 item already in" when resuming after one', async () => {
    await world.renew({});
    await write('in.jsonl', items(2));
    await write('out.jsonl', `${JSON.stringify({ id: 'i0', reply: 'ok' })}\n`);
    await batch('in.jsonl', { output: 'out.jsonl', resume: true });
    expect(world.stderr()).toContain('gpt: resuming: 1 item already in out.jsonl');
  });
});

describe('gpt batch --max-cost: sends while the budget has room', () => {
  // Each item is estimated with its reply at max_tokens 10, and costs less: 10 input + 2 output tokens.
  const actual = (10 + 2 * 4) / 1e6;
  const setUp = async () => {
    await world.renew({ config: PRICED, flags: { model: 'm' } });
    await write('in.jsonl', items(10, { max_tokens: 10 }));
    world.client.fallback = () => ({ text: 'big whale', usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } });
    await batch('in.jsonl', { dryRun: true, json: true });
    const estimate = JSON.parse(world.out()).per_item[0].max_cost as number;
    await world.renew({ config: PRICED, flags: { model: 'm' } });
    await write('in.jsonl', items(10, { max_tokens: 10 }));
    world.client.fallback = () => ({ text: 'big whale', usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } });
    return estimate;
  };
  /** Items sent in order while what they cost so far and the next's estimate stay within `max`. */
  const fitting = (max: number, estimate: number) => {
    let k = 0;
    while (k < 10 && k * actual + estimate <= max) k++;
    return k;
  };

  for (const [max, concurrency] of [
    [0.00008, 1],
    [0.0002, 1],
    [0.0002, 4],
  ] as const) {
    it(`waits for the items in flight and checks what they cost (--max-cost ${max}, -j ${concurrency})`, async () => {
      const estimate = await setUp();
      expect(estimate).toBeGreaterThan(actual);
      const expected = fitting(max, estimate);
      expect(expected).toBeGreaterThan(1);
      expect(expected).toBeLessThan(10);
      const error = await failure(batch('in.jsonl', { maxCost: max, concurrency }));
      expect(error).toMatchObject({ exitCode: ExitCode.budget });
      expect(world.client.requests).toHaveLength(expected);
      // True now: what was spent and the next item's estimate pass the budget.
      const spent = Number(/: \$([\d.]+) spent/.exec(error!.message)![1]);
      expect(spent + estimate).toBeGreaterThan(max);
      expect(error!.message).toMatch(/and the next item \(estimated at \$[\d.]+\) would pass it/);
    });
  }

  it('sends everything when it all fits', async () => {
    await setUp();
    await batch('in.jsonl', { maxCost: 0.01, concurrency: 3 });
    expect(world.client.requests).toHaveLength(10);
  });
});

describe('gpt batch --dry-run --max-cost: says what the budget covers', () => {
  it('within, or how many items it covers at their bound (JSON: within_budget)', async () => {
    await world.renew({ config: PRICED, flags: { model: 'm' } });
    await write('in.jsonl', items(10, { max_tokens: 10 }));
    await batch('in.jsonl', { dryRun: true, json: true });
    expect(JSON.parse(world.out()).within_budget).toBeNull();
    const estimate = JSON.parse(world.out()).per_item[0].max_cost as number;

    await world.renew({ config: PRICED, flags: { model: 'm' } });
    await write('in.jsonl', items(10, { max_tokens: 10 }));
    await batch('in.jsonl', { dryRun: true, maxCost: 1 });
    expect(world.out()).toMatch(/^budget: --max-cost \$1(\.00)? covers all 10 items \(at most \$[\d.]+\)$/m);

    await world.renew({ config: PRICED, flags: { model: 'm' } });
    await write('in.jsonl', items(10, { max_tokens: 10 }));
    await batch('in.jsonl', { dryRun: true, maxCost: estimate * 3.5 });
    expect(world.out()).toMatch(
      /^budget: the estimate \(\$[\d.]+\) passes --max-cost \$[\d.]+: it covers at least 3 of the 10 items at their max_tokens bound; the run would stop before the first that does not fit \(exit 10\)$/m,
    );

    await world.renew({ config: PRICED, flags: { model: 'm' } });
    await write('in.jsonl', items(10, { max_tokens: 10 }));
    await batch('in.jsonl', { dryRun: true, json: true, maxCost: estimate * 3.5 });
    expect(JSON.parse(world.out()).within_budget).toBe(false);
    expect(world.client.requests).toHaveLength(0);
  });
});

describe('gpt batch --dry-run: a thread counted as it would be sent', () => {
  const setUp = async () => {
    await world.renew({ config: { models: { m: { context_window: 300 } } }, flags: { model: 'm', maxTokens: 50 } });
    const long = 'whales are large marine mammals. '.repeat(45).trim();
    await writeFile(
      join(await threadsFolder(world), 'w.yaml'),
      YAML.stringify({
        model: 'm',
        messages: [
          { role: 'user', content: long },
          { role: 'assistant', content: 'ok' },
          { role: 'user', content: 'q2' },
          { role: 'assistant', content: 'ok' },
        ],
      }),
    );
    await write('p.jsonl', JSON.stringify({ prompt: 'q3', thread: 'w' }));
  };

  it('trims it to the window (the default policy) and says so', async () => {
    await setUp();
    await batch('p.jsonl', { dryRun: true });
    const sent = encodeChat(
      [
        { role: 'user', content: 'q2' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'q3' },
      ],
      'gpt-4o',
    ).length;
    expect(Number(/^input tokens: (\d+) /m.exec(world.out())![1])).toBe(sent);
    expect(world.out()).toContain("threads trimmed to the model's window: 1 item, 1 earlier turn left out");
  });

  it('with --context fail, says the item would be refused', async () => {
    await setUp();
    await batch('p.jsonl', { dryRun: true, context: 'fail' });
    expect(world.out()).toMatch(
      /^would be refused, their thread outgrowing the model's window \(--context fail\):\n {2}p\.jsonl:1 \(id 1\): the thread does not fit m's context window of 300 tokens/m,
    );
    await world.renew({ config: { models: { m: { context_window: 300 } } }, flags: { model: 'm', maxTokens: 50 } });
    await setUp();
    await batch('p.jsonl', { dryRun: true, context: 'fail', json: true });
    const json = JSON.parse(world.out());
    expect(json.refused).toBe(1);
    expect(json.per_item[0].refused).toContain('does not fit');
  });
});
