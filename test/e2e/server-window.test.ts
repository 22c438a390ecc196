// The context window learned from a server's "too long" error (README "Long threads"): the fake
// server refuses a request over a scripted window in OpenAI's words and in llama.cpp's.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeChat } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

const WINDOW = 600;
type Message = { role: 'system' | 'user' | 'assistant'; content: string };

/** A thread of `turns` turns for small-model, whose window gpt does not know: a local server, no context_window in the config. */
async function setUp(turns: number) {
  const messages: Message[] = [];
  for (let i = 1; i <= turns; i++) {
    messages.push({ role: 'user', content: `Question ${i}: tell me about whales, number ${i}.` });
    messages.push({ role: 'assistant', content: `Answer ${i}: ${'whales are large marine mammals. '.repeat(3)}` });
  }
  await mkdir(sandbox.threadsDir, { recursive: true });
  const file = join(sandbox.threadsDir, 'long.yaml');
  await writeFile(file, `model: small-model\nsystem: Be brief.\nmessages:\n${YAML.stringify(messages).replace(/^/gm, '  ')}`, { mode: 0o600 });
  return { file, messages };
}
const tokens = (messages: Message[]) => encodeChat(messages, 'gpt-4o').length;
const sent = (i: number) => server.chatRequests()[i]!.body.messages as Message[];
const cacheFile = () => join(sandbox.cacheHome, 'gpt', 'context-windows.json');

describe('the context window a server names in its error', () => {
  it('OpenAI: learns the window, sends the thread again trimmed to it once, and fits the next run before sending', async () => {
    const { file, messages } = await setUp(20);
    server.setApiRules({ contextWindow: { tokens: WINDOW, style: 'openai' } });
    const args = ['ask', '--thread', 'long', '--max-tokens', '100'];
    const r = await runGpt(sandbox, [...args, 'And now?']);
    expect(r.exitCode).toBe(0);
    expect(server.chatRequests()).toHaveLength(2);
    expect(sent(0)).toHaveLength(1 + 40 + 1); // gpt did not know the window: everything went
    const trimmed = sent(1);
    expect(trimmed.slice(1, -1)).toEqual(messages.slice(messages.length - (trimmed.length - 2))); // whole, most recent turns
    expect(tokens(trimmed) + 100).toBeLessThanOrEqual(WINDOW);
    const left = (40 - (trimmed.length - 2)) / 2;
    expect(r.stderr).toBe(
      `gpt: the server refused the thread as longer than small-model's context window of ${WINDOW} tokens (as the server said), ` +
        `keeping 100 for the reply: sending it again with ${left} earlier turns left out (the window is remembered)\n`,
    );
    expect(r.stdout).toBe('echo: And now?\n');
    expect(YAML.parse(await readFile(file, 'utf8')).messages.at(-1).omitted_turns).toBe(left);

    // Remembered per endpoint and model, in a private file.
    const cache = JSON.parse(await readFile(cacheFile(), 'utf8'));
    expect(cache[`${server.url} small-model`]).toMatchObject({ window: WINDOW });
    expect((await stat(cacheFile())).mode & 0o777).toBe(0o600);

    // The next run fits the thread before sending: one request.
    const next = await runGpt(sandbox, [...args, 'And then?']);
    expect(next.exitCode).toBe(0);
    expect(server.chatRequests()).toHaveLength(3);
    expect(next.stderr).toMatch(
      /^gpt: \d+ earlier turns left out to fit small-model's context window of 600 tokens \(as the server said\), keeping 100 for the reply/,
    );
  });

  it("llama.cpp: reads n_ctx, and trims by the server's own count of the prompt (n_prompt_tokens) when it counts more", async () => {
    await setUp(20);
    // The model's tokenizer counts half as much again as o200k: trimmed by our count alone, the thread would still not fit.
    server.setApiRules({ contextWindow: { tokens: WINDOW, style: 'llamacpp', scale: 1.5 } });
    const r = await runGpt(sandbox, ['chat', '--thread', 'long'], { input: 'And now?\n' });
    expect(r.exitCode).toBe(0);
    expect(server.chatRequests()).toHaveLength(2);
    expect(r.stderr).toMatch(
      /gpt: the server refused the thread as longer than small-model's context window of 600 tokens \(as the server said\), keeping 150 for the reply: sending it again with \d+ earlier turns left out/,
    );
    expect(Math.ceil(tokens(sent(1)) * 1.5)).toBeLessThan(WINDOW);
    expect(r.stdout).toBe('echo: And now?\n');
    const cache = JSON.parse(await readFile(cacheFile(), 'utf8'));
    expect(cache[`${server.url} small-model`]).toMatchObject({ window: WINDOW });
  });

  it('--context fail: exit 4 naming the window, sent once; the window is remembered', async () => {
    await setUp(20);
    server.setApiRules({ contextWindow: { tokens: WINDOW, style: 'llamacpp' } });
    const r = await runGpt(sandbox, ['ask', '--thread', 'long', '--context', 'fail', 'And now?']);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(
      /^gpt: the server refused the thread as too long for small-model's context window of 600 tokens \(as the server said\), keeping 150 for the reply: \d+ earlier turns would have to be left out \(the window is now remembered\) — use --context trim to send the recent turns that fit, or start a new thread\n$/,
    );
    expect(server.chatRequests()).toHaveLength(1);
    // Now known before sending: refused without a request.
    expect((await runGpt(sandbox, ['ask', '--thread', 'long', '--context', 'fail', 'And now?'])).exitCode).toBe(4);
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('--context all: the server refuses, and gpt says the window it named (exit 4), sending once', async () => {
    await setUp(20);
    server.setApiRules({ contextWindow: { tokens: WINDOW, style: 'openai' } });
    const r = await runGpt(sandbox, ['ask', '--thread', 'long', '--context', 'all', 'And now?']);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toBe(
      "gpt: the API rejected the request (400): This model's maximum context length is 600 tokens. However, your messages resulted in " +
        `${tokens(sent(0))} tokens. Please reduce the length of the messages. — the model's window on this server is 600 tokens (now remembered): use --context trim to send the recent turns that fit, or start a new thread\n`,
    );
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('a lone prompt too long is refused by the server (exit 4); its window is remembered for threads', async () => {
    server.setApiRules({ contextWindow: { tokens: WINDOW, style: 'llamacpp' } });
    const r = await runGpt(sandbox, ['ask', '-m', 'small-model', 'whale '.repeat(700)]);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(
      /^gpt: the API rejected the request \(400\): request \(\d+ tokens\) exceeds the available context size \(600 tokens\), try increasing it — the model's window on this server is 600 tokens/,
    );
    expect(JSON.parse(await readFile(cacheFile(), 'utf8'))[`${server.url} small-model`]).toMatchObject({ window: WINDOW });
  });
});
