import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { GPT_BIN, TEST_KEY, runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness({ models: ['llama3.2', 'qwen2.5'] });

const lastBody = () => server.chatRequests().at(-1)!.body;
const threadPath = (name: string) => join(sandbox.threadsDir, `${name}.yaml`);
const loadThread = async (file: string) => YAML.parse(await readFile(file, 'utf8'));

describe('where the prompt comes from', () => {
  it('streams the reply to a piped question on stdout, and nothing on stderr', async () => {
    const r = await runGpt(sandbox, ['ask'], { input: 'What is the biggest animal in the world?' });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('echo: What is the biggest animal in the world?\n');
    expect(lastBody()).toMatchObject({
      model: 'gpt-5.4-mini',
      stream: true,
      messages: [{ role: 'user', content: 'What is the biggest animal in the world?' }],
    });
  });

  it('does not wait for a pipe that stays open and silent when arguments are given', async () => {
    // stdin is a pipe nobody writes to or closes, as in CI runners and cron.
    const child = execa('node', [GPT_BIN, 'ask', 'hello'], {
      env: sandbox.env,
      extendEnv: false,
      stdin: 'pipe',
      reject: false,
      stripFinalNewline: false,
      timeout: 15_000,
    });
    const r = await child;
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('echo: hello\n');
    expect(r.stderr).toMatch(/stdin sent nothing within 1s.*--stdin.*--no-stdin/);
  });

  it('skips stdin quietly with --no-stdin', async () => {
    const child = execa('node', [GPT_BIN, 'ask', '--no-stdin', 'hello'], {
      env: sandbox.env,
      extendEnv: false,
      stdin: 'pipe',
      reject: false,
      stripFinalNewline: false,
      timeout: 15_000,
    });
    const r = await child;
    expect(r.stdout).toBe('echo: hello\n');
    expect(r.stderr).toBe('');
  });

  it('waits for a slow pipe with --stdin', async () => {
    const child = execa('node', [GPT_BIN, 'ask', '--stdin', 'question:'], {
      env: sandbox.env,
      extendEnv: false,
      stdin: 'pipe',
      reject: false,
      stripFinalNewline: false,
      timeout: 15_000,
    });
    setTimeout(() => child.stdin!.end('late text'), 1_500);
    const r = await child;
    expect(r.stdout).toBe('echo: late text\n\nquestion:\n');
  });

  it('refuses binary stdin with one clear line', async () => {
    const r = await runGpt(sandbox, ['ask'], { input: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]) });
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toBe('gpt: stdin is binary data, not text — pipe text (UTF-8) into gpt\n');
    expect(server.chatRequests()).toHaveLength(0);
  });
});

