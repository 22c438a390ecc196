// How bin/gpt.cjs starts: the compiled-code cache lives on the user's machine, never in
// the installed package, and a checkout that was never built says so in one line.
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { GPT_BIN, runGpt } from '../support/cli.js';
import { sandbox, useHarness } from '../support/harness.js';

const DIST = join(dirname(GPT_BIN), '..', 'dist');
const { version } = JSON.parse(await readFile(join(dirname(GPT_BIN), '..', 'package.json'), 'utf8')) as { version: string };

/**
 * What a run of gpt loaded, read at exit: the builtins (the public ones, from
 * process.moduleLoadList) and the files it required or read (bin/gpt.cjs reads a bundle
 * itself on Node 20, to run it with its code cache).
 */
async function modulesLoaded(args: string[], exitCode = 0): Promise<{ builtins: string[]; files: string[] }> {
  const preload = join(sandbox.home, 'modules.cjs');
  const list = join(sandbox.home, 'modules.json');
  await writeFile(
    preload,
    `const fs = require('node:fs'); const read = new Set(); const readFileSync = fs.readFileSync;
    fs.readFileSync = (file, ...rest) => (read.add(String(file)), readFileSync(file, ...rest));
    process.on('exit', () => fs.writeFileSync(${JSON.stringify(list)}, JSON.stringify({
      builtins: process.moduleLoadList.filter((m) => m.startsWith('NativeModule ') && !m.includes('internal/')).map((m) => m.slice(13)),
      files: [...Object.keys(require.cache), ...read] })));`,
  );
  const r = await runGpt(sandbox, args, { env: { NODE_OPTIONS: `--require ${preload}` } });
  expect(r.exitCode, args.join(' ')).toBe(exitCode);
  return JSON.parse(await readFile(list, 'utf8')) as { builtins: string[]; files: string[] };
}

