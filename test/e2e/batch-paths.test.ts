import { mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

/** The input lives two folders down, so `../../x.yaml` would land in HOME. */
const writeInput = async (lines: object[]) => {
  const dir = join(sandbox.home, 'work', 'in');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'p.jsonl'), lines.map((x) => JSON.stringify(x)).join('\n'));
  return dir;
};
const missing = (path: string) => expect(stat(path)).rejects.toThrow(/ENOENT/);
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('gpt batch: a batch file is data: its items name threads, not files', () => {
  it.each([
    ['an absolute path', () => join(sandbox.home, 'planted', 'authorized_keys.yaml')],
    ['a path with ../', () => '../../x.yaml'],
    ['a path with /', () => 'sub/t'],
  ])('refuses %s in `thread` before anything is sent: exit 6, the line named, nothing written', async (_name, thread) => {
    const dir = await writeInput([
      { id: 'ok', prompt: 'fine' },
      { id: 'bad', prompt: 'ssh-ed25519 AAAA planted', thread: thread() },
    ]);
    const r = await runGpt(sandbox, ['batch', 'p.jsonl', '-o', 'out.jsonl'], { cwd: dir });
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toMatch(/^gpt: p\.jsonl:2: `thread` is a path \(.*\), not a thread name — .*--allow-paths.*--thread-dir DIR/);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(server.chatRequests()).toHaveLength(0);
    await missing(join(dir, 'out.jsonl'));
    await missing(join(sandbox.home, 'planted'));
    await missing(join(sandbox.home, 'x.yaml'));
    expect(await exists(sandbox.threadsDir)).toBe(false);
  });

  it('refuses a thread kept in --thread-dir that is a symbolic link leading out of it, before anything is sent', async () => {
    const dir = await writeInput([
      { id: 'a', prompt: 'fine', thread: 'notes' },
      { id: 'b', prompt: 'planted', thread: 'trap' },
    ]);
    const kept = join(sandbox.home, 'kept');
    await mkdir(kept);
    await mkdir(join(sandbox.home, '.ssh'));
    await symlink(join(sandbox.home, '.ssh', 'authorized_keys'), join(kept, 'trap.yaml')); // dangling: a write would create it
    const r = await runGpt(sandbox, ['batch', 'p.jsonl', '--thread-dir', kept, '-o', 'out.jsonl'], { cwd: dir });
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toMatch(/^gpt: p\.jsonl:2: 'trap\.yaml' leads out of the folder .*kept through a symbolic link — /);
    expect(server.chatRequests()).toHaveLength(0);
    await missing(join(sandbox.home, '.ssh', 'authorized_keys'));
    await missing(join(kept, 'notes.yaml'));
    await missing(join(dir, 'out.jsonl'));
  });

  it("--thread-dir DIR keeps item threads there (names only); --allow-paths takes paths from the input file's folder", async () => {
    const dir = await writeInput([
      { id: 'a', prompt: 'first', thread: 'notes' },
      { id: 'b', prompt: 'second', thread: 'notes' },
    ]);
    const kept = join(sandbox.home, 'kept');
    const r = await runGpt(sandbox, ['batch', 'p.jsonl', '--thread-dir', '../../kept', '-q'], { cwd: dir });
    expect(r.exitCode).toBe(0);
    const thread = YAML.parse(await readFile(join(kept, 'notes.yaml'), 'utf8'));
    expect(thread.messages.map((m: { content: string }) => m.content)).toEqual(['first', 'echo: first', 'second', 'echo: second']);
    expect((await stat(join(kept, 'notes.yaml'))).mode & 0o777).toBe(0o600);
    expect(await exists(sandbox.threadsDir)).toBe(false);

    // A path stays refused under --thread-dir alone.
    await writeInput([{ prompt: 'x', thread: '../../x.yaml' }]);
    const stillRefused = await runGpt(sandbox, ['batch', 'p.jsonl', '--thread-dir', kept], { cwd: dir });
    expect(stillRefused.exitCode).toBe(6);

    // --allow-paths: as given, relative to the input file's folder (run from elsewhere).
    const allowed = await runGpt(sandbox, ['batch', join('work', 'in', 'p.jsonl'), '--allow-paths', '-q']);
    expect(allowed.exitCode).toBe(0);
    expect(YAML.parse(await readFile(join(sandbox.home, 'x.yaml'), 'utf8')).messages).toHaveLength(2);
    expect(await readdir(sandbox.home)).not.toContain('threads');

    // From stdin, relative paths are taken from the working folder.
    const piped = await runGpt(sandbox, ['batch', '-', '--allow-paths', '-q'], { cwd: dir, input: '{"prompt": "p", "thread": "../piped.yaml"}\n' });
    expect(piped.exitCode).toBe(0);
    expect(YAML.parse(await readFile(join(sandbox.home, 'work', 'piped.yaml'), 'utf8')).messages).toHaveLength(2);
  });

  it('refuses a thread item with --remote whatever the opt-ins: nothing is uploaded', async () => {
    const dir = await writeInput([{ prompt: 'x' }, { prompt: 'y', thread: 'notes' }]);
    const r = await runGpt(sandbox, ['batch', 'p.jsonl', '--remote', '--allow-paths'], { cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^gpt: p\.jsonl:2: an item with `thread` cannot run with --remote/);
    expect(server.requests).toHaveLength(0);
  });
});
