import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { TEST_KEY, runGpt } from '../support/cli.js';
import { startForwardProxy, type ForwardProxy } from '../support/forward-proxy.js';
import { sandbox, server, useHarness } from '../support/harness.js';
import { startTlsFront, type TlsFront } from '../support/tls-front.js';

useHarness();

const lastBody = () => server.chatRequests().at(-1)!.body;
const threadFile = (name: string) => join(sandbox.threadsDir, `${name}.yaml`);

async function writeConfig(text: string): Promise<void> {
  await mkdir(join(sandbox.configHome, 'gpt'), { recursive: true, mode: 0o700 });
  await writeFile(join(sandbox.configHome, 'gpt', 'config.yaml'), text, { mode: 0o600 });
}

/** Two profiles on the fake server: `local` with its own key variable, model and header; `bare` without stream_options. */
const profiles = () => `endpoints:
  local:
    base_url: ${server.url}
    api_key_env: LOCAL_KEY
    model: qwen3
    headers: {X-Team: blue}
  bare:
    base_url: ${server.url}
    stream_options: false
`;

describe('reasoning models, checked like the OpenAI API does', () => {
  it('sends --max-tokens as max_completion_tokens to gpt-5.4-mini (and the request succeeds)', async () => {
    server.setApiRules({ reasoningModels: true });
    const r = await runGpt(sandbox, ['ask', '-m', 'gpt-5.4-mini', '--max-tokens', '50', 'hi']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(lastBody()).toMatchObject({ model: 'gpt-5.4-mini', max_completion_tokens: 50 });
    expect(lastBody()).not.toHaveProperty('max_tokens');
  });

  it('still sends max_tokens to a model the table does not know', async () => {
    await runGpt(sandbox, ['ask', '-m', 'llama3.2', '--max-tokens', '50', 'hi']);
    expect(lastBody()).toMatchObject({ max_tokens: 50 });
  });

  it('refuses -t on gpt-5-mini before any request is sent (exit 2, naming the model and the flag)', async () => {
    server.setApiRules({ reasoningModels: true });
    const r = await runGpt(sandbox, ['ask', '-m', 'gpt-5-mini', '-t', '0.3', 'hi']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^gpt: gpt-5-mini takes no --temperature .*— drop --temperature/);
    expect(server.chatRequests()).toEqual([]);
  });

  it('takes -t on gpt-5.4-mini with its default effort, refuses it with --reasoning-effort high', async () => {
    server.setApiRules({ reasoningModels: true });
    const ok = await runGpt(sandbox, ['ask', '-m', 'gpt-5.4-mini', '-t', '0.3', 'hi']);
    expect(ok.exitCode).toBe(0);
    expect(lastBody()).toMatchObject({ temperature: 0.3 });
    const refused = await runGpt(sandbox, ['ask', '-m', 'gpt-5.4-mini', '-t', '0.3', '--reasoning-effort', 'high', 'hi']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/gpt-5\.4-mini takes no --temperature with reasoning effort high/);
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('sends --reasoning-effort as reasoning_effort, and refuses a value the model does not take', async () => {
    server.setApiRules({ reasoningModels: true });
    expect((await runGpt(sandbox, ['ask', '-m', 'gpt-5-mini', '--reasoning-effort', 'low', 'hi'])).exitCode).toBe(0);
    expect(lastBody()).toMatchObject({ reasoning_effort: 'low' });
    const refused = await runGpt(sandbox, ['ask', '-m', 'gpt-5-mini', '--reasoning-effort', 'none', 'hi']);
    expect(refused.exitCode).toBe(2);
    expect(server.chatRequests()).toHaveLength(1);
    expect((await runGpt(sandbox, ['ask', '--reasoning-effort', 'extreme', 'hi'])).exitCode).toBe(2);
  });

  it('drops a config temperature the model cannot take instead of failing every request', async () => {
    server.setApiRules({ reasoningModels: true });
    await writeConfig('temperature: 0.7\n');
    const r = await runGpt(sandbox, ['ask', '-m', 'gpt-5-mini', 'hi']);
    expect(r.exitCode).toBe(0);
    expect(lastBody()).not.toHaveProperty('temperature');
    const verbose = await runGpt(sandbox, ['ask', '--verbose', '-m', 'gpt-5-mini', 'hi']);
    expect(verbose.stderr).toContain('gpt[debug]: left out temperature from the config: gpt-5-mini takes no temperature');
  });

  it('keeps reasoning and cached tokens in --json usage and in the thread file', async () => {
    server.setApiRules({ reasoningModels: true });
    server.setDefault({ kind: 'reply', text: 'Blue whale.', reasoningTokens: 12, cachedTokens: 3 });
    const r = await runGpt(sandbox, ['ask', '--json', '--thread', 'u', '-m', 'gpt-5-mini', 'biggest?']);
    expect(JSON.parse(r.stdout).usage).toMatchObject({ reasoning_tokens: 12, cached_tokens: 3 });
    const thread = YAML.parse(await readFile(threadFile('u'), 'utf8'));
    expect(thread.messages[1].usage).toMatchObject({ reasoning_tokens: 12, cached_tokens: 3 });
  });
});

describe('thinking from local servers is not the reply', () => {
  for (const reasoningField of ['reasoning_content', 'reasoning', 'think'] as const) {
    it(`keeps ${reasoningField} thinking out of stdout, in the thread file and --json`, async () => {
      server.setDefault({ kind: 'reply', text: 'The blue whale.', reasoning: 'Whales are big. The blue one is biggest.', reasoningField });
      const r = await runGpt(sandbox, ['ask', '--thread', 't', 'biggest animal?']);
      expect(r.stdout).toBe('The blue whale.\n');
      expect(r.stderr).toBe('');
      const thread = YAML.parse(await readFile(threadFile('t'), 'utf8'));
      expect(thread.messages[1]).toMatchObject({ content: 'The blue whale.', reasoning: 'Whales are big. The blue one is biggest.' });
      // Never sent back to the model.
      await runGpt(sandbox, ['ask', '--thread', 't', 'and the smallest?']);
      expect(lastBody().messages[1]).toEqual({ role: 'assistant', content: 'The blue whale.' });
      const json = JSON.parse((await runGpt(sandbox, ['ask', '--json', 'biggest?'])).stdout);
      expect(json).toMatchObject({ reply: 'The blue whale.', reasoning: 'Whales are big. The blue one is biggest.' });
    });
  }

  it('shows the thinking on stderr with --show-reasoning (plain when not a terminal)', async () => {
    server.setDefault({ kind: 'reply', text: 'The blue whale.', reasoning: 'Whales are big.', reasoningField: 'think' });
    const r = await runGpt(sandbox, ['ask', '--show-reasoning', 'biggest animal?']);
    expect(r.stdout).toBe('The blue whale.\n');
    expect(r.stderr).toBe('Whales are big.\n\n');
  });
});

describe('endpoint profiles', () => {
  it('picks a profile by --endpoint, GPT_ENDPOINT or the config, with its key variable, model and headers', async () => {
    for (const [extra, env] of [
      ['', { GPT_ENDPOINT: 'local' }],
      ['endpoint: local\n', {}],
      ['', {}],
    ] as const) {
      await writeConfig(profiles() + extra);
      const args = extra === '' && !('GPT_ENDPOINT' in env) ? ['ask', '--endpoint', 'local', 'hi'] : ['ask', 'hi'];
      const r = await runGpt(sandbox, args, { env: { ...env, LOCAL_KEY: 'sk-local-123', OPENAI_BASE_URL: undefined } });
      expect(r.stderr).toBe('');
      const request = server.chatRequests().at(-1)!;
      expect(request.body.model).toBe('qwen3');
      expect(request.headers.authorization).toBe('Bearer sk-local-123');
      expect(request.headers['x-team']).toBe('blue');
    }
  });

  it('lets flags win over the profile', async () => {
    await writeConfig(profiles());
    await runGpt(sandbox, ['ask', '--endpoint', 'local', '-m', 'other', 'hi'], { env: { LOCAL_KEY: 'k' } });
    expect(lastBody().model).toBe('other');
  });

  it('refuses an unknown profile (exit 2 from the flag) and a missing key variable (exit 3)', async () => {
    await writeConfig(profiles());
    const unknown = await runGpt(sandbox, ['ask', '--endpoint', 'nope', 'hi']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/no endpoint 'nope'.*known endpoints: local, bare/);
    const noKey = await runGpt(sandbox, ['ask', '--endpoint', 'local', 'hi']);
    expect(noKey.exitCode).toBe(3);
    expect(noKey.stderr).toMatch(/^gpt: LOCAL_KEY is not set/);
    expect(server.chatRequests()).toEqual([]);
  });

  it("redacts the profile's key when a server echoes it, on stderr and in --json", async () => {
    await writeConfig(profiles());
    const key = 'sk-local-0123456789-SECRET';
    server.setDefault({ kind: 'error', status: 400, message: `Invalid request from key ${key}` });
    for (const args of [
      ['ask', '--endpoint', 'local', 'hi'],
      ['ask', '--json', '--endpoint', 'local', 'hi'],
    ]) {
      const r = await runGpt(sandbox, args, { env: { LOCAL_KEY: key } });
      expect(r.exitCode).toBe(4);
      expect(r.stderr).toContain('[redacted …CRET]');
      expect(r.stdout + r.stderr).not.toContain(key);
    }
  });

  it('leaves out stream_options for a profile that says so', async () => {
    await writeConfig(profiles());
    await runGpt(sandbox, ['ask', '--endpoint', 'bare', 'hi']);
    expect(lastBody()).not.toHaveProperty('stream_options');
    await runGpt(sandbox, ['ask', 'hi']);
    expect(lastBody()).toHaveProperty('stream_options');
  });

  it('names the profile setting that fixes a 400 about stream_options', async () => {
    server.setApiRules({ rejectStreamOptions: true });
    await writeConfig(profiles());
    const r = await runGpt(sandbox, ['ask', '--endpoint', 'local', 'hi'], { env: { LOCAL_KEY: 'k' } });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/— set stream_options: false in endpoints\.local of the config\n$/);
  });

  it('a new thread records its endpoint and effort; its model counts only on that endpoint', async () => {
    await writeConfig(profiles());
    await runGpt(sandbox, ['ask', '--endpoint', 'bare', '-m', 'gpt-5-mini', '--reasoning-effort', 'low', '--thread', 'e', 'hi']);
    const thread = YAML.parse(await readFile(threadFile('e'), 'utf8'));
    expect(thread).toMatchObject({ endpoint: 'bare', model: 'gpt-5-mini', reasoning_effort: 'low' });
    await runGpt(sandbox, ['ask', '--endpoint', 'bare', '--thread', 'e', 'again']);
    expect(lastBody()).toMatchObject({ model: 'gpt-5-mini', reasoning_effort: 'low' });
    await runGpt(sandbox, ['ask', '--endpoint', 'local', '--thread', 'e', 'elsewhere'], { env: { LOCAL_KEY: 'k' } });
    expect(lastBody().model).toBe('qwen3');
    expect(lastBody()).not.toHaveProperty('reasoning_effort');
  });

  it('gpt models and gpt batch use the profile', async () => {
    await writeConfig(profiles());
    const env = { LOCAL_KEY: 'sk-local-9', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' };
    expect((await runGpt(sandbox, ['models', '--endpoint', 'local'], { env })).exitCode).toBe(0);
    expect(server.requests.at(-1)!.headers.authorization).toBe('Bearer sk-local-9');
    const input = '{"prompt": "one", "reasoning_effort": "low", "model": "gpt-5-mini"}\n{"prompt": "two"}\n';
    const r = await runGpt(sandbox, ['batch', '--endpoint', 'local', '-'], { input, env });
    expect(r.exitCode).toBe(0);
    const bodies = server.chatRequests().map((q) => q.body);
    expect(bodies.find((b) => b.messages[0].content === 'one')).toMatchObject({ model: 'gpt-5-mini', reasoning_effort: 'low' });
    expect(bodies.find((b) => b.messages[0].content === 'two')).toMatchObject({ model: 'qwen3' });
  });
});

describe('gpt endpoints', () => {
  it('shows the profiles and where each setting in force came from, never the key', async () => {
    await writeConfig(`${profiles()}endpoint: local\nreasoning_effort: low\n`);
    const r = await runGpt(sandbox, ['endpoints', '-m', 'gpt-5-mini'], { env: { LOCAL_KEY: 'sk-local-secret' } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^\* local +http:\/\/127\.0\.0\.1:\d+\/v1 +key from LOCAL_KEY +model qwen3$/m);
    expect(r.stdout).toMatch(/^endpoint +local +config: endpoint$/m);
    expect(r.stdout).toMatch(/^model +gpt-5-mini +flag: --model$/m);
    expect(r.stdout).toMatch(/^api_key +LOCAL_KEY \(set\) +profile: endpoints\.local\.api_key_env$/m);
    expect(r.stdout).toMatch(/^reasoning_effort +low +config: reasoning_effort$/m);
    expect(r.stdout + r.stderr).not.toContain('sk-local-secret');
    expect(r.stdout + r.stderr).not.toContain(TEST_KEY);
    const json = JSON.parse((await runGpt(sandbox, ['endpoints', '--json'], { env: { GPT_ENDPOINT: 'bare' } })).stdout);
    expect(json.endpoints.find((p: { name: string }) => p.name === 'bare').in_force).toBe(true);
    expect(json.settings.find((s: { setting: string }) => s.setting === 'endpoint')).toMatchObject({ value: 'bare', source: 'env', from: 'GPT_ENDPOINT' });
    expect(server.requests).toEqual([]);
  });

  it('says when a request with the settings in force would be refused', async () => {
    const r = await runGpt(sandbox, ['endpoints', '-m', 'gpt-5-mini', '-t', '0.5']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^a request with these settings would be refused: gpt-5-mini takes no --temperature/m);
  });
});

describe('proxies', () => {
  let proxy: ForwardProxy;
  beforeAll(async () => {
    proxy = await startForwardProxy();
  });
  afterAll(async () => {
    await proxy.close();
  });

  it('sends requests through HTTP_PROXY (either case), and not when NO_PROXY covers the host', async () => {
    for (const name of ['HTTP_PROXY', 'http_proxy']) {
      proxy.seen.length = 0;
      const r = await runGpt(sandbox, ['ask', 'hi'], { env: { [name]: proxy.url } });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('echo: hi\n');
      expect(proxy.seen).toEqual([`CONNECT ${new URL(server.url).host}`]);
    }
    proxy.seen.length = 0;
    const direct = await runGpt(sandbox, ['ask', 'hi'], { env: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' } });
    expect(direct.stdout).toBe('echo: hi\n');
    expect(proxy.seen).toEqual([]);
  });

  describe('to an https server whose certificate is from a CA given by NODE_EXTRA_CA_CERTS', () => {
    let front: TlsFront;
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'gpt-tls-'));
      front = await startTlsFront(server.url, dir);
    });
    afterAll(async () => {
      await front.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('connects directly and through HTTPS_PROXY; without the CA it cannot', async () => {
      const env = { OPENAI_BASE_URL: front.url, NODE_EXTRA_CA_CERTS: front.caFile, NO_PROXY: '' };
      expect((await runGpt(sandbox, ['ask', '--max-retries', '0', 'hi'], { env })).stdout).toBe('echo: hi\n');
      proxy.seen.length = 0;
      const proxied = await runGpt(sandbox, ['ask', '--max-retries', '0', 'hi'], { env: { ...env, https_proxy: proxy.url } });
      expect(proxied.stderr).toBe('');
      expect(proxied.stdout).toBe('echo: hi\n');
      expect(proxy.seen).toEqual([`CONNECT ${new URL(front.url).host}`]);
      const untrusted = await runGpt(sandbox, ['ask', '--max-retries', '0', 'hi'], { env: { OPENAI_BASE_URL: front.url } });
      expect(untrusted.exitCode).toBe(5);
    });
  });
});

describe('batch results', () => {
  it('carry the answer as reply and the thinking as reasoning, with reasoning tokens in usage', async () => {
    server.setApiRules({ reasoningModels: true });
    server.setDefault({ kind: 'reply', text: 'Blue whale.', reasoning: 'Think.', reasoningField: 'think', reasoningTokens: 5 });
    const r = await runGpt(sandbox, ['batch', '-m', 'gpt-5-mini', '-'], { input: '{"prompt": "biggest?"}\n' });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ reply: 'Blue whale.', reasoning: 'Think.', usage: { reasoning_tokens: 5 } });
  });
});

describe('gpt chat with a reasoning model', () => {
  it('prints only the answer on stdout, keeps the thinking in the thread, shows it with --show-reasoning', async () => {
    server.setDefault({ kind: 'reply', text: 'The blue whale.', reasoning: 'Whales are big.', reasoningField: 'reasoning_content' });
    const r = await runGpt(sandbox, ['chat', '--thread', 'c', '--show-reasoning'], { input: 'biggest?\n' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('The blue whale.\n');
    expect(r.stderr).toBe('Whales are big.\n\n');
    const thread = YAML.parse(await readFile(threadFile('c'), 'utf8'));
    expect(thread.messages[1]).toMatchObject({ content: 'The blue whale.', reasoning: 'Whales are big.' });
  });
});
