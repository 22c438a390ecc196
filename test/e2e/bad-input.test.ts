// Bad thread files are tested in-process (test/commands/bad-input.test.ts); here, what only a
// process shows: stdin, and flags refused by the command line.
import { describe, expect, it } from 'vitest';
import { runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

describe('stdin', () => {
  it('refuses invalid UTF-8', async () => {
    const r = await runGpt(sandbox, ['ask'], { input: Buffer.from([0x68, 0x69, 0xff, 0xfe, 0x0a]) });
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toBe('gpt: stdin is not valid UTF-8 text — convert it first, e.g. iconv -t UTF-8\n');
  });

  it('refuses 50 MB with a clear limit instead of truncating it', async () => {
    const r = await runGpt(sandbox, ['ask'], { input: Buffer.alloc(50 * 1024 * 1024, 'a') });
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toBe('gpt: stdin is larger than 10 MiB — send less text, or split it (gpt batch runs many prompts)\n');
    expect(server.chatRequests()).toHaveLength(0);
  });

  it('accepts text just under the limit, byte for byte', async () => {
    const text = `${'é'.repeat(4 * 1024 * 1024)}\n`; // 8 MiB of two-byte characters
    // 8 MiB through a pipe, the request and the fake server: slow on a loaded machine.
    const r = await runGpt(sandbox, ['ask', '--json'], { input: text, timeout: 60_000 });
    expect(r.exitCode).toBe(0);
    expect(server.chatRequests()[0]!.body.messages[0].content).toBe(text);
  }, 70_000);
});

describe('flags', () => {
  it.each([
    [['ask', '--temperature', 'abc', 'x'], /temperature must be a number from 0 to 2/],
    [['ask', '--max-retries', '-1', 'x'], /--max-retries must be a whole number from 0 to 20/],
    [['ask', '--unknown', 'x'], /unknown option '--unknown'/],
    [['ask', '--thread'], /option '--thread <name\|path>' argument missing/],
    [['nonsense'], /unknown command 'nonsense'/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await runGpt(sandbox, args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^gpt: /);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});
