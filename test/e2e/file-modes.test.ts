import { chmod, lstat, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGpt } from '../support/cli.js';
import { png } from '../support/attachment-files.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

/** Every file and folder under `dir`, with its permission bits. */
async function walk(dir: string, found: Array<[string, string]> = []): Promise<Array<[string, string]>> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mode = ((await lstat(path)).mode & 0o777).toString(8);
    if (entry.isSymbolicLink()) continue;
    found.push([`${relative(sandbox.home, path)}${entry.isDirectory() ? '/' : ''}`, mode]);
    if (entry.isDirectory()) await walk(path, found);
  }
  return found;
}

describe('the files gpt creates hold conversations: all private', () => {
  it('after every command has run, each file gpt wrote is 0600 and each folder 0700 (temporary ones included)', async () => {
    // The test's own inputs, in a folder of their own and left out of the walk.
    const inputs = join(sandbox.home, 'inputs');
    await mkdir(inputs);
    await writeFile(
      join(inputs, 'p.jsonl'),
      '{"id": "a", "prompt": "one", "thread": "kept"}\n{"id": "b", "prompt": "two"}\n' +
        '{"id": "c", "prompt": "see", "thread": "pics", "attachments": ["shot.png"]}\n',
    );
    await writeFile(join(inputs, 'shot.png'), png(4, 4));
    await writeFile(join(inputs, 'r.jsonl'), '{"id": "x", "prompt": "remote"}\n');
    const tmp = join(sandbox.home, 'tmp'); // temporary files gpt makes land here, if any is left behind
    await mkdir(tmp, { mode: 0o700 });
    const editor = join(inputs, 'editor.sh'); // plays $EDITOR for gpt ask -e
    await writeFile(editor, '#!/bin/sh\nprintf edited > "$1"\n');
    await chmod(editor, 0o755);
    const env = { TMPDIR: tmp, EDITOR: editor };
    const gpt = async (args: string[], input = '') => {
      const r = await runGpt(sandbox, args, { env, input });
      expect(r.exitCode, `gpt ${args.join(' ')}: ${r.stderr}`).toBe(0);
    };
    await gpt(['ask', 'kept automatically']);
    await gpt(['ask', '--thread', 'named', 'first']);
    await gpt(['ask', '--thread', 'named', 'second']);
    await gpt(['ask', '--thread', 'out/explicit.yaml', 'a path']);
    await gpt(['chat', '--thread', 'talk'], 'hello\nagain\n');
    await gpt(['thread', 'list']);
    await gpt(['thread', 'show', 'named']);
    await gpt(['thread', 'fork', 'named', 'forked']);
    await gpt(['thread', 'mv', 'forked', 'moved']);
    await gpt(['thread', 'search', 'first']);
    await gpt(['thread', 'export', 'named', '-o', 'exported.md']);
    await gpt(['ask', '-e']);
    await gpt(['models']);
    await gpt(['batch', 'inputs/p.jsonl', '-q']);
    await gpt(['batch', 'inputs/p.jsonl', '-o', 'out.jsonl', '--thread-dir', 'item-threads']);
    await gpt(['batch', '-', '-o', 'stdin-out.jsonl'], '{"prompt": "from stdin"}\n');
    await gpt(['batch', 'inputs/r.jsonl', '--remote', '-o', 'remote-out.jsonl', '--poll-interval', '0.01']);
    expect(server.chatRequests().length).toBeGreaterThan(0);

    const created = (await walk(sandbox.home)).filter(([path]) => !path.startsWith('inputs/'));
    expect(created.map(([path]) => path)).toEqual(
      expect.arrayContaining([
        'data/gpt/threads/named.yaml',
        'data/gpt/threads/moved.yaml',
        'data/gpt/threads/talk.yaml',
        'data/gpt/threads/kept.yaml',
        'out/explicit.yaml',
        'item-threads/kept.yaml',
        'out.jsonl',
        'stdin-out.jsonl',
        'remote-out.jsonl',
        'exported.md',
        'cache/gpt/models.json',
        'data/gpt/attachments/',
        'item-threads/gpt-attachments/',
      ]),
    );
    expect(created.length).toBeGreaterThan(12); // the files above and their folders
    const wrong = created.filter(([path, mode]) => mode !== (path.endsWith('/') ? '700' : '600'));
    expect(wrong).toEqual([]);
  });
});
