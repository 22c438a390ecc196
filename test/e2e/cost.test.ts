import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

/** $1 per million input tokens, $0.50 cached, $4 output: easy sums. */
const PRICED = 'models:\n  priced-model:\n    input_price: 1\n    cached_input_price: 0.5\n    output_price: 4\n';
async function writeConfig(text: string) {
  await mkdir(join(sandbox.configHome, 'gpt'), { recursive: true });
  await writeFile(join(sandbox.configHome, 'gpt', 'config.yaml'), text, { mode: 0o600 });
}
const usage = {
  prompt_tokens: 1000,
  completion_tokens: 500,
  total_tokens: 1500,
  prompt_tokens_details: { cached_tokens: 400 },
  completion_tokens_details: { reasoning_tokens: 200 },
};
// 600 × $1 + 400 × $0.50 + 500 × $4 (reasoning included), per million.
const COST = (600 + 200 + 2000) / 1e6;

describe('cost', () => {
  it('ask --json carries the cost from the config prices, cached input at its own rate, reasoning as output', async () => {
    await writeConfig(PRICED);
    server.enqueue({ kind: 'reply', usage });
    const r = await runGpt(sandbox, ['ask', '--json', '-m', 'priced-model', 'hi']);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.cost).toBeCloseTo(COST, 12);
    expect(out.usage).toMatchObject({ cached_tokens: 400, reasoning_tokens: 200 });
  });

  it('ask --json says null, never a guess, for a model with no price on a server that is not OpenAI', async () => {
    server.enqueue({ kind: 'reply', usage });
    const r = await runGpt(sandbox, ['ask', '--json', '-m', 'gpt-4o-mini', 'hi']);
    expect(JSON.parse(r.stdout).cost).toBeNull();
  });

  it('keeps the cost in each assistant message of the thread file', async () => {
    await writeConfig(PRICED);
    server.enqueue({ kind: 'reply', usage }, { kind: 'reply', usage });
    await runGpt(sandbox, ['ask', '--thread', 'spend', '-m', 'priced-model', 'one']);
    await runGpt(sandbox, ['ask', '--thread', 'spend', 'two']);
    const thread = YAML.parse(await readFile(join(sandbox.threadsDir, 'spend.yaml'), 'utf8'));
    const costs = thread.messages.filter((m: { role: string }) => m.role === 'assistant').map((m: { cost: number }) => m.cost);
    expect(costs).toHaveLength(2);
    for (const cost of costs) expect(cost).toBeCloseTo(COST, 12);
    expect(thread.messages.filter((m: { role: string }) => m.role === 'user').every((m: object) => !('cost' in m))).toBe(true);
  });

  it('-u prints the tokens and the cost on stderr after the reply; stdout has only the reply', async () => {
    await writeConfig(PRICED);
    server.enqueue({ kind: 'reply', usage, text: 'the answer' });
    const r = await runGpt(sandbox, ['ask', '-u', '-m', 'priced-model', 'hi']);
    expect(r.stdout).toBe('the answer\n');
    expect(r.stderr).toBe('gpt: usage: 1000 input (400 cached) + 500 output (200 reasoning) = 1500 tokens, $0.0028\n');
  });

  it('-u says so when the server sent no usage, and when the price is unknown', async () => {
    server.enqueue({ kind: 'reply', usage: null }, { kind: 'reply', usage });
    expect((await runGpt(sandbox, ['ask', '--usage', 'hi'])).stderr).toBe('gpt: usage: the server sent no token counts\n');
    expect((await runGpt(sandbox, ['ask', '-u', 'hi'])).stderr).toMatch(/= 1500 tokens, cost unknown\n$/);
  });

  it('batch result lines carry each cost and the summary the total', async () => {
    await writeConfig(PRICED);
    server.setDefault({ kind: 'reply', usage });
    await writeFile(join(sandbox.home, 'in.jsonl'), '{"id":"a","prompt":"x"}\n{"id":"b","prompt":"y"}\n');
    const r = await runGpt(sandbox, ['batch', 'in.jsonl', '-m', 'priced-model']);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    for (const line of lines) expect(line.cost).toBeCloseTo(COST, 12);
    expect(r.stderr).toMatch(/^gpt: 2 items: 2 done, 0 failed, 3,000 tokens, \$0\.0056, \d+\.\ds\n$/);
  });

  it('batch --remote prices at the Batch API discount (half)', async () => {
    await writeConfig(PRICED);
    await writeFile(join(sandbox.home, 'in.jsonl'), '{"id":"a","prompt":"x"}\n');
    const r = await runGpt(sandbox, ['batch', 'in.jsonl', '--remote', '--poll-interval', '0.05', '-m', 'priced-model']);
    expect(r.exitCode).toBe(0);
    const line = JSON.parse(r.stdout);
    expect(line.cost).toBeCloseTo((line.usage.prompt_tokens * 1 + line.usage.completion_tokens * 4) / 1e6 / 2, 12);
  });

  it('a config models: entry with a bad price is refused, naming the file', async () => {
    await writeConfig('models:\n  m:\n    input_price: lots\n');
    const r = await runGpt(sandbox, ['ask', 'hi']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/input_price/);
  });
});

