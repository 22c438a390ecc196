// How gpt reports what happened: usage errors caught before anything is sent, the SDK's retries,
// a missing key, a reply cut at the token limit, the key redacted everywhere, stacks only with
// --verbose (at source positions), and who gpt says it is (User-Agent).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_KEY, runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

const version = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')).version as string;

describe('a base URL without its scheme', () => {
  it.each([
    [
      '--base-url',
      { args: ['--base-url', '127.0.0.1:8080/v1'] },
      2,
      "gpt: --base-url '127.0.0.1:8080/v1' is not a URL starting with http:// or https:// — write it as http://127.0.0.1:8080/v1\n",
    ],
    [
      '--base-url notaurl',
      { args: ['--base-url', 'notaurl'] },
      2,
      "gpt: --base-url 'notaurl' is not a URL starting with http:// or https:// — write it as http://notaurl\n",
    ],
    [
      'OPENAI_BASE_URL',
      { env: { OPENAI_BASE_URL: 'localhost:11434/v1' } },
      2,
      "gpt: OPENAI_BASE_URL 'localhost:11434/v1' is not a URL starting with http:// or https:// — write it as http://localhost:11434/v1\n",
    ],
    [
      'the config file',
      { config: 'base_url: 127.0.0.1:8080/v1\n', env: { OPENAI_BASE_URL: undefined } },
      3,
      "gpt: base_url in the config file '127.0.0.1:8080/v1' is not a URL starting with http:// or https:// — write it as http://127.0.0.1:8080/v1\n",
    ],
  ] as const)('from %s is refused before anything is sent', async (_, given, exitCode, stderr) => {
    if ('config' in given) {
      await mkdir(join(sandbox.configHome, 'gpt'), { recursive: true });
      await writeFile(join(sandbox.configHome, 'gpt', 'config.yaml'), given.config, { mode: 0o600 });
    }
    const r = await runGpt(sandbox, ['ask', ...('args' in given ? given.args : []), 'hi'], { env: 'env' in given ? given.env : {} });
    expect(r.stderr).toBe(stderr);
    expect(r.exitCode).toBe(exitCode);
    expect(r.stdout).toBe('');
  });
});

describe('usage errors', () => {
  it('refuses an empty model name', async () => {
    const r = await runGpt(sandbox, ['ask', '-m', '', 'hi']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^gpt: option '-m, --model <name>' argument '' is invalid\. --model needs a model name\. — see gpt ask --help\n$/);
    expect(server.chatRequests()).toHaveLength(0);
  });

  it('never prints the key, not even in the --json object of a usage error', async () => {
    const r = await runGpt(sandbox, ['ask', '--json', '-t', TEST_KEY, 'hi']);
    expect(r.exitCode).toBe(2);
    expect(JSON.parse(r.stdout).error.exit_code).toBe(2);
    expect(r.stdout + r.stderr).not.toContain(TEST_KEY);
    expect(r.stdout).toContain('[redacted …CRET]');
  });
});

describe('retries and keys', () => {
  it('says on stderr when the SDK retries, one line each, and nothing with -q', async () => {
    const limited = { kind: 'error' as const, status: 429, message: 'slow down', headers: { 'retry-after': '1' } };
    server.enqueue(limited, { kind: 'error', status: 503, message: 'busy', headers: { 'retry-after-ms': '20' } });
    const r = await runGpt(sandbox, ['ask', 'hi']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('echo: hi\n');
    expect(r.stderr).toBe('gpt: retrying in 1 s (1 of 2): 429 rate limited\ngpt: retrying in 20 ms (2 of 2): 503 server error\n');
    server.enqueue({ ...limited, headers: { 'retry-after': '0' } });
    const quiet = await runGpt(sandbox, ['ask', '-q', 'hi']);
    expect(quiet.exitCode).toBe(0);
    expect(quiet.stderr).toBe('');
  });

  it('says that no key is set when a server refuses a request without one', async () => {
    server.enqueue({ kind: 'error', status: 401, message: 'Missing bearer authentication' });
    const r = await runGpt(sandbox, ['ask', 'hi'], { env: { OPENAI_API_KEY: undefined } });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(
      /^gpt: no key is set, and http:\/\/127\.0\.0\.1:\d+\/v1 asks for one \(401\): Missing bearer authentication — export OPENAI_API_KEY=sk-\.\.\.\n$/,
    );
  });
});

describe('a reply cut at the token limit', () => {
  const cut = 'gpt: the reply was cut at the token limit (finish_reason: length) — raise --max-tokens for a longer one\n';

  it('is said on stderr after the reply in gpt ask, but not with -q or --json', async () => {
    server.setDefault({ kind: 'reply', text: 'The blue', finishReason: 'length' });
    const r = await runGpt(sandbox, ['ask', '--max-tokens', '2', 'biggest?']);
    expect(r.stdout).toBe('The blue\n');
    expect(r.stderr).toBe(cut);
    expect((await runGpt(sandbox, ['ask', '-q', '--max-tokens', '2', 'biggest?'])).stderr).toBe('');
    const json = await runGpt(sandbox, ['ask', '--json', '--max-tokens', '2', 'biggest?']);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout).finish_reason).toBe('length');
  });

  it('is said in gpt chat after that turn', async () => {
    server.enqueue({ kind: 'reply', text: 'The blue', finishReason: 'length' }, { kind: 'reply', text: 'fine' });
    const r = await runGpt(sandbox, ['chat', '--max-tokens', '2'], { input: 'biggest?\nand?\n' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('The blue\nfine\n');
    expect(r.stderr).toBe(cut);
  });
});

describe('who gpt says it is, and where it failed', () => {
  it("sends gpt/VERSION and the SDK's own name as User-Agent", async () => {
    await runGpt(sandbox, ['ask', 'hi']);
    expect(server.chatRequests()[0]!.headers['user-agent']).toMatch(new RegExp(`^gpt/${version.replace(/\./g, '\\.')} OpenAI/JS \\d+\\.\\d+\\.\\d+$`));
  });

  it('shows a stack at source positions with --verbose, and none without', async () => {
    const fail = { kind: 'error' as const, status: 400, message: 'bad request' };
    server.enqueue(fail, fail);
    const verbose = await runGpt(sandbox, ['ask', '--verbose', '--max-retries', '0', 'hi']);
    expect(verbose.exitCode).toBe(4);
    expect(verbose.stderr).toMatch(/\n\s+at classify \(src\/llm\/errors\.ts:\d+:\d+\)/);
    expect(verbose.stderr).not.toMatch(/\.cjs:\d+:\d+/);
    const plain = await runGpt(sandbox, ['ask', '--max-retries', '0', 'hi']);
    expect(plain.exitCode).toBe(4);
    expect(plain.stderr).toBe('gpt: the API rejected the request (400): bad request — check the request options\n');
  });
});
