// The -f reading at the edge, on real temp folders: the walk, .gitignore, what is not text, the limit.
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode, type GptError } from '../../src/core/errors.js';
import { folderFiles } from '../../src/io/folder-files.js';
import { readTextFiles } from '../../src/io/text-files.js';
import { asUnprivileged } from '../support/as-nobody.js';
import { stdinFrom } from '../support/fake-deps.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpt-files-'));
});
afterEach(async () => {
  await chmod(join(dir, 'locked'), 0o700).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

/** Writes files under the temp folder: path -> text or bytes. */
async function tree(files: Record<string, string | Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

const read = (paths: string[], maxBytes = 1024 * 1024, stdin = '') => readTextFiles(paths, { cwd: dir, maxBytes, stdin: stdinFrom(stdin) });
const failure = (paths: string[], maxBytes?: number) =>
  read(paths, maxBytes).then(
    () => undefined,
    (e: GptError) => e,
  );
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]);
const LATIN1 = Buffer.from('caf\xe9 cr\xe8me\n', 'latin1');

describe('folderFiles', () => {
  it('walks recursively in path byte order, skipping hidden files and folders', async () => {
    await tree({ 'b.txt': 'b', 'a/z.txt': 'z', 'a-c.txt': 'ac', 'B.txt': 'B', '.env': 'SECRET', '.git/config': 'x', 'a/.hidden/x.txt': 'x' });
    // '-' (0x2d) sorts before '/' (0x2f), and capitals before lower case: byte order, not a walk's order.
    expect(await folderFiles(dir)).toEqual(['B.txt', 'a-c.txt', 'a/z.txt', 'b.txt']);
  });

  it('in a git work tree, follows the .gitignore files above the folder and the exclude file, as git does', async () => {
    await tree({
      'repo/.git/info/exclude': 'notes.txt\n',
      'repo/.gitignore': '*.log\n/src/gen/\n',
      'repo/src/.gitignore': '!keep.log\n',
      'repo/src/lib/.gitignore': 'draft.ts\n',
      'repo/src/lib/a.ts': 'a',
      'repo/src/lib/draft.ts': 'x',
      'repo/src/lib/debug.log': 'x',
      'repo/src/lib/keep.log': 'k',
      'repo/src/lib/notes.txt': 'x',
      'repo/src/gen/x.ts': 'x',
    });
    // Walked from repo/src/lib: the rules of repo/ and repo/src/ still reach it.
    expect(await folderFiles(join(dir, 'repo/src/lib'))).toEqual(['a.ts', 'keep.log']);
    expect(await folderFiles(join(dir, 'repo/src'))).toEqual(['lib/a.ts', 'lib/keep.log']);
    expect(await folderFiles(join(dir, 'repo'))).toEqual(['src/lib/a.ts', 'src/lib/keep.log']);
  });

  it('outside a git work tree, a .gitignore above the folder has no say', async () => {
    await tree({ 'notrepo/.gitignore': '*.log\n', 'notrepo/src/a.log': 'a' });
    expect(await folderFiles(join(dir, 'notrepo/src'))).toEqual(['a.log']);
  });

  it("follows the folder's own and nested .gitignore files, a deeper one and a negation winning", async () => {
    await tree({
      '.gitignore': '*.log\nbuild/\nsecret.txt\n',
      'app.log': 'x',
      'build/out.js': 'x',
      'secret.txt': 'x',
      'keep.ts': 'x',
      'sub/.gitignore': '!keep.log\n/local.txt\n',
      'sub/keep.log': 'kept',
      'sub/other.log': 'x',
      'sub/local.txt': 'x',
      'sub/deeper/local.txt': 'anchored to sub/ only, so kept',
      'sub/deeper/secret.txt': 'x',
    });
    expect(await folderFiles(dir)).toEqual(['keep.ts', 'sub/deeper/local.txt', 'sub/keep.log']);
  });

  it('reads a link to a file, does not follow a link to a folder, and does not hang on a link loop', async () => {
    await tree({ 'real/a.txt': 'a' });
    await symlink(join(dir, 'real', 'a.txt'), join(dir, 'real', 'link.txt'));
    await symlink(dir, join(dir, 'real', 'up')); // a loop: real/up/real/up/...
    await symlink('self', join(dir, 'self')); // a link to itself
    await symlink('missing', join(dir, 'broken'));
    expect(await folderFiles(dir)).toEqual(['real/a.txt', 'real/link.txt']);
  });
});

describe('readTextFiles', () => {
  it("labels a folder's files under the path as written, files in the order given", async () => {
    await tree({ 'src/b.ts': 'b\n', 'src/a.ts': 'a\n', 'notes.md': 'n\n' });
    const { files } = await read(['notes.md', 'src/', './src']);
    expect(files.map((f) => f.label)).toEqual(['notes.md', 'src/a.ts', 'src/b.ts', './src/a.ts', './src/b.ts']);
    expect(files[0]!.text).toBe('n\n');
  });

  it('reads stdin as the file `stdin` for -', async () => {
    await tree({ 'y.txt': 'y\n' });
    const { files } = await read(['-', 'y.txt'], undefined, 'from the pipe\n');
    expect(files).toEqual([
      { label: 'stdin', text: 'from the pipe\n' },
      { label: 'y.txt', text: 'y\n' },
    ]);
  });

  it('drops a byte-order mark, as for stdin', async () => {
    await tree({ 'bom.txt': '\ufeffhello\n' });
    expect((await read(['bom.txt'])).files[0]!.text).toBe('hello\n');
  });

  it('leaves out a png and a Latin-1 file inside a folder, saying which', async () => {
    await tree({ 'site/index.html': '<p>hi</p>\n', 'site/logo.png': PNG, 'site/old.txt': LATIN1 });
    const { files, skipped } = await read(['site']);
    expect(files.map((f) => f.label)).toEqual(['site/index.html']);
    expect(skipped).toEqual(['site/logo.png', 'site/old.txt']);
  });

  it('refuses a named binary file (exit 6), suggesting -a', async () => {
    await tree({ 'logo.png': PNG });
    const error = await failure(['logo.png']);
    expect(error).toMatchObject({ exitCode: ExitCode.badInput, message: '-f logo.png is binary data, not text' });
    expect(error!.hint).toMatch(/-a/);
  });

  it('refuses a named Latin-1 file (exit 6), naming it', async () => {
    await tree({ 'old.txt': LATIN1 });
    expect(await failure(['old.txt'])).toMatchObject({ exitCode: ExitCode.badInput, message: '-f old.txt is not valid UTF-8 text' });
  });

  it('refuses a missing path, and a folder with nothing to read, naming them', async () => {
    expect(await failure(['nope.txt'])).toMatchObject({ exitCode: ExitCode.badInput, message: '-f nope.txt: no such file or folder' });
    await tree({ 'empty/.gitignore': '*\n' });
    expect(await failure(['empty/'])).toMatchObject({ exitCode: ExitCode.badInput, message: '-f empty/: no files in it to read' });
  });

  it('refuses a file it may not read, naming it', async () => {
    await tree({ 'locked/a.txt': 'a' });
    await chmod(join(dir, 'locked', 'a.txt'), 0);
    expect(await asUnprivileged(join(dir, 'locked', 'a.txt'), () => failure(['locked/a.txt']))).toMatchObject({
      exitCode: ExitCode.badInput,
      message: '-f locked/a.txt: permission denied',
    });
  });

  it('refuses a total over the limit, naming the total and the largest files', async () => {
    await tree({ 'd/big.txt': 'x'.repeat(3000), 'd/mid.txt': 'x'.repeat(2000), 'd/small.txt': 'x'.repeat(100), 'd/z.png': PNG });
    const error = await failure(['d'], 4096);
    expect(error?.exitCode).toBe(ExitCode.badInput);
    // The png is not counted: it would be left out.
    // Over the limit after d/mid.txt: d/small.txt and d/z.png are not read, so the total is a lower bound.
    expect(error?.message).toBe('the -f files come to at least 4.9 KiB, over the 4 KiB limit (largest of those read: d/big.txt 2.9 KiB, d/mid.txt 2 KiB)');
    expect(await read(['d'], 5100)).toMatchObject({ skipped: ['d/z.png'] });
    expect((await failure(['d'], 5099))?.message).toMatch(/^the -f files come to at least 5100 bytes, over the 5099 bytes limit \(largest of those read: /);
    // Over only with the last file read: the total is exact.
    expect((await failure(['d/big.txt', 'd/mid.txt'], 4096))?.message).toMatch(/^the -f files come to 4.9 KiB, over the 4 KiB limit \(largest: /);
  });

  it('stops reading once the total is over the limit: a later file is not even opened', async () => {
    await tree({ 'big.txt': 'x'.repeat(2048) });
    // A pipe with no writer: opening it would wait for ever.
    execFileSync('mkfifo', [join(dir, 'waits')]);
    const error = await failure(['big.txt', 'waits'], 1024);
    expect(error?.message).toBe('the -f files come to at least 2 KiB, over the 1 KiB limit (largest of those read: big.txt 2 KiB)');
  }, 3000);

  it("refuses an empty path (a script's empty variable) instead of reading the current folder", async () => {
    await tree({ 'a.txt': 'a' });
    expect(await failure([''])).toMatchObject({ exitCode: ExitCode.badInput, message: '-f: the path is empty' });
  });

  it('counts a large file past the limit by its size', async () => {
    await tree({ 'a.txt': 'a'.repeat(100), 'huge.txt': 'h'.repeat(5 * 1024 * 1024) });
    expect((await failure(['a.txt', 'huge.txt'], 1024))?.message).toMatch(
      /^the -f files come to 5 MiB, over the 1 KiB limit \(largest: huge\.txt 5 MiB, a\.txt 100 B\)$/,
    );
  });
});
