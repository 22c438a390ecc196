// runAsk and runModels called in-process with fake dependencies (see test/support/fake-deps.ts).
import { readFile, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runAsk, type AskOptions } from '../../src/commands/ask.js';
import { runModels } from '../../src/commands/models.js';
import type { Deps } from '../../src/commands/deps.js';
import { ExitCode, GptError } from '../../src/core/errors.js';
import { eachTestWorld, stdinFrom, threadsFolder } from '../support/fake-deps.js';

const world = eachTestWorld();

const ask = (args: string[], more: Partial<AskOptions> = {}, deps: Deps = world.deps) =>
  runAsk({ args, continueLatest: false, json: false, stream: true, ...more }, deps);
const lastMessages = () => world.client.requests.at(-1)!.messages;
const threadPath = (name: string) => join(world.threadsDir, `${name}.yaml`);
const loadThread = async (file: string) => YAML.parse(await readFile(file, 'utf8'));
const threadFiles = async () => (await readdir(world.threadsDir).catch(() => [] as string[])).filter((f) => f.endsWith('.yaml')).sort();

describe('where the prompt comes from', () => {
  it('joins the arguments into the prompt, and streams the reply to stdout with nothing on stderr', async () => {
    await ask(['two', 'words']);
    expect(world.out()).toBe('echo: two words\n');
    expect(world.stderr()).toBe('');
    expect(lastMessages()).toEqual([{ role: 'user', content: 'two words' }]);
  });

  it('puts piped text first, a blank line, then the arguments, keeping stdin byte for byte', async () => {
    const piped = '  indented line\n\n\ttabbed   \ntrailing spaces   \n';
    await world.renew({ stdin: piped });
    await ask(['Summarise', 'this']);
    expect(lastMessages().at(-1)!.content).toBe(`${piped}\nSummarise this`);
  });

  it('refuses to run with no prompt, naming both ways to give one', async () => {
    const error = await ask([]).catch((e: GptError) => e);
    expect(error).toMatchObject({ exitCode: ExitCode.usage, message: 'no prompt given' });
    expect((error as GptError).hint).toMatch(/gpt ask "question".*echo question \| gpt ask/);
    expect(world.client.requests).toHaveLength(0);
  });
});

describe('--json', () => {
  it('prints exactly one object with reply, model, thread, finish reason, usage, request id and duration', async () => {
    await ask(['Name a prime'], { json: true, thread: 'facts' });
    const lines = world.out().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      reply: 'echo: Name a prime',
      model: 'gpt-5.4-mini',
      thread: { name: 'facts', file: threadPath('facts') },
      finish_reason: 'stop',
      usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 },
      cost: expect.any(Number), // no base URL: the OpenAI API, priced from the table
      request_id: 'req_1',
      duration_ms: expect.any(Number),
    });
  });
});

