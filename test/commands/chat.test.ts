// runChat called in-process with scripted lines, as from a pipe (see test/support/fake-deps.ts).
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runAsk } from '../../src/commands/ask.js';
import { runChat, type ChatOptions } from '../../src/commands/chat.js';
import type { Deps } from '../../src/commands/deps.js';
import { ContextExceededError, ExitCode, GptError } from '../../src/core/errors.js';
import { eachTestWorld, scriptedLines, threadsFolder } from '../support/fake-deps.js';

const world = eachTestWorld();

const chat = (lines: string[], options: Partial<ChatOptions> = {}, deps: Deps = world.deps) =>
  runChat({ continueLatest: false, stream: true, ...options }, deps, scriptedLines(lines));
const histories = () => world.client.requests.map((r) => r.messages);
const threadFiles = async () => (await readdir(world.threadsDir).catch(() => [] as string[])).filter((f) => f.endsWith('.yaml')).sort();
const loadThread = async (name: string) => YAML.parse(await readFile(join(world.threadsDir, name), 'utf8'));
const contents = (messages: { content: string }[]) => messages.map((m) => m.content);

describe('gpt chat from a pipe', () => {
  it("replays the blog post's session: four requests with histories of 1, 3, 1 and 3 messages", async () => {
    await chat([
      'What is the biggest animal in the world?',
      'Please write a poem about blue whales.',
      'new',
      '世界上最大的动物是什么？',
      '请写一首关于蓝鲸的诗。',
      'quit',
    ]);
    expect(world.stderr()).toBe('');
    expect(world.out()).toBe(
      [
        'echo: What is the biggest animal in the world?',
        'echo: Please write a poem about blue whales.',
        'echo: 世界上最大的动物是什么？',
        'echo: 请写一首关于蓝鲸的诗。',
        '',
      ].join('\n'),
    );
    const sent = histories();
    expect(sent.map((m) => m.length)).toEqual([1, 3, 1, 3]);
    expect(sent[1]).toEqual([
      { role: 'user', content: 'What is the biggest animal in the world?' },
      { role: 'assistant', content: 'echo: What is the biggest animal in the world?' },
      { role: 'user', content: 'Please write a poem about blue whales.' },
    ]);
    expect(contents(sent[3]!)).toEqual(['世界上最大的动物是什么？', 'echo: 世界上最大的动物是什么？', '请写一首关于蓝鲸的诗。']);

    // Both conversations were kept under generated names; the Chinese reads as Chinese.
    const files = await threadFiles();
    expect(files).toHaveLength(2);
    expect(files.find((f) => f.includes('-what-is-the-biggest-animal'))).toBeDefined();
    const chinese = files.find((f) => !f.includes('what'))!;
    const text = await readFile(join(world.threadsDir, chinese), 'utf8');
    expect(text).toContain('content: 请写一首关于蓝鲸的诗。');
    expect(text).not.toMatch(/\\u|\\x/);
    expect((await loadThread(chinese)).messages).toHaveLength(4);
  });

  it('sends the system prompt with every conversation, also after new', async () => {
    await chat(['a', 'new', 'b'], {}, world.withFlags({ system: 'You are a helpful assistant.' }));
    expect(histories().map((h) => h.map((m) => m.role))).toEqual([
      ['system', 'user'],
      ['system', 'user'],
    ]);
  });

  it('leaves at exit, quit and the end of input alike, ignoring blank lines', async () => {
    for (const lines of [['a', '', '   ', 'exit', 'b'], ['a', 'quit', 'b'], ['a']]) {
      world.client.requests.length = 0;
      await chat(lines);
      expect(
        contents(
          histories()
            .flat()
            .filter((m) => m.role === 'user'),
        ),
      ).toEqual(['a']);
    }
  });

  it('takes the lines between two """ lines as one message', async () => {
    await chat(['one', '"""', 'first line', 'quit', '', 'last line', '"""', 'two']);
    expect(histories().map((h) => h.at(-1)!.content)).toEqual(['one', 'first line\nquit\n\nlast line', 'two']);
  });

  it('keeps the loop and the history after an API error, and fails at the end', async () => {
    const rejected = new GptError(ExitCode.apiRejected, 'the API rejected the request (400): bad things', 'check the request options');
    world.client.enqueue({}, rejected);
    await expect(chat(['q1', 'q2', 'q3'])).rejects.toMatchObject({
      exitCode: ExitCode.apiRejected,
      message: '1 of 3 turns failed',
      hint: 'see the errors above',
    });
    expect(world.stderr()).toBe('gpt: the API rejected the request (400): bad things — check the request options\n');
    expect(world.out()).toBe('echo: q1\necho: q3\n');
    // The failed question is not part of the history.
    expect(contents(histories()[2]!)).toEqual(['q1', 'echo: q1', 'q3']);
  });

  it('keeps nothing when save_conversations is off', async () => {
    await world.renew({ config: { save_conversations: false } });
    await chat(['q1', 'new', 'q2']);
    expect(await threadFiles()).toEqual([]);
  });

  it('keeps only the newest keep_conversations, as gpt ask does', async () => {
    await world.renew({ config: { keep_conversations: 2 } });
    await runAsk({ args: ['old but named'], thread: 'named', continueLatest: false, json: false, stream: true }, world.deps);
    await chat(['one', 'new', 'two', 'new', 'three']);
    const files = await threadFiles();
    expect(files).toContain('named.yaml');
    expect(
      files
        .filter((f) => f !== 'named.yaml')
        .map((f) => f.replace(/^\d{8}-\d{6}-/, ''))
        .sort(),
    ).toEqual(['three.yaml', 'two.yaml']);
  });

  it('closes its input when the session ends', async () => {
    const lines = scriptedLines(['q1']);
    await runChat({ continueLatest: false, stream: true }, world.deps, lines);
    expect(lines.closed).toBe(true);
  });
});

