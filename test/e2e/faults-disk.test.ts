import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runGpt } from '../support/cli.js';
import { sandbox, useHarness } from '../support/harness.js';
import { mountTmpfs, tmpfsUnavailable, unmount } from '../support/tmpfs.js';

useHarness();

const noTmpfs = await tmpfsUnavailable();
const mounted: string[] = [];

afterEach(async () => {
  while (mounted.length) await unmount(mounted.pop()!);
});

async function mountAt(dir: string, options: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await mountTmpfs(dir, options);
  mounted.push(dir);
}

describe.skipIf(noTmpfs)(`a small disk (tmpfs)${noTmpfs ? ` — skipped: ${noTmpfs}` : ''}`, () => {
  it('an ask that no longer fits exits 7, prints the reply, and leaves the thread byte for byte', async () => {
    await mountAt(sandbox.dataHome, 'size=200k');
    const file = join(sandbox.threadsDir, 'full.yaml');
    const prompt = `${'a long question '.repeat(1900)}end`; // ~30 KB; the reply echoes it
    let before: string | undefined;
    let turns = 0;
    for (; turns < 12; turns++) {
      const r = await runGpt(sandbox, ['ask', '--thread', 'full'], { input: prompt });
      if (r.exitCode === 0) {
        before = await readFile(file, 'utf8');
        continue;
      }
      expect(r.exitCode).toBe(7);
      expect(r.stderr).toMatch(/^gpt: cannot (write|lock) \S+full\.yaml: the disk is full \(ENOSPC\) — free some space[^\n]*\n$/);
      expect(r.stdout).toBe(`echo: ${prompt}\n`);
      break;
    }
    expect(turns).toBeGreaterThan(0); // at least one turn fitted before the disk filled
    expect(turns).toBeLessThan(12);
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(YAML.parse(before!).messages).toHaveLength(2 * turns);
    expect(await readdir(sandbox.threadsDir)).toEqual(['full.yaml']); // no temp file left
  });

  it('a cache folder too small for the code caches costs speed only, and keeps no partly written cache', async () => {
    // The small bundle's cache (~30 KB) fits; the large bundle's (hundreds of KB) does not.
    await mountAt(sandbox.cacheHome, 'size=64k');
    for (let run = 0; run < 2; run++) {
      const r = await runGpt(sandbox, ['thread', '--help']);
      expect(r).toMatchObject({ exitCode: 0, stderr: '' });
      expect(r.stdout).toMatch(/^Usage: gpt thread/);
    }
    const names = await readdir(join(sandbox.cacheHome, 'gpt', 'code-cache'));
    expect(names.map((n) => n.replace(/-v[\d.]+-\d+-\d+-/, ' '))).toEqual(['gpt.cjs thread']);
  });
});

describe.skipIf(noTmpfs)(`a read-only HOME (read-only tmpfs)${noTmpfs ? ` — skipped: ${noTmpfs}` : ''}`, () => {
  // Root ignores permission bits, so a read-only mount stands for a read-only HOME.
  const NOT_KEPT = /^gpt: this conversation is not kept \(cannot create folder \S+: the file system is read-only \(EROFS\)\) — [^\n]+\n$/;

  it('gpt ask without --thread warns once and exits 0; --json says no thread', async () => {
    await mountAt(sandbox.home, 'ro,size=16k');
    let r = await runGpt(sandbox, ['ask', 'hi']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('echo: hi\n');
    expect(r.stderr).toMatch(NOT_KEPT);
    r = await runGpt(sandbox, ['ask', '--json', 'hi']);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ reply: 'echo: hi', thread: null });
    expect(r.stderr).toMatch(NOT_KEPT);
  });

  it('gpt chat from a pipe warns once for the whole conversation and exits 0', async () => {
    await mountAt(sandbox.home, 'ro,size=16k');
    const r = await runGpt(sandbox, ['chat'], { input: 'one\ntwo\nthree\n' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('echo: one');
    expect(r.stdout).toContain('echo: three');
    expect(r.stderr).toMatch(NOT_KEPT);
  });

  it('an explicit --thread still fails with exit 7, naming the read-only file system', async () => {
    await mountAt(sandbox.home, 'ro,size=16k');
    for (const args of [
      ['ask', '--thread', 'kept', 'hi'],
      ['chat', '--thread', 'kept'],
    ]) {
      const r = await runGpt(sandbox, args, { input: 'hi\n' });
      expect(r.exitCode).toBe(7);
      expect(r.stdout).toContain('echo: hi');
      expect(r.stderr).toMatch(/^gpt: cannot create folder \S+: the file system is read-only \(EROFS\) — /m);
      expect(r.stderr).not.toContain('ENOENT');
    }
  });
});
