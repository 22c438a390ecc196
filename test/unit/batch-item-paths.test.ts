import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkItemPaths, containedPath, itemThreadRef, type ItemPathRules } from '../../src/batch/item-paths.js';
import { ItemProblem } from '../../src/batch/item-problem.js';

let root: string;
let base: string;
let outside: string;

beforeEach(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'gpt-item-paths-')));
  base = join(root, 'base');
  outside = join(root, 'outside');
  await mkdir(join(base, 'sub'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(base, 'sub', 'notes.txt'), 'hi');
  await writeFile(join(outside, 'secret.txt'), 'no');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('containedPath', () => {
  it('resolves a path inside the base, existing or not', () => {
    expect(containedPath('sub/notes.txt', base)).toBe(join(base, 'sub', 'notes.txt'));
    expect(containedPath('sub/../sub/./notes.txt', base)).toBe(join(base, 'sub', 'notes.txt'));
    expect(containedPath('new/deeper/file.yaml', base)).toBe(join(base, 'new', 'deeper', 'file.yaml'));
  });

  it('refuses an absolute path, even one inside the base', () => {
    expect(() => containedPath(join(base, 'sub', 'notes.txt'), base)).toThrow(/is an absolute path/);
    expect(() => containedPath('/etc/passwd', base)).toThrow(ItemProblem);
  });

  it('refuses `..` that leads out, and a sibling folder that only starts with the same name', async () => {
    expect(() => containedPath('../outside/secret.txt', base)).toThrow(/leads out of the folder/);
    expect(() => containedPath('sub/../../x.yaml', base)).toThrow(/leads out of the folder/);
    await mkdir(`${base}2`);
    expect(() => containedPath('../base2/x', base)).toThrow(/leads out/);
  });

  it('refuses a symbolic link that leads out: to a file, to a folder, or dangling (a write would create its target)', async () => {
    await symlink(join(outside, 'secret.txt'), join(base, 'file-link'));
    await symlink(outside, join(base, 'dir-link'));
    await symlink(join(outside, 'not-yet', 'authorized_keys'), join(base, 'dangling'));
    await symlink('../../outside', join(base, 'sub', 'relative-link'));
    expect(() => containedPath('file-link', base)).toThrow(/through a symbolic link/);
    expect(() => containedPath('dir-link/new.yaml', base)).toThrow(/through a symbolic link/);
    expect(() => containedPath('dangling', base)).toThrow(/through a symbolic link/);
    expect(() => containedPath('sub/relative-link/secret.txt', base)).toThrow(/through a symbolic link/);
  });

  it('follows a symbolic link that stays inside, to the real file', async () => {
    await symlink(join(base, 'sub'), join(base, 'inner'));
    await symlink('sub/notes.txt', join(base, 'notes-link'));
    expect(containedPath('inner/notes.txt', base)).toBe(join(base, 'sub', 'notes.txt'));
    expect(containedPath('notes-link', base)).toBe(join(base, 'sub', 'notes.txt'));
    expect(containedPath('inner/new.yaml', base)).toBe(join(base, 'sub', 'new.yaml'));
  });

  it('takes the base through its own links (a base reached by a link is still the base)', async () => {
    await symlink(base, join(root, 'base-link'));
    expect(containedPath('sub/notes.txt', join(root, 'base-link'))).toBe(join(base, 'sub', 'notes.txt'));
  });

  it('refuses a loop of links instead of hanging', async () => {
    await symlink(join(base, 'b'), join(base, 'a'));
    await symlink(join(base, 'a'), join(base, 'b'));
    expect(() => containedPath('a', base)).toThrow(ItemProblem);
  });
});

describe('item threads', () => {
  const rules = (extra: Partial<ItemPathRules> = {}): ItemPathRules => ({
    base,
    threadsDir: join(root, 'threads'),
    allowPaths: false,
    remote: false,
    ...extra,
  });

  it('a name is a thread in the threads folder; a path is refused unless allowed', () => {
    expect(itemThreadRef('notes', rules()).file).toBe(join(root, 'threads', 'notes.yaml'));
    for (const path of ['/abs/path.yaml', '../../x.yaml', 'sub/t', 'other.yaml', 'x.YML']) {
      expect(() => itemThreadRef(path, rules()), path).toThrow(/is a path .*, not a thread name/);
    }
    expect(itemThreadRef('../x.yaml', rules({ allowPaths: true })).file).toBe(join(root, 'x.yaml'));
    expect(itemThreadRef('other.yaml', rules({ allowPaths: true })).file).toBe(join(base, 'other.yaml'));
  });

  it('--thread-dir keeps names in that folder, still names only, and not through a link out of it', async () => {
    const dir = join(root, 'kept');
    await mkdir(dir);
    expect(itemThreadRef('notes', rules({ threadDir: dir })).file).toBe(join(dir, 'notes.yaml'));
    expect(() => itemThreadRef('../x.yaml', rules({ threadDir: dir }))).toThrow(/is a path/);
    await symlink(join(outside, 'planted.yaml'), join(dir, 'trap.yaml'));
    expect(() => itemThreadRef('trap', rules({ threadDir: dir }))).toThrow(/through a symbolic link/);
  });

  it('--remote refuses any thread item, whatever the opt-ins', () => {
    const item = { id: '1', line: 3, prompt: 'x', thread: 'notes' };
    expect(() => checkItemPaths(item, rules({ remote: true, allowPaths: true }))).toThrow(/cannot run with --remote/);
    expect(() => checkItemPaths({ id: '1', line: 3, prompt: 'x' }, rules({ remote: true }))).not.toThrow();
  });
});
