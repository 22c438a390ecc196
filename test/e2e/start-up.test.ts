// How bin/gpt.cjs starts: the compiled-code cache lives on the user's machine, never in
// the installed package, and a checkout that was never built says so in one line.
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { GPT_BIN, runGpt } from '../support/cli.js';
import { sandbox, useHarness } from '../support/harness.js';

const DIST = join(dirname(GPT_BIN), '..', 'dist');
const { version } = JSON.parse(await readFile(join(dirname(GPT_BIN), '..', 'package.json'), 'utf8')) as { version: string };

/** The builtins a run of gpt loaded (the public ones), read from process.moduleLoadList at exit. */
async function builtinsLoaded(args: string[]): Promise<string[]> {
  const preload = join(sandbox.home, 'builtins.cjs');
  const list = join(sandbox.home, 'builtins.txt');
  await writeFile(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)},
    process.moduleLoadList.filter((m) => m.startsWith('NativeModule ') && !m.includes('internal/')).map((m) => m.slice(13)).join(' ')));`);
  const r = await runGpt(sandbox, args, { env: { NODE_OPTIONS: `--require ${preload}` } });
  expect(r.exitCode).toBe(0);
  return (await readFile(list, 'utf8')).split(' ');
}

describe('start-up', () => {
  useHarness();

  it('caches compiled code under $XDG_CACHE_HOME/gpt, never beside the bundle', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await runGpt(sandbox, ['--version']);
      expect(r.exitCode).toBe(0);
    }
    expect((await readdir(DIST)).sort()).toEqual(['gpt.cjs', 'gpt.cjs.map']);
    // Node 22.1+ keeps its own cache (compile-cache/); Node 20 gets a V8 code cache (code-cache/).
    const kept = await readdir(join(sandbox.cacheHome, 'gpt'), { recursive: true, withFileTypes: true });
    expect(kept.filter((entry) => entry.isFile()).length).toBeGreaterThan(0);
  });

  it('prints the version for --version and -V, as commander did, with other words too', async () => {
    for (const args of [['--version'], ['-V'], ['--verbose', '--version'], ['--version', '--verbose']]) {
      expect(await runGpt(sandbox, args)).toMatchObject({ exitCode: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  // Each one is milliseconds of every `gpt --version` and of every completion Tab.
  it('loads no child_process or crypto for --version and __complete, no child_process for thread list', async () => {
    await mkdir(sandbox.threadsDir, { recursive: true });
    await writeFile(join(sandbox.threadsDir, 'whales.yaml'), 'version: 1\nmessages: []\n');
    for (const args of [['--version'], ['__complete', 'threads'], ['thread', 'list'], ['thread', 'path', 'whales']]) {
      const loaded = await builtinsLoaded(args);
      expect(loaded, args.join(' ')).toContain('fs');
      expect(loaded, args.join(' ')).not.toContain('child_process');
      if (args[0] !== 'thread') expect(loaded, args.join(' ')).not.toContain('crypto');
    }
  });

  it('keeps a code cache per command on Node 20, written only after a run that succeeded', async () => {
    await runGpt(sandbox, ['--version']);
    await runGpt(sandbox, ['thread', 'list']);
    expect((await runGpt(sandbox, ['tread', 'list'])).exitCode).toBe(2);
    const root = join(sandbox.cacheHome, 'gpt');
    if ('enableCompileCache' in (await import('node:module')).default) {
      // Node 22.1+ keeps its own cache, of each file the runs compiled.
      expect(await readdir(root)).toContain('compile-cache');
    } else {
      const names = await readdir(join(root, 'code-cache'));
      expect(names.map((n) => n.replace(/^gpt\.cjs-v[\d.]+-\d+-\d+-/, '')).sort()).toEqual(['thread', 'version']);
    }
  });

  it('runs when the cache folder cannot be created', async () => {
    const notAFolder = join(sandbox.home, 'cache-is-a-file');
    await writeFile(notAFolder, '');
    const r = await runGpt(sandbox, ['--version'], { env: { XDG_CACHE_HOME: notAFolder } });
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('says in one line to build first when dist/ is missing', async () => {
    const checkout = await mkdtemp(join(tmpdir(), 'gpt-unbuilt-'));
    try {
      await mkdir(join(checkout, 'bin'));
      await copyFile(GPT_BIN, join(checkout, 'bin', 'gpt.cjs'));
      const r = await execa('node', [join(checkout, 'bin', 'gpt.cjs'), '--version'], { env: sandbox.env, extendEnv: false, reject: false, input: '' });
      expect(r).toMatchObject({ exitCode: 1, stdout: '', stderr: 'gpt: not built yet — run npm run build' });
    } finally {
      await rm(checkout, { recursive: true, force: true });
    }
  });
});