describe('threads', () => {
  it('creates the thread on first use, privately, and sends the whole history after', async () => {
    await ask(['What is the biggest animal in the world?'], { thread: 'whales' }, world.withFlags({ system: 'You are a helpful assistant.' }));
    await ask(['Please write a poem about blue whales.'], { thread: 'whales' });
    expect(lastMessages()).toEqual([
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'What is the biggest animal in the world?' },
      { role: 'assistant', content: 'echo: What is the biggest animal in the world?' },
      { role: 'user', content: 'Please write a poem about blue whales.' },
    ]);
    const file = threadPath('whales');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(world.threadsDir)).mode & 0o777).toBe(0o700);
    const thread = await loadThread(file);
    expect(thread).toMatchObject({
      version: 1,
      model: 'gpt-5.4-mini',
      system: 'You are a helpful assistant.',
      created: '2026-11-27T12:00:02.000Z',
      updated: '2026-11-27T12:00:05.000Z',
    });
    expect(thread.messages).toHaveLength(4);
    expect(thread.messages[1]).toMatchObject({
      role: 'assistant',
      model: 'gpt-5.4-mini',
      finish_reason: 'stop',
      usage: { total_tokens: expect.any(Number) },
      time: expect.any(String),
    });
  });

  it('remembers its model and system prompt; flags override them for one turn only', async () => {
    await ask(['one'], { thread: 't' }, world.withFlags({ model: 'llama3.2', system: 'Thread system.' }));
    await ask(['two'], { thread: 't' });
    expect(world.client.requests.at(-1)).toMatchObject({ model: 'llama3.2', messages: [{ role: 'system', content: 'Thread system.' }, {}, {}, {}] });
    await ask(['three'], { thread: 't' }, world.withFlags({ model: 'qwen2.5', system: 'Other.' }));
    expect(world.client.requests.at(-1)).toMatchObject({ model: 'qwen2.5', messages: [{ role: 'system', content: 'Other.' }, {}, {}, {}, {}, {}] });
    expect(await loadThread(threadPath('t'))).toMatchObject({ model: 'llama3.2', system: 'Thread system.' });
  });

  it('writes Unicode as itself and multi-line text as block scalars', async () => {
    world.client.enqueue({ text: '世界上最大的动物是蓝鲸。\n它们可以长达30米长。' });
    await ask(['世界上最大的动物是什么？'], { thread: 'zh' });
    const text = await readFile(threadPath('zh'), 'utf8');
    expect(text).toContain('content: 世界上最大的动物是什么？');
    expect(text).toContain('content: |-\n      世界上最大的动物是蓝鲸。\n      它们可以长达30米长。');
  });

  it('takes a value with a slash or a .yaml ending as a file path, creating folders', async () => {
    await ask(['hi'], { thread: 'project/notes/design.yaml' });
    expect((await loadThread(join(world.home, 'project', 'notes', 'design.yaml'))).messages).toHaveLength(2);
  });

  it('refuses names that could escape the threads folder', async () => {
    for (const name of ['..', '.hidden', 'a b', 'x;y']) {
      await expect(ask(['hi'], { thread: name }), name).rejects.toMatchObject({
        exitCode: ExitCode.usage,
        message: expect.stringMatching(/^invalid thread name/),
      });
    }
    expect(world.client.requests).toHaveLength(0);
  });

  it('continues a hand-written file that has only messages', async () => {
    const file = join(world.home, 'hand.yaml');
    await writeFile(file, 'messages:\n  - role: user\n    content: Hello\n  - role: assistant\n    content: Hi!\n');
    await ask(['How are you?'], { thread: file });
    expect(lastMessages()).toEqual([
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: 'Hi!' },
      { role: 'user', content: 'How are you?' },
    ]);
    expect((await loadThread(file)).messages).toHaveLength(4);
  });

  it('reports a malformed thread with its file and line, and leaves it untouched', async () => {
    await threadsFolder(world);
    const file = threadPath('broken');
    const broken = 'messages:\n  - role: user\n    content: "unterminated\n';
    await writeFile(file, broken);
    await expect(ask(['hi'], { thread: 'broken' })).rejects.toMatchObject({
      exitCode: ExitCode.badInput,
      message: expect.stringMatching(new RegExp(`^${file}:\\d+: not valid YAML`)),
    });
    expect(await readFile(file, 'utf8')).toBe(broken);
    expect(world.client.requests).toHaveLength(0);
  });

  it('leaves the thread as it was when the request fails', async () => {
    await ask(['one'], { thread: 'keep' });
    const before = await readFile(threadPath('keep'), 'utf8');
    world.client.enqueue(new GptError(ExitCode.network, 'the connection broke'));
    await expect(ask(['two'], { thread: 'keep' })).rejects.toMatchObject({ exitCode: ExitCode.network });
    expect(await readFile(threadPath('keep'), 'utf8')).toBe(before);
  });

  it('keeps a conversation without --thread under a generated name, which -c continues', async () => {
    await ask(['What is the biggest animal?']);
    expect(await threadFiles()).toEqual(['20261127-120001-what-is-the-biggest-animal.yaml']);
    await ask(['And the smallest?'], { continueLatest: true });
    expect(lastMessages()).toHaveLength(3);
    expect(await threadFiles()).toHaveLength(1);
  });
});

