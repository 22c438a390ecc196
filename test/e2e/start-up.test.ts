// How bin/gpt.cjs starts: the compiled-code cache lives on the user's machine, never in
// the installed package, and a checkout that was never built says so in one line.
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { GPT_BIN, runGpt } from '../support/cli.js';
import { sandbox, useHarness } from '../support/harness.js';

const DIST = join(dirname(GPT_BIN), '..', 'dist');

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