describe('gpt chat --thread', () => {
  it('saves each turn, then resumes the thread and says how many turns it holds', async () => {
    await chat(['q1', 'q2'], { thread: 'whales' }, world.withFlags({ model: 'whale-model' }));
    expect(world.stderr()).toBe('');
    const saved = await loadThread('whales.yaml');
    expect(saved.model).toBe('whale-model');
    expect(contents(saved.messages)).toEqual(['q1', 'echo: q1', 'q2', 'echo: q2']);

    world.client.requests.length = 0;
    await chat(['q3'], { thread: 'whales' });
    expect(world.stderr()).toBe("gpt: resuming thread 'whales' (2 turns)\n");
    const [request] = world.client.requests;
    expect(request!.model).toBe('whale-model');
    expect(request!.messages).toHaveLength(5);
    expect((await loadThread('whales.yaml')).messages).toHaveLength(6);
  });

  it('begins whales-2, then whales-3, on new, leaving whales as it was', async () => {
    await chat(['q1', 'new', 'q2', 'new', 'q3'], { thread: 'whales' });
    expect(world.stderr()).toBe(["gpt: new conversation started in thread 'whales-2'", "gpt: new conversation started in thread 'whales-3'", ''].join('\n'));
    expect(await threadFiles()).toEqual(['whales-2.yaml', 'whales-3.yaml', 'whales.yaml']);
    expect(contents((await loadThread('whales.yaml')).messages)).toEqual(['q1', 'echo: q1']);
    expect(contents((await loadThread('whales-3.yaml')).messages)).toEqual(['q3', 'echo: q3']);
    expect(histories().map((h) => h.length)).toEqual([1, 1, 1]);
  });

  it('keeps a thread given as a path, and its next conversation beside it', async () => {
    await chat(['q1', 'new', 'q2'], { thread: './notes.yaml' });
    expect(YAML.parse(await readFile(join(world.home, 'notes.yaml'), 'utf8')).messages).toHaveLength(2);
    expect(YAML.parse(await readFile(join(world.home, 'notes-2.yaml'), 'utf8')).messages).toHaveLength(2);
    expect(await threadFiles()).toEqual([]);
  });

  it('continues the latest conversation with -c', async () => {
    await runAsk({ args: ['first question'], continueLatest: false, json: false, stream: true }, world.deps);
    world.client.requests.length = 0;
    await chat(['follow up'], { continueLatest: true });
    expect(world.stderr()).toMatch(/^gpt: resuming thread '\d{8}-\d{6}-first-question' \(1 turn\)\n$/);
    expect(contents(histories()[0]!)).toEqual(['first question', 'echo: first question', 'follow up']);
    expect(await threadFiles()).toHaveLength(1);
  });

  it('refuses --thread with -c', async () => {
    await expect(chat(['q'], { continueLatest: true, thread: 'x' })).rejects.toMatchObject({
      exitCode: ExitCode.usage,
      message: '--thread and --continue cannot be used together',
    });
    expect(world.client.requests).toHaveLength(0);
  });
});