describe('ask --dry-run and --max-cost', () => {
  const PROMPT = 'What is the biggest animal in the world?';
  // The tokenizer's own chat encoding of what would be sent: the exact count.
  const exact = async () => (await import('gpt-tokenizer/encoding/o200k_base')).encodeChat([{ role: 'user', content: PROMPT }], 'gpt-4o').length;

  it('--dry-run counts the input exactly, prices it with the reply bounded by --max-tokens, and sends nothing', async () => {
    await writeConfig(PRICED);
    const r = await runGpt(sandbox, ['ask', '--dry-run', '-m', 'priced-model', '--max-tokens', '1000', PROMPT]);
    expect(r.exitCode).toBe(0);
    const n = await exact();
    expect(r.stdout).toBe(
      `model: priced-model\nmessages:\n  user: ${PROMPT.length} B\ninput tokens: ${n} (exact, o200k_base)\n` +
        `estimated cost: $${(n / 1e6).toFixed(6).replace(/0+$/, '')} for the input, at most $${((n + 4000) / 1e6).toFixed(6).replace(/0+$/, '')} with a reply of up to 1000 tokens (--max-tokens)\n`,
    );
    expect(server.chatRequests()).toHaveLength(0);
  });

  it('--dry-run on the OpenAI API prices from the built-in table, without a key and without the network', async () => {
    const r = await runGpt(sandbox, ['ask', '--dry-run', '-m', 'gpt-4o-mini', '--base-url', 'https://api.openai.com/v1', PROMPT], {
      env: { OPENAI_API_KEY: undefined },
    });
    expect(r.exitCode).toBe(0);
    const n = await exact();
    // gpt-4o-mini: $0.15 per million input tokens.
    expect(r.stdout).toContain(
      `estimated cost: $${((n * 0.15) / 1e6).toFixed(6).replace(/0+$/, '')} for the input; the reply is not bounded (no --max-tokens)`,
    );
  });

  it('--dry-run says the cost is unknown for a model without a price', async () => {
    const r = await runGpt(sandbox, ['ask', '--dry-run', '-m', 'llama3.2', PROMPT]);
    expect(r.stdout).toMatch(/^estimated cost: unknown/m);
  });

  it('--max-cost refuses a request whose input alone costs more (exit 10), before sending', async () => {
    await writeConfig(PRICED);
    const r = await runGpt(sandbox, ['ask', '--max-cost', '0.000001', '-m', 'priced-model', PROMPT]);
    expect(r.exitCode).toBe(10);
    expect(r.stderr).toMatch(/^gpt: the input alone \(\d+ tokens\) would cost \$0\.00001\d*, more than --max-cost \$0\.000001 — /);
    expect(server.chatRequests()).toHaveLength(0);
    expect((await runGpt(sandbox, ['ask', '--max-cost', '0.01', '-m', 'priced-model', PROMPT])).exitCode).toBe(0);
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('--max-cost refuses a model whose price is unknown (exit 2)', async () => {
    const r = await runGpt(sandbox, ['ask', '--max-cost', '1', '-m', 'llama3.2', PROMPT]);
    expect(r.exitCode).toBe(2);
    expect(server.chatRequests()).toHaveLength(0);
  });
});

describe('batch --max-cost', () => {
  // Each item: ~10 input tokens at $1 per million, and 500 output tokens at $4: about $0.002.
  const items = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ id: `i${i}`, prompt: `question ${i}` })).join('\n');

  it('stops sending once spent + in flight would pass the budget, writes what finished, exits 10; --resume goes on', async () => {
    await writeConfig(PRICED);
    server.setDefault({ kind: 'reply', usage: { prompt_tokens: 10, completion_tokens: 500, total_tokens: 510 } });
    await writeFile(join(sandbox.home, 'in.jsonl'), `${items(10)}\n`);
    const r = await runGpt(sandbox, ['batch', 'in.jsonl', '-o', 'out.jsonl', '-j', '1', '--max-tokens', '500', '--max-cost', '0.007', '-m', 'priced-model']);
    expect(r.exitCode).toBe(10);
    const done = (await readFile(join(sandbox.home, 'out.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(done.map((d) => d.id)).toEqual(['i0', 'i1', 'i2']); // 3 × ~$0.00201 fit in $0.007; a 4th could pass it
    expect(server.chatRequests()).toHaveLength(3);
    expect(r.stderr).toMatch(
      /gpt: stopped at --max-cost \$0\.007: \$0\.00603 spent, and the next item \(estimated at \$0\.00201\) would pass it — what finished is written; gpt batch in\.jsonl -o out\.jsonl --resume sends the rest/,
    );

    const again = await runGpt(sandbox, [
      'batch',
      'in.jsonl',
      '-o',
      'out.jsonl',
      '--resume',
      '-j',
      '1',
      '--max-tokens',
      '500',
      '--max-cost',
      '1',
      '-m',
      'priced-model',
    ]);
    expect(again.exitCode).toBe(0);
    const all = (await readFile(join(sandbox.home, 'out.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).id);
    expect(all).toEqual(Array.from({ length: 10 }, (_, i) => `i${i}`));
  });

  it('refuses a model without a price (exit 2) before sending anything', async () => {
    await writeFile(join(sandbox.home, 'in.jsonl'), `${items(2)}\n`);
    const r = await runGpt(sandbox, ['batch', 'in.jsonl', '--max-cost', '1', '-m', 'llama3.2']);
    expect(r.exitCode).toBe(2);
    expect(server.chatRequests()).toHaveLength(0);
  });

  it('--remote refuses to submit a batch whose estimate passes the budget', async () => {
    await writeConfig(PRICED);
    await writeFile(join(sandbox.home, 'in.jsonl'), `${items(10)}\n`);
    const before = server.batches().length;
    const r = await runGpt(sandbox, ['batch', 'in.jsonl', '--remote', '--max-tokens', '500', '--max-cost', '0.005', '-m', 'priced-model']);
    expect(r.exitCode).toBe(10);
    expect(r.stderr).toMatch(/the batch is estimated at \$0\.01\d*, more than --max-cost \$0\.005/); // half of 10 × ~$0.002
    expect(server.batches()).toHaveLength(before);
  });
});

describe('batch --dry-run', () => {
  it('prices the exact input, and the replies at max_tokens when every item has one, saying so', async () => {
    await writeConfig(PRICED);
    await writeFile(join(sandbox.home, 'in.jsonl'), '{"id":"a","prompt":"x"}\n{"id":"b","prompt":"y","max_tokens":100}\n');
    const { encodeChat } = await import('gpt-tokenizer/encoding/o200k_base');
    const n = encodeChat([{ role: 'user', content: 'x' }], 'gpt-4o').length * 2;
    const usd = (x: number) => `$${x.toFixed(6).replace(/0+$/, '')}`;
    const r = await runGpt(sandbox, ['batch', 'in.jsonl', '--dry-run', '-m', 'priced-model']);
    expect(r.stdout).toContain(`input tokens: ${n} (exact)\nestimated cost: ${usd(n / 1e6)} for the input; the replies are not bounded`);
    const bounded = await runGpt(sandbox, ['batch', 'in.jsonl', '--dry-run', '-m', 'priced-model', '--max-tokens', '50']);
    // Item b's own max_tokens (100) wins over the flag's 50.
    expect(bounded.stdout).toContain(`estimated cost: ${usd(n / 1e6)} for the input, at most ${usd((n + 4 * 150) / 1e6)} with replies of up to max_tokens`);
    const remote = await runGpt(sandbox, ['batch', 'in.jsonl', '--dry-run', '--remote', '-m', 'priced-model', '--max-tokens', '50']);
    expect(remote.stdout).toContain(`estimated cost: ${usd(n / 2e6)} for the input at the Batch API's rate, at most ${usd((n + 4 * 150) / 2e6)}`);
    expect(server.chatRequests()).toHaveLength(0);
  });
});