describe('start-up', () => {
  useHarness();

  it('caches compiled code under $XDG_CACHE_HOME/gpt, never beside the bundles', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await runGpt(sandbox, ['--version']);
      expect(r.exitCode).toBe(0);
    }
    expect((await readdir(DIST)).sort()).toEqual(['cli.cjs', 'cli.cjs.map', 'gpt.cjs', 'gpt.cjs.map']);
    // V8 code caches (code-cache/), on every Node version.
    const kept = await readdir(join(sandbox.cacheHome, 'gpt'), { recursive: true, withFileTypes: true });
    expect(kept.filter((entry) => entry.isFile()).length).toBeGreaterThan(0);
  });

  it('prints the version for --version and -V, as commander did, with other words too', async () => {
    for (const args of [['--version'], ['-V'], ['--verbose', '--version'], ['--version', '--verbose']]) {
      expect(await runGpt(sandbox, args)).toMatchObject({ exitCode: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  // Each one is milliseconds of every `gpt --version` and of every completion Tab.
  it('answers --version, __complete, thread list and thread path from the small bundle, with no child_process, crypto or module', async () => {
    await writeSettledThread('whales');
    expect((await runGpt(sandbox, ['thread', 'list'])).exitCode).toBe(0);
    const lines = [['--version'], ['__complete', 'threads'], ['thread', 'list'], ['thread', 'ls', '--json', '-q'], ['thread', 'path', 'whales']];
    for (const args of lines) {
      const { builtins, files } = await modulesLoaded(args);
      expect(builtins, args.join(' ')).toContain('fs');
      expect(builtins, args.join(' ')).not.toContain('child_process');
      expect(builtins, args.join(' ')).not.toContain('crypto');
      // node:module (the error reporter's source maps) is loaded only to report an error.
      expect(builtins, args.join(' ')).not.toContain('module');
      expect(files, args.join(' ')).toContain(join(DIST, 'gpt.cjs'));
      expect(files, args.join(' ')).not.toContain(join(DIST, 'cli.cjs'));
    }
    // Any other line is commander's, in the large bundle.
    for (const [args, exitCode] of [
      [['thread', 'list', '--help'], 0],
      [['thread', 'path', 'whales', 'extra'], 2],
      [['__complete', 'nothing'], 2],
    ] as const) {
      expect((await modulesLoaded([...args], exitCode)).files, args.join(' ')).toContain(join(DIST, 'cli.cjs'));
    }
  });

  // /dev/null is a character device, as a terminal is; process.stdout (SyncWriteStream, which
  // loads node:stream) would cost 2-4 ms to tell them apart, more than the listing itself.
  it('lists threads to /dev/null without creating process.stdout, and without a header', async () => {
    await writeSettledThread('whales');
    expect((await runGpt(sandbox, ['thread', 'list'])).exitCode).toBe(0);
    const preload = join(sandbox.home, 'stdout.cjs');
    const report = join(sandbox.home, 'stdout.json');
    // What the run loaded, and what it wrote to fd 1, which is /dev/null (stdio 'ignore').
    await writeFile(
      preload,
      `const fs = require('node:fs'); const writeSync = fs.writeSync; let out = '';
      fs.writeSync = (fd, data, ...rest) => { if (fd === 1) out += Buffer.from(data).toString(); return writeSync(fd, data, ...rest); };
      process.on('exit', () => fs.writeFileSync(${JSON.stringify(report)}, JSON.stringify({ out, modules: process.moduleLoadList })));`,
    );
    for (const args of [
      ['thread', 'list'],
      ['__complete', 'threads'],
    ]) {
      const r = await execa('node', [GPT_BIN, ...args], {
        env: { ...sandbox.env, NODE_OPTIONS: `--require ${preload}` },
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
        stdout: 'ignore',
      });
      expect(r, args.join(' ')).toMatchObject({ exitCode: 0, stderr: '' });
      const { out, modules } = JSON.parse(await readFile(report, 'utf8')) as { out: string; modules: string[] };
      expect(out, args.join(' ')).toMatch(/^whales/);
      expect(modules, args.join(' ')).not.toContain('NativeModule stream');
      expect(modules, args.join(' ')).not.toContain('NativeModule internal/fs/sync_write_stream');
    }
  });

  it('keeps a code cache of each bundle per command, written only after a run that succeeded', async () => {
    await runGpt(sandbox, ['--version']);
    await runGpt(sandbox, ['thread', '--help']);
    // A group's subcommands run different code: each has its own cache.
    await runGpt(sandbox, ['thread', 'list']);
    await runGpt(sandbox, ['thread', 'show', 'nothing-of-that-name']);
    expect((await runGpt(sandbox, ['tread', 'list'])).exitCode).toBe(2);
    const root = join(sandbox.cacheHome, 'gpt');
    const names = await readdir(join(root, 'code-cache'));
    expect(names.map((n) => n.replace(/-v[\d.]+-\d+-\d+-/, ' ')).sort()).toEqual([
      'cli.cjs thread',
      'gpt.cjs thread',
      'gpt.cjs thread-list',
      'gpt.cjs version',
    ]);
  });

  it("removes an older build's caches of the same Node version, and another version's only when over a month old", async () => {
    const dir = join(sandbox.cacheHome, 'gpt', 'code-cache');
    await mkdir(dir, { recursive: true });
    const monthAgo = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    const files = {
      olderBuild: `gpt.cjs-${process.version}-1-2-version`,
      otherNode: 'gpt.cjs-v99.0.0-3-4-version',
      otherNodeOld: 'gpt.cjs-v98.0.0-5-6-version',
      otherBundle: 'cli.cjs-v98.0.0-7-8-ask',
    };
    for (const name of Object.values(files)) await writeFile(join(dir, name), 'not a real cache');
    await utimes(join(dir, files.otherNodeOld), monthAgo, monthAgo);
    expect((await runGpt(sandbox, ['--version'])).exitCode).toBe(0);
    const names = await readdir(dir);
    expect(names).toContain(files.otherNode);
    expect(names).toContain(files.otherBundle); // another bundle's caches are its own to tidy
    expect(names).not.toContain(files.olderBuild);
    expect(names).not.toContain(files.otherNodeOld);
    expect(names.filter((n) => n.startsWith(`gpt.cjs-${process.version}-`) && n.endsWith('-version'))).toHaveLength(1);
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

/**
 * A thread file written a minute ago: the first listing keeps it in the list cache (a file
 * written in the last 100 ms is not kept), so the listings after it only read, however soon
 * they run. A listing that writes the cache loads node:fs/promises for the write.
 */
async function writeSettledThread(name: string): Promise<void> {
  await mkdir(sandbox.threadsDir, { recursive: true });
  const file = join(sandbox.threadsDir, `${name}.yaml`);
  await writeFile(file, 'version: 1\nmessages: []\n');
  const minuteAgo = new Date(Date.now() - 60_000);
  await utimes(file, minuteAgo, minuteAgo);
}