describe('gpt chat --max-cost and -u', () => {
  // $1 per million input tokens, $4 output: easy sums.
  const PRICED = { models: { 'priced-model': { input_price: 1, output_price: 4 } } };

  it('refuses a turn whose input alone would cost more: one line, nothing sent or kept, and the chat goes on', async () => {
    await world.renew({ config: PRICED });
    // 'hi' is a few tokens ($0.00001 or so); a 300-word message is hundreds.
    const long = 'whale '.repeat(300).trim();
    const run = chat(['hi', long, 'and then?'], { thread: 'budget', maxCost: 0.0001 }, world.withFlags({ model: 'priced-model' }));
    await expect(run).rejects.toMatchObject({ exitCode: ExitCode.budget, message: '1 of 3 turns failed' });
    expect(world.stderr()).toMatch(
      /^gpt: the input alone \(\d{3} tokens\) would cost \$0\.000\d+, more than --max-cost \$0\.0001 — type new to start a fresh conversation \(the thread so far is sent with every turn\), or send a shorter message; nothing was sent\n$/,
    );
    expect(world.client.prompts()).toEqual(['hi', 'and then?']);
    expect(contents(histories()[1]!)).toEqual(['hi', 'echo: hi', 'and then?']); // the refused message is not in the history
    expect(contents((await loadThread('budget.yaml')).messages)).toEqual(['hi', 'echo: hi', 'and then?', 'echo: and then?']);
  });

  it('counts the whole thread against the budget, not only the new message', async () => {
    await world.renew({ config: PRICED });
    const paragraph = 'whale '.repeat(60).trim();
    // About 70 tokens each: alone it fits $0.00015; with the first turn and its reply before it, it does not.
    await expect(chat([paragraph, paragraph, paragraph], { maxCost: 0.00015 }, world.withFlags({ model: 'priced-model' }))).rejects.toMatchObject({
      exitCode: ExitCode.budget,
      message: '2 of 3 turns failed',
    });
    expect(world.client.requests).toHaveLength(1);
    expect(world.stderr().match(/more than --max-cost \$0\.00015/g)).toHaveLength(2);
  });

  it('hints what can be done mid-chat: a shorter message in a fresh conversation; never raise --max-cost', async () => {
    await world.renew({ config: PRICED });
    const long = 'whale '.repeat(300).trim();
    await expect(chat([long, 'hi'], { maxCost: 0.0001 }, world.withFlags({ model: 'priced-model' }))).rejects.toMatchObject({ exitCode: ExitCode.budget });
    expect(world.stderr()).toMatch(
      /^gpt: the input alone \(\d{3} tokens\) would cost \$0\.000\d+, more than --max-cost \$0\.0001 — send a shorter message; nothing was sent\n$/,
    );
    expect(world.stderr()).not.toContain('raise --max-cost');
    expect(world.client.prompts()).toEqual(['hi']);
  });

  it('gpt ask keeps "raise --max-cost": there the flag can be raised', async () => {
    await world.renew({ config: PRICED });
    await expect(
      runAsk({ args: ['whale '.repeat(300)], continueLatest: false, json: false, stream: true, maxCost: 0.0001 }, world.withFlags({ model: 'priced-model' })),
    ).rejects.toMatchObject({ exitCode: ExitCode.budget, hint: 'raise --max-cost, or shorten the prompt or thread; nothing was sent' });
  });

  it('refuses a model without a price when the chat starts (exit 2), before reading a line', async () => {
    const lines = scriptedLines(['hi']);
    await expect(runChat({ continueLatest: false, stream: true, maxCost: 1 }, world.withFlags({ model: 'llama3.2' }), lines)).rejects.toMatchObject({
      exitCode: ExitCode.usage,
      message: '--max-cost needs a price, and llama3.2 has none on this endpoint',
    });
    expect(world.client.requests).toHaveLength(0);
    expect(await lines.next('')).toEqual({ kind: 'line', text: 'hi' });
  });

  it('a /model without a price is refused at its next turn, and the chat goes on', async () => {
    await world.renew({ config: PRICED });
    await expect(
      chat(['/model llama3.2', 'hi', '/model priced-model', 'hi again'], { maxCost: 1 }, world.withFlags({ model: 'priced-model' })),
    ).rejects.toMatchObject({ exitCode: ExitCode.usage });
    expect(world.stderr()).toContain('gpt: --max-cost needs a price, and llama3.2 has none on this endpoint');
    expect(world.client.prompts()).toEqual(['hi again']);
  });

  it("-u prints each turn's tokens and cost on stderr after its reply", async () => {
    await world.renew({ config: PRICED });
    await chat(['q1', 'q2'], { usage: true }, world.withFlags({ model: 'priced-model' }));
    // The fake counts 10 input tokens a message and a token a word of the reply: 10 + 2, then 30 + 2.
    expect(world.stderr()).toBe(
      ['gpt: usage: 10 input + 2 output = 12 tokens, $0.000018', 'gpt: usage: 30 input + 2 output = 32 tokens, $0.000038', ''].join('\n'),
    );
    expect(world.out()).toBe('echo: q1\necho: q2\n');
  });

  it('-u says cost unknown for a model without a price', async () => {
    await chat(['q1'], { usage: true }, world.withFlags({ model: 'llama3.2' }));
    expect(world.stderr()).toBe('gpt: usage: 10 input + 2 output = 12 tokens, cost unknown\n');
  });
});

