// What gpt says when a thread or prompt is too long (README "Long threads"): in-process, the
// server's "too long" refusal scripted as the ContextExceededError the client would throw.
import { describe, expect, it } from 'vitest';
import { runAsk, type AskOptions } from '../../src/commands/ask.js';
import { ContextExceededError, ExitCode, type GptError } from '../../src/core/errors.js';
import { writeThreadFile } from '../support/cli.js';
import { eachTestWorld } from '../support/fake-deps.js';

const world = eachTestWorld();

/** A 20-turn thread for small-model, whose window gpt does not know unless the config says; `header` adds keys. */
async function longThread(header = '') {
  const turns = Array.from(
    { length: 20 },
    (_, i) => `  - role: user\n    content: Question ${i}, about whales.\n  - role: assistant\n    content: ${'Whales are large marine mammals. '.repeat(3)}\n`,
  );
  await writeThreadFile(world.threadsDir, 'long', 1, `model: small-model\n${header}messages:\n${turns.join('')}`);
}
/** The server's refusal, as src/llm/errors.ts makes it (its own hint, which gpt replaces). */
const tooLong = (window: number | undefined) =>
  new ContextExceededError('the API rejected the request (400): too long', "the client's hint", window, undefined, { status: 400 });
const ask = (args: string[], more: Partial<AskOptions> = {}) =>
  runAsk({ args, continueLatest: false, json: false, stream: true, ...more }, world.deps).then(
    () => undefined,
    (e: GptError) => e,
  );

describe('a thread too long for the window', () => {
  it('--context fail, the window first named by the server: says the server refused it (one request was sent), and that the window is remembered', async () => {
    await longThread();
    world.client.enqueue(tooLong(600));
    const error = await ask(['And now?'], { thread: 'long', context: 'fail' });
    expect(error?.exitCode).toBe(ExitCode.apiRejected);
    expect(error?.message).toMatch(
      /^the server refused the thread as too long for small-model's context window of 600 tokens \(as the server said\), keeping 150 for the reply: \d+ earlier turns would have to be left out \(the window is now remembered\)$/,
    );
    expect(error?.hint).toBe('use --context trim to send the recent turns that fit, or start a new thread');
    expect(world.client.requests).toHaveLength(1);
  });

  it('context: fail from the thread file: the hint names the key', async () => {
    await world.renew({ config: { models: { 'small-model': { context_window: 600 } } } });
    await longThread('context: fail\n');
    const error = await ask(['And now?'], { thread: 'long' });
    expect(error?.exitCode).toBe(ExitCode.apiRejected);
    expect(error?.message).toMatch(/^the thread does not fit small-model's context window of 600 tokens, keeping 150 for the reply: \d+ earlier turns/);
    expect(error?.hint).toBe(
      'the thread file says context: fail: use --context trim, or change that key, to send the recent turns that fit, or start a new thread; nothing was sent',
    );
    expect(world.client.requests).toHaveLength(0);
    // --context fail given: the flag is the reason, not the file.
    expect((await ask(['And now?'], { thread: 'long', context: 'fail' }))?.hint).toBe(
      'use --context trim to send the recent turns that fit, or start a new thread; nothing was sent',
    );
  });

  it('--context all refused by the server: suggests --context trim, and --max-tokens only when given', async () => {
    await longThread();
    world.client.enqueue(tooLong(600));
    const error = await ask(['And now?'], { thread: 'long', context: 'all' });
    expect(error?.exitCode).toBe(ExitCode.apiRejected);
    expect(error?.message).toBe('the API rejected the request (400): too long');
    expect(error?.hint).toBe(
      "the model's window on this server is 600 tokens (now remembered): use --context trim to send the recent turns that fit, or start a new thread",
    );
    expect(error).toBeInstanceOf(ContextExceededError);
  });

  it('context: all from the thread file, refused by the server: the hint names the key', async () => {
    await longThread('context: all\n');
    world.client.enqueue(tooLong(600));
    expect((await ask(['And now?'], { thread: 'long' }))?.hint).toBe(
      "the model's window on this server is 600 tokens (now remembered): the thread file says context: all: use --context trim, or change that key, to send the recent turns that fit, or start a new thread",
    );
  });
});

describe('a lone prompt too long', () => {
  it('suggests a shorter prompt, and a lower --max-tokens only when one was given', async () => {
    world.client.enqueue(tooLong(600), tooLong(undefined));
    expect((await ask(['whale '.repeat(700)]))?.hint).toBe("the model's window on this server is 600 tokens (now remembered): shorten the prompt");
    expect((await ask(['whale '.repeat(700)]))?.hint).toBe('shorten the prompt');
    world.client.enqueue(tooLong(600));
    const bounded = await runAsk({ args: ['whale '.repeat(700)], continueLatest: false, json: false, stream: true }, world.withFlags({ maxTokens: 100 })).then(
      () => undefined,
      (e: GptError) => e,
    );
    expect(bounded?.hint).toBe("the model's window on this server is 600 tokens (now remembered): shorten the prompt, or lower --max-tokens");
  });
});