describe('conversations kept without --thread', () => {
  it('are named from the time and the first words, with no extra request to the model', async () => {
    await ask(['Café: what is the BIGGEST animal, really?']);
    expect(world.client.requests).toHaveLength(1);
    expect(await threadFiles()).toEqual(['20261127-120001-cafe-what-is-the-biggest.yaml']);
  });

  it('keep only the newest keep_conversations; named threads are never removed', async () => {
    await world.renew({ config: { keep_conversations: 2 } });
    await ask(['old but named'], { thread: 'named' });
    for (const q of ['one', 'two', 'three']) await ask([q]);
    const files = await threadFiles();
    expect(files).toHaveLength(3);
    expect(files).toContain('named.yaml');
    expect(
      files
        .filter((f) => f !== 'named.yaml')
        .map((f) => f.replace(/^\d{8}-\d{6}-/, ''))
        .sort(),
    ).toEqual(['three.yaml', 'two.yaml']);
  });

  it('are not kept with save_conversations: false, and then -c has nothing to continue', async () => {
    await world.renew({ config: { save_conversations: false } });
    await ask(['q']);
    expect(await threadFiles()).toEqual([]);
    await expect(ask(['more'], { continueLatest: true })).rejects.toMatchObject({
      exitCode: ExitCode.usage,
      message: 'there is no conversation to continue yet',
      hint: 'start one with gpt ask "question"',
    });
  });
});

describe('gpt ask -c', () => {
  const contents = (i: number) => world.client.requests[i]!.messages.map((m) => m.content);
  /** Thread files are ordered by when they were changed; these tests say when, minutes from now. */
  const touch = async (name: string, minute: number) => {
    const time = new Date(Date.now() + minute * 60_000);
    await utimes(threadPath(name), time, time);
  };

  it('continues the most recently updated conversation, not the most recently created', async () => {
    await ask(['first question']);
    const auto = (await threadFiles())[0]!.replace(/\.yaml$/, '');
    await touch(auto, 1);
    await ask(['created later'], { thread: 'later' });
    await touch('later', 2);
    await ask(['updated last'], { thread: auto });
    await touch(auto, 3);
    await ask(['and now'], { continueLatest: true });
    expect(contents(3)).toEqual(['first question', 'echo: first question', 'updated last', 'echo: updated last', 'and now']);
    await ask(['now later is newest'], { thread: 'later' });
    await touch('later', 4);
    await ask(['so this goes there'], { continueLatest: true });
    expect(contents(5).at(0)).toBe('created later');
  });

  it('reads stdin exactly as without -c or --thread: piped text, a blank line, the arguments', async () => {
    await ask(['start'], { thread: 'notes' });
    await ask(['Summarise this'], { continueLatest: true }, { ...world.deps, stdin: stdinFrom('piped text\n') });
    await ask([], { thread: 'notes' }, { ...world.deps, stdin: stdinFrom('only piped\n') });
    expect(contents(1).at(-1)).toBe('piped text\n\nSummarise this');
    expect(contents(2).at(-1)).toBe('only piped\n');
    expect((await loadThread(threadPath('notes'))).messages).toHaveLength(6);
  });

  it('refuses -c together with --thread', async () => {
    await expect(ask(['q'], { continueLatest: true, thread: 'x' })).rejects.toMatchObject({ exitCode: ExitCode.usage });
    expect(world.client.requests).toHaveLength(0);
  });
});

describe('gpt models', () => {
  it('lists the models the endpoint serves, as lines or as JSON', async () => {
    world.client.models.splice(0, Infinity, 'llama3.2', 'qwen2.5');
    await runModels({ json: false }, world.deps);
    expect(world.out()).toBe('llama3.2\nqwen2.5\n');
    await runModels({ json: true }, world.deps);
    expect(JSON.parse(world.out().slice('llama3.2\nqwen2.5\n'.length))).toEqual([{ id: 'llama3.2' }, { id: 'qwen2.5' }]);
  });
});