describe('gpt chat: a thread priced on its own endpoint profile', () => {
  // The profile prices m at $2 a million tokens, the config's top-level models: map at $1.
  const config = {
    endpoints: { local: { base_url: 'http://127.0.0.1:9/v1', models: { m: { input_price: 2, output_price: 2 } } } },
    models: { m: { input_price: 1, output_price: 1 } },
  };

  it("continuing on the profile its header names, a turn costs at that profile's price for the thread's model", async () => {
    await world.renew({ config, flags: { endpoint: 'local' } });
    await writeFile(
      join(await threadsFolder(world), 'local.yaml'),
      YAML.stringify({
        model: 'm',
        endpoint: 'local',
        messages: [
          { role: 'user', content: 'q1' },
          { role: 'assistant', content: 'echo: q1' },
        ],
      }),
    );
    await chat(['q2'], { thread: 'local', usage: true });
    expect(world.client.requests[0]!.model).toBe('m'); // the thread's model, as it is on its own endpoint
    // The fake counts 10 input tokens a message and a token a word of the reply: 30 + 2, at $2 a million.
    expect(world.stderr()).toContain('gpt: usage: 30 input + 2 output = 32 tokens, $0.000064');
    expect((await loadThread('local.yaml')).messages.at(-1).cost).toBe(0.000064);
  });
});

describe('gpt chat: the window a server named', () => {
  it("a window learned from the server is used when smaller than the config's, and the retry keeps the turn", async () => {
    await world.renew({ config: { models: { m: { context_window: 100_000 } } }, flags: { model: 'm', maxTokens: 50 } });
    const long = 'whales are large marine mammals. '.repeat(60).trim(); // some 360 tokens
    // The config's window lets everything go; the server refuses it, naming 400 tokens.
    world.client.enqueue({ text: long }, new ContextExceededError('the API rejected the request (400): too long', 'shorten it', 400, undefined), {}, {});
    await chat(['q1', 'q2', 'q3'], { thread: 'w' });
    const sizes = world.client.requests.map((r) => r.messages.length);
    expect(sizes).toEqual([1, 3, 1, 3]); // q2 with q1's turn, refused; again without it; q3 with q2's turn only
    expect(world.stderr()).toContain(
      "gpt: the server refused the thread as longer than m's context window of 400 tokens (as the server said), keeping 50 for the reply: sending it again with 1 earlier turn left out",
    );
    expect(world.stderr()).toContain("gpt: 1 earlier turn left out to fit m's context window of 400 tokens (as the server said)");
    expect((await loadThread('w.yaml')).messages).toHaveLength(6);
  });
});