describe('options', () => {
  it('sends model, system prompt, temperature and max tokens', async () => {
    await runGpt(sandbox, ['ask', '-m', 'llama3.2', '-s', 'Be brief.', '-t', '0.3', '--max-tokens', '50', 'hi']);
    expect(lastBody()).toMatchObject({
      model: 'llama3.2',
      temperature: 0.3,
      max_tokens: 50,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
    });
  });

  it('refuses bad flag values as usage errors', async () => {
    for (const args of [['-t', 'abc'], ['-t', '3'], ['--max-tokens', '0'], ['--timeout', 'soon'], ['--bogus']]) {
      const r = await runGpt(sandbox, ['ask', ...args, 'hi']);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^gpt: .* — see gpt ask --help\n$/);
    }
    expect(server.chatRequests()).toHaveLength(0);
  });

  it('takes the model from GPT_MODEL, the config file, or a flag, in that order of strength', async () => {
    await mkdir(join(sandbox.configHome, 'gpt'), { recursive: true });
    await writeFile(join(sandbox.configHome, 'gpt', 'config.yaml'), 'model: from-config\nsystem: Config system.\ntemperature: 0.7\n', { mode: 0o600 });
    await runGpt(sandbox, ['ask', 'a']);
    expect(lastBody()).toMatchObject({
      model: 'from-config',
      temperature: 0.7,
      messages: [
        { role: 'system', content: 'Config system.' },
        { role: 'user', content: 'a' },
      ],
    });
    await runGpt(sandbox, ['ask', 'b'], { env: { GPT_MODEL: 'from-env' } });
    expect(lastBody().model).toBe('from-env');
    await runGpt(sandbox, ['ask', '-m', 'from-flag', 'c'], { env: { GPT_MODEL: 'from-env' } });
    expect(lastBody().model).toBe('from-flag');
  });

  it('uses --base-url over OPENAI_BASE_URL', async () => {
    const r = await runGpt(sandbox, ['ask', '--base-url', server.url, 'hi'], { env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' } });
    expect(r.stdout).toBe('echo: hi\n');
  });

  it('warns about a config file that others can change (not read), and refuses a malformed one', async () => {
    const config = join(sandbox.configHome, 'gpt', 'config.yaml');
    await mkdir(join(sandbox.configHome, 'gpt'), { recursive: true });
    await writeFile(config, 'model: m\n');
    await chmod(config, 0o644); // the usual mode: readable, holds no secret
    let r = await runGpt(sandbox, ['ask', 'hi']);
    expect(r.stderr).toBe('');
    for (const mode of [0o664, 0o646]) {
      await chmod(config, mode);
      r = await runGpt(sandbox, ['ask', 'hi']);
      expect(r.stderr).toBe(`gpt: ${config} can be changed by other users — chmod go-w ${config}\n`);
      expect(r.exitCode).toBe(0);
    }
    await writeFile(config, 'model: [broken\n');
    await chmod(config, 0o600);
    r = await runGpt(sandbox, ['ask', 'hi']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^gpt: ${config}:\\d+: not valid YAML`));
  });

  it('prints the whole reply at once with --no-stream', async () => {
    const r = await runGpt(sandbox, ['ask', '--no-stream', 'hi']);
    expect(r.stdout).toBe('echo: hi\n');
    expect(lastBody().stream).toBe(true); // streamed on the wire all the same, so --timeout means silence
  });

  it('has help with examples and a version', async () => {
    const help = await runGpt(sandbox, ['ask', '--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('echo "What is the biggest animal in the world?" | gpt ask');
    const version = await runGpt(sandbox, ['--version']);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe('streaming', () => {
  it('shows the first piece before the reply is complete', async () => {
    server.enqueue({ kind: 'reply', chunks: ['first ', 'second ', 'third'], chunkDelayMs: 400 });
    const child = execa('node', [GPT_BIN, 'ask', 'go'], { env: sandbox.env, extendEnv: false, input: '', reject: false, stripFinalNewline: false });
    const first = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString())));
    expect(first).toBe('first ');
    expect(child.exitCode).toBeNull(); // still streaming
    const r = await child;
    expect(r.stdout).toBe('first second third\n');
  });

  it('exits quietly when the reader stops early (EPIPE)', async () => {
    server.enqueue({ kind: 'reply', chunks: Array.from({ length: 200 }, (_, i) => `line ${i}\n`.repeat(200)) });
    const r = await execa('bash', ['-c', `node "${GPT_BIN}" ask lines | head -c 10; echo "status=\${PIPESTATUS[0]}" >&2`], {
      env: sandbox.env,
      extendEnv: false,
      input: '',
      reject: false,
      stripFinalNewline: false,
    });
    expect(r.stdout).toBe('line 0\nlin');
    expect(r.stderr).toBe('status=0\n');
  });
});

describe('--json', () => {
  it('prints one object with error on failure, and the line on stderr', async () => {
    server.enqueue({ kind: 'error', status: 400, message: 'This model does not exist' });
    const r = await runGpt(sandbox, ['ask', '--json', '--max-retries', '0', 'hi']);
    expect(r.exitCode).toBe(4);
    expect(JSON.parse(r.stdout)).toEqual({
      error: { message: 'the API rejected the request (400): This model does not exist', hint: 'check the request options', exit_code: 4, status: 400 },
    });
    expect(r.stderr).toBe('gpt: the API rejected the request (400): This model does not exist — check the request options\n');
  });
});

describe('threads', () => {
  it('keeps all eight turns of eight parallel asks on one thread', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => runGpt(sandbox, ['ask', '--thread', 'busy', `question ${i}`])));
    for (const r of results) expect(r.exitCode).toBe(0);
    const thread = await loadThread(threadPath('busy'));
    expect(thread.messages).toHaveLength(16);
    const questions = thread.messages
      .filter((m: { role: string }) => m.role === 'user')
      .map((m: { content: string }) => m.content)
      .sort();
    expect(questions).toEqual(Array.from({ length: 8 }, (_, i) => `question ${i}`));
  });
});

describe('errors', () => {
  it('names OPENAI_API_KEY when it is missing', async () => {
    const r = await runGpt(sandbox, ['ask', 'hi'], { env: { OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined } });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toBe('gpt: OPENAI_API_KEY is not set — export OPENAI_API_KEY=sk-..., or point OPENAI_BASE_URL at a local server\n');
  });

  it('explains a refused key without retrying', async () => {
    server.enqueue({ kind: 'error', status: 401, message: 'Incorrect API key provided' });
    const r = await runGpt(sandbox, ['ask', 'hi']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toBe('gpt: the API refused the key (401): Incorrect API key provided — check OPENAI_API_KEY\n');
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('retries a server error as the SDK does, honouring retry-after-ms, then gives up clearly', async () => {
    const fail = { kind: 'error' as const, status: 500, message: 'boom', headers: { 'retry-after-ms': '10' } };
    server.enqueue(fail, fail, fail);
    const r = await runGpt(sandbox, ['ask', 'hi']);
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toBe(
      [
        'gpt: retrying in 10 ms (1 of 2): 500 server error',
        'gpt: retrying in 10 ms (2 of 2): 500 server error',
        'gpt: the server failed (500): boom — try again later\n',
      ].join('\n'),
    );
    expect(server.chatRequests()).toHaveLength(3);
  });

  it('recovers when a retry succeeds', async () => {
    server.enqueue({ kind: 'error', status: 429, message: 'slow down', headers: { 'retry-after': '0' } });
    const r = await runGpt(sandbox, ['ask', 'hi']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('echo: hi\n');
    expect(server.chatRequests()).toHaveLength(2);
  });

  it('gives up on a slow first byte after --timeout', async () => {
    server.enqueue({ kind: 'reply', firstByteDelayMs: 3_000 });
    const r = await runGpt(sandbox, ['ask', '--timeout', '0.3', '--max-retries', '0', 'hi']);
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toMatch(/^gpt: no answer from http:\/\/127\.0\.0\.1:\d+\/v1 within 0\.3s \(1 try\) — raise --timeout/);
  });

  it('says so when nothing listens at the base URL', async () => {
    const r = await runGpt(sandbox, ['ask', '--max-retries', '0', 'hi'], { env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' } });
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toBe('gpt: cannot connect to http://127.0.0.1:9/v1 — check the network, OPENAI_BASE_URL or --base-url\n');
  });

  it('never prints the key, even with --verbose, and shows a stack trace only then', async () => {
    server.enqueue({ kind: 'error', status: 400, message: `bad key ${TEST_KEY}` });
    const r = await runGpt(sandbox, ['ask', '--verbose', '--max-retries', '0', '--thread', 'v', 'hi']);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('gpt[debug]:');
    expect(r.stderr).toMatch(/\n\s+at /); // a stack trace
    expect(r.stderr + r.stdout).not.toContain(TEST_KEY);
    server.enqueue({ kind: 'error', status: 400, message: 'bad request' });
    const quiet = await runGpt(sandbox, ['ask', '--max-retries', '0', 'hi'], { env: {} });
    expect(quiet.exitCode).toBe(4); // it failed too, and said so in one line
    expect(quiet.stderr).toBe('gpt: the API rejected the request (400): bad request — check the request options\n');
  });
});
