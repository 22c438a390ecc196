// Shell completion, driven by the shells themselves: bash sources `gpt completion bash`
// and calls its function with COMP_WORDS set; fish answers `complete -C`; zsh parses its script.
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { GPT_BIN, runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness({ models: ['llama3.2', 'qwen2.5'] });

/** A `gpt` on PATH, as an installed one would be: the scripts call it by name. */
async function shellEnv(): Promise<Record<string, string>> {
  const bin = join(sandbox.home, 'bin');
  await mkdir(bin, { recursive: true });
  await writeFile(join(bin, 'gpt'), `#!/bin/sh\nexec node '${GPT_BIN}' "$@"\n`);
  await chmod(join(bin, 'gpt'), 0o755);
  return { ...sandbox.env, PATH: `${bin}:${sandbox.env.PATH}` };
}

/** What bash offers for each command line (the last word is the one being completed). */
async function bashComplete(lines: string[][]): Promise<string[][]> {
  const calls = lines.map((words) => `t ${words.map((w) => `'${w}'`).join(' ')}`).join('\n');
  const script = `source <(gpt completion bash)
t() { COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _gpt; echo "\${COMPREPLY[*]}"; }
${calls}`;
  const r = await execa('bash', ['--norc', '-c', script], { env: await shellEnv(), extendEnv: false, input: '' });
  return r.stdout.split('\n').map((line) => line.split(' ').filter(Boolean));
}

async function makeThreads(names: string[]): Promise<void> {
  await mkdir(sandbox.threadsDir, { recursive: true });
  for (const name of names) await writeFile(join(sandbox.threadsDir, `${name}.yaml`), 'messages: []\n');
}

describe('gpt completion bash', () => {
  it('registers a function with complete', async () => {
    const r = await execa('bash', ['--norc', '-c', 'source <(gpt completion bash) && complete -p gpt'], { env: await shellEnv(), extendEnv: false, input: '' });
    expect(r.stdout).toBe('complete -F _gpt gpt');
  });

  it('completes subcommands, flags and fixed choices', async () => {
    const got = await bashComplete([
      ['gpt', ''],
      ['gpt', 'th'],
      ['gpt', 'thread', ''],
      ['gpt', 'ask', '-m', 'x', '--th'],
      ['gpt', 'batch', '--format', ''],
      ['gpt', 'completion', ''],
      ['gpt', 'thread', 'show', '--'],
    ]);
    expect(got).toEqual([
      ['ask', 'chat', 'thread', 'batch', 'models', 'endpoints', 'template', 'completion'],
      ['thread'],
      ['list', 'ls', 'search', 'grep', 'show', 'export', 'rm', 'mv', 'fork', 'path'],
      ['--thread'],
      ['jsonl', 'yaml', 'text'],
      ['bash', 'zsh', 'fish'],
      ['--quiet', '--verbose', '--json', '--last', '--extract', '--extract-last', '--raw', '--help'],
    ]);
  });

  it('completes thread names for --thread and thread show|rm|mv|fork|path|export', async () => {
    await makeThreads(['whales', 'wasps', 'notes']);
    const got = await bashComplete([
      ['gpt', 'ask', '--thread', ''],
      ['gpt', 'chat', '--thread=', 'w'],
      ...['show', 'rm', 'mv', 'fork', 'path', 'export'].map((sub) => ['gpt', 'thread', sub, 'wh']),
    ]);
    expect(got[0]).toEqual(['notes', 'wasps', 'whales']);
    // bash splits `--thread=w` into `--thread`, `=`, `w`.
    expect(await bashComplete([['gpt', 'chat', '--thread', '=', 'w']])).toEqual([['wasps', 'whales']]);
    expect(got.slice(2)).toEqual(Array(6).fill(['whales']));
  });

  it('completes models from the list gpt models kept (0600), without calling the API', async () => {
    expect(await bashComplete([['gpt', 'ask', '-m', '']])).toEqual([[]]);
    expect((await runGpt(sandbox, ['models'])).exitCode).toBe(0);
    const cache = join(sandbox.cacheHome, 'gpt', 'models.json');
    expect((await stat(cache)).mode & 0o777).toBe(0o600);
    const before = server.requests.length;
    expect(
      await bashComplete([
        ['gpt', 'ask', '-m', ''],
        ['gpt', 'chat', '--model', 'q'],
      ]),
    ).toEqual([['llama3.2', 'qwen2.5'], ['qwen2.5']]);
    expect(server.requests.length).toBe(before);
  });

  it('completes a model name with ":" that bash hands over in pieces (llama3.2:latest)', async () => {
    await mkdir(join(sandbox.cacheHome, 'gpt'), { recursive: true });
    await writeFile(
      join(sandbox.cacheHome, 'gpt', 'models.json'),
      JSON.stringify({ fetched_at: new Date().toISOString(), models: ['llama3.2:latest', 'llama3.2:1b', 'qwen2.5'] }),
    );
    // bash replaces only what follows the last ":" (a COMP_WORDBREAKS character).
    expect(
      await bashComplete([
        ['gpt', 'ask', '-m', 'll'],
        ['gpt', 'ask', '-m', 'llama3.2', ':'],
        ['gpt', 'ask', '-m', 'llama3.2', ':', 'l'],
        ['gpt', 'ask', '--model', '=', 'llama3.2', ':', '1'],
        ['gpt', 'ask', '-m', 'llama3.2', ':', 'latest', '--th'],
      ]),
    ).toEqual([['llama3.2:latest', 'llama3.2:1b'], ['latest', '1b'], ['latest'], ['1b'], ['--thread']]);
  });

  it('ignores a models list older than a day', async () => {
    await mkdir(join(sandbox.cacheHome, 'gpt'), { recursive: true });
    const old = new Date(Date.now() - 25 * 3600_000).toISOString();
    await writeFile(join(sandbox.cacheHome, 'gpt', 'models.json'), JSON.stringify({ fetched_at: old, models: ['stale'] }));
    expect(await bashComplete([['gpt', 'ask', '-m', '']])).toEqual([[]]);
  });
});

describe('bash on a terminal', () => {
  it('Tab completes a thread name and a model with ":" on the command line, as a person sees it', async () => {
    await makeThreads(['whales', 'wasps']);
    await mkdir(join(sandbox.cacheHome, 'gpt'), { recursive: true });
    await writeFile(
      join(sandbox.cacheHome, 'gpt', 'models.json'),
      JSON.stringify({ fetched_at: new Date().toISOString(), models: ['llama3.2:latest', 'qwen2.5'] }),
    );
    // util-linux script gives bash a pty, so readline does the completing.
    const bash = spawn('script', ['-qfec', 'bash --norc -i', '/dev/null'], {
      env: { ...(await shellEnv()), PS1: '$ ', TERM: 'dumb' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    bash.stdout.on('data', (chunk) => (screen += chunk));
    const waitFor = async (text: string) => {
      for (let waited = 0; !screen.includes(text); waited += 50) {
        if (waited > 10_000) throw new Error(`never saw ${JSON.stringify(text)} in ${JSON.stringify(screen)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      bash.stdin.write('source <(gpt completion bash); echo ready\n');
      await waitFor('ready\r\n');
      bash.stdin.write('gpt thread show wh\t');
      await waitFor('gpt thread show whales ');
      bash.stdin.write('\x15gpt ask -m llama3.2:l\t');
      await waitFor('gpt ask -m llama3.2:latest ');
    } finally {
      bash.kill();
    }
  });
});

describe('gpt __complete', () => {
  it('prints thread names one a line, and nothing when there are no profiles or templates', async () => {
    await makeThreads(['b', 'a']);
    expect(await runGpt(sandbox, ['__complete', 'threads'])).toMatchObject({ exitCode: 0, stdout: 'a\nb\n', stderr: '' });
    expect(await runGpt(sandbox, ['__complete', 'profiles'])).toMatchObject({ exitCode: 0, stdout: '' });
    expect(await runGpt(sandbox, ['__complete', 'templates'])).toMatchObject({ exitCode: 0, stdout: '' });
  });

  it("offers the config's endpoint profiles, and none from a config that does not parse", async () => {
    const configDir = join(sandbox.configHome, 'gpt');
    await mkdir(configDir, { recursive: true });
    await writeFile(
      join(configDir, 'config.yaml'),
      'endpoints:\n  work:\n    base_url: http://127.0.0.1:9/v1\n  local:\n    base_url: http://127.0.0.1:8/v1\n',
    );
    expect(await runGpt(sandbox, ['__complete', 'profiles'])).toMatchObject({ exitCode: 0, stdout: 'local\nwork\n', stderr: '' });
    expect(await bashComplete([['gpt', 'ask', '--endpoint', '']])).toEqual([['local', 'work']]);
    await writeFile(join(configDir, 'config.yaml'), 'endpoints: [\n');
    expect(await runGpt(sandbox, ['__complete', 'profiles'])).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('is not listed in help', async () => {
    expect((await runGpt(sandbox, ['--help'])).stdout).not.toContain('__complete');
  });
});

/**
 * zsh and fish are not on every machine (Debian installs neither by default). Without them
 * these two tests skip and say why; CI installs both and sets GPT_TEST_REQUIRE_SHELLS=1
 * (.ci/run), and then a missing shell is a failure, not a skip.
 */
const missingShells = ['zsh', 'fish'].filter((shell) => spawnSync('sh', ['-c', `command -v ${shell}`]).status !== 0);
if (missingShells.length > 0 && process.env.GPT_TEST_REQUIRE_SHELLS) {
  throw new Error(`GPT_TEST_REQUIRE_SHELLS is set, but ${missingShells.join(' and ')} is not installed`);
}

describe.skipIf(missingShells.length > 0)(
  `zsh and fish${missingShells.length > 0 ? ` (skipped: ${missingShells.join(' and ')} not installed; apt-get install zsh fish)` : ''}`,
  () => {
    it('zsh parses its script, and its function offers what bash does', async () => {
      const script = (await runGpt(sandbox, ['completion', 'zsh'])).stdout;
      const r = await execa('zsh', ['-n', '-c', script], { reject: false, input: '' });
      expect(r).toMatchObject({ exitCode: 0, stderr: '' });
      await makeThreads(['whales', 'wasps']);
      const file = join(sandbox.home, '_gpt');
      await writeFile(file, script);
      // Outside a completion widget: compadd and _files print what they were given; zsh filters by prefix itself.
      const driver = `compdef() {}; compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@"; }; _files() { print _files; }
source '${file}'
t() { words=("$@"); CURRENT=$#; _gpt | tr '\n' ' '; echo; }
t gpt thread show w; t gpt ''; t gpt batch -o ''; t gpt thread ''`;
      const out = (await execa('zsh', ['-f', '-c', driver], { env: await shellEnv(), extendEnv: false, input: '' })).stdout.split('\n');
      expect(out).toEqual([
        'wasps whales ',
        'ask chat thread batch models endpoints template completion ',
        '_files ',
        'list ls search grep show export rm mv fork path ',
      ]);
    });

    it('fish parses its script and completes with it', async () => {
      await makeThreads(['whales', 'wasps']);
      const script = (await runGpt(sandbox, ['completion', 'fish'])).stdout;
      expect(await execa('fish', ['-n', '-c', script], { reject: false, input: '' })).toMatchObject({ exitCode: 0, stderr: '' });
      const file = join(sandbox.home, 'gpt.fish');
      await writeFile(file, script);
      const env = await shellEnv();
      const run = async (line: string) =>
        (await execa('fish', ['--no-config', '-c', `source '${file}'; complete -C '${line}'`], { env, extendEnv: false, input: '' })).stdout.split('\n');
      expect(await run('gpt thread show w')).toEqual(['wasps', 'whales']);
      expect(await run('gpt thread ')).toEqual(expect.arrayContaining(['list', 'show', 'search', 'export']));
      expect(await run('gpt ask --thread=wh')).toEqual(['--thread=whales']);
      expect(await run('gpt batch --format ')).toEqual(['jsonl', 'text', 'yaml']);
    });
  },
);
