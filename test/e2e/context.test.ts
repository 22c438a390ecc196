import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeChat } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

const WINDOW = 600;
const MAX_TOKENS = 100;
type Message = { role: 'system' | 'user' | 'assistant'; content: string };

async function setUp(turns: number, header = '') {
  await mkdir(join(sandbox.configHome, 'gpt'), { recursive: true });
  await writeFile(join(sandbox.configHome, 'gpt', 'config.yaml'), `models:\n  small-model:\n    context_window: ${WINDOW}\n`, { mode: 0o600 });
  const messages: Message[] = [];
  for (let i = 1; i <= turns; i++) {
    messages.push({ role: 'user', content: `Question ${i}: tell me about whales, number ${i}.` });
    messages.push({ role: 'assistant', content: `Answer ${i}: ${'whales are large marine mammals. '.repeat(3)}` });
  }
  await mkdir(sandbox.threadsDir, { recursive: true });
  const file = join(sandbox.threadsDir, 'long.yaml');
  await writeFile(file, `${header}model: small-model\nsystem: Be brief.\nmessages:\n${YAML.stringify(messages).replace(/^/gm, '  ')}`, { mode: 0o600 });
  return { file, messages };
}
const tokens = (messages: Message[]) => encodeChat(messages, 'gpt-4o').length;

describe('long threads', () => {
  it('sends the system prompt and the most recent whole turns that fit, says how many were left out, and keeps the file whole', async () => {
    const { file, messages } = await setUp(20);
    const r = await runGpt(sandbox, ['ask', '--thread', 'long', '--max-tokens', String(MAX_TOKENS), 'And now?']);
    expect(r.exitCode).toBe(0);
    const sent = server.chatRequests()[0]!.body.messages as Message[];
    expect(sent[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(sent.at(-1)).toEqual({ role: 'user', content: 'And now?' });
    const history = sent.slice(1, -1);
    expect(history.length % 2).toBe(0);
    expect(history).toEqual(messages.slice(messages.length - history.length)); // whole, most recent turns
    const left = (messages.length - history.length) / 2;
    expect(left).toBeGreaterThan(0);
    const budget = WINDOW - MAX_TOKENS;
    expect(tokens(sent)).toBeLessThanOrEqual(budget);
    const oneMore = [sent[0]!, ...messages.slice(messages.length - history.length - 2), sent.at(-1)!];
    expect(tokens(oneMore)).toBeGreaterThan(budget); // no room for one more turn
    expect(r.stderr).toContain(
      `gpt: ${left} earlier turns left out to fit small-model's context window of ${WINDOW} tokens, keeping ${MAX_TOKENS} for the reply`,
    );
    const kept = YAML.parse(await readFile(file, 'utf8'));
    expect(kept.messages).toHaveLength(messages.length + 2);
  });

  it("marks a reply to a trimmed request, so its smaller usage is not taken for the thread's size next turn", async () => {
    const { file } = await setUp(20);
    const args = ['ask', '--thread', 'long', '--max-tokens', String(MAX_TOKENS)];
    expect((await runGpt(sandbox, [...args, 'And now?'])).exitCode).toBe(0);
    const first = server.chatRequests()[0]!.body.messages as Message[];
    const stored = YAML.parse(await readFile(file, 'utf8')).messages;
    expect(stored.at(-1).omitted_turns).toBe((40 - (first.length - 2)) / 2);
    const r = await runGpt(sandbox, [...args, 'And then?']);
    expect(r.exitCode).toBe(0);
    const second = server.chatRequests()[1]!.body.messages as Message[];
    expect(tokens(second)).toBeLessThanOrEqual(WINDOW - MAX_TOKENS); // trimmed again, not sent whole
    expect(r.stderr).toContain('earlier turns left out');
  });

  it("takes a thread's size from its last usage: sends everything when that shows it fits, though its bytes do not", async () => {
    const { file, messages } = await setUp(20);
    // The server's count says the thread is small: only the usage can tell, the bytes are too many.
    const text = (await readFile(file, 'utf8')).trimEnd();
    await writeFile(file, `${text}\n    model: small-model\n    usage: {prompt_tokens: 10, completion_tokens: 10, total_tokens: 20}\n`);
    const r = await runGpt(sandbox, ['ask', '--thread', 'long', '--max-tokens', String(MAX_TOKENS), 'And now?']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(server.chatRequests()[0]!.body.messages).toHaveLength(1 + messages.length + 1);
  });

  it('sends everything, without a word, when it fits', async () => {
    await setUp(2);
    const r = await runGpt(sandbox, ['ask', '--thread', 'long', 'And now?']);
    expect(r.stderr).toBe('');
    expect(server.chatRequests()[0]!.body.messages).toHaveLength(1 + 4 + 1);
  });

  it('--context fail refuses with exit 4 before sending', async () => {
    await setUp(20);
    const r = await runGpt(sandbox, ['ask', '--thread', 'long', '--context', 'fail', 'And now?']);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(
      /^gpt: the thread does not fit small-model's context window of 600 tokens, keeping 150 for the reply: \d+ earlier turns would have to be left out — /,
    );
    expect(server.chatRequests()).toHaveLength(0);
  });

  it('--context all sends everything', async () => {
    await setUp(20);
    const r = await runGpt(sandbox, ['ask', '--thread', 'long', '--context', 'all', 'And now?']);
    expect(r.exitCode).toBe(0);
    expect(server.chatRequests()[0]!.body.messages).toHaveLength(1 + 40 + 1);
  });

  it('a thread file says its own policy, and the flag wins over it', async () => {
    await setUp(20, 'context: all\n');
    await runGpt(sandbox, ['ask', '--thread', 'long', 'And now?']);
    expect(server.chatRequests()[0]!.body.messages).toHaveLength(1 + 40 + 1);
    const r = await runGpt(sandbox, ['ask', '--thread', 'long', '--context', 'fail', 'And now?']);
    expect(r.exitCode).toBe(4);
  });

  it('refuses a bad policy in the flag (exit 2) and in the file (exit 6)', async () => {
    await setUp(1, 'context: some\n');
    expect((await runGpt(sandbox, ['ask', '--thread', 'long', '--context', 'some', 'x'])).exitCode).toBe(2);
    const r = await runGpt(sandbox, ['ask', '--thread', 'long', 'x']);
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toContain('`context` must be trim, fail, all');
  });

  it('refuses with exit 4 when even the new message does not fit', async () => {
    await setUp(1);
    const r = await runGpt(sandbox, ['ask', '--thread', 'long', 'whale '.repeat(600)]);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/the system prompt and the new message alone need \d+ tokens/);
    expect(server.chatRequests()).toHaveLength(0);
  });

  it('gpt chat trims the thread it resumes the same way', async () => {
    await setUp(20);
    const r = await runGpt(sandbox, ['chat', '--thread', 'long', '--max-tokens', String(MAX_TOKENS)], { input: 'And now?\n' });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/earlier turns left out to fit small-model's context window/);
    const sent = server.chatRequests()[0]!.body.messages as Message[];
    expect(tokens(sent)).toBeLessThanOrEqual(WINDOW - MAX_TOKENS);
  });
});
