// gpt ask -f through the built binary: the exact user message the server gets, and nothing sent on an error.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

const sentContent = () => server.chatRequests().at(-1)!.body.messages.at(-1).content;

/** Writes files under the sandbox's HOME, where gpt runs. */
async function tree(files: Record<string, string | Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(sandbox.home, path)), { recursive: true });
    await writeFile(join(sandbox.home, path), content);
  }
}

describe('gpt ask -f', () => {
  it('gpt ask -f dir/ "review this": the folder\'s text files, in path order, then the question', async () => {
    await tree({
      'dir/main.ts': 'import { x } from "./lib/x";\n',
      'dir/lib/x.ts': 'export const x = "`code`";\n',
      'dir/README.md': '# Dir\n\n```sh\nnpm test\n```\n',
      'dir/.gitignore': 'dist/\n',
      'dir/dist/bundle.js': 'ignored',
      'dir/.env': 'SECRET=1',
      'dir/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]),
    });
    const r = await runGpt(sandbox, ['ask', '-f', 'dir/', 'review this']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('gpt: -f left out 1 file that is not text: dir/logo.png (images and PDFs go with -a)\n');
    expect(sentContent()).toBe(
      [
        'dir/README.md',
        '````',
        '# Dir',
        '',
        '```sh',
        'npm test',
        '```',
        '````',
        '',
        'dir/lib/x.ts',
        '```',
        'export const x = "`code`";',
        '```',
        '',
        'dir/main.ts',
        '```',
        'import { x } from "./lib/x";',
        '```',
        '',
        'review this',
      ].join('\n'),
    );
  });

  it('cat x | gpt ask -f - -f y.txt "q": stdin as the file `stdin`, then y.txt, then the question', async () => {
    await tree({ 'y.txt': 'why not' });
    const r = await runGpt(sandbox, ['ask', '-f', '-', '-f', 'y.txt', 'q'], { input: 'from x\n' });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(sentContent()).toBe('stdin\n```\nfrom x\n```\n\ny.txt\n```\nwhy not\n```\n\nq');
  });

  it('refuses a missing file, a named binary file, a total over --max-files-size and a bad size, sending nothing', async () => {
    await tree({ 'shot.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0]), 'big.txt': 'x'.repeat(600 * 1024) });
    const runs = [
      [['ask', '-f', 'nope.md', 'q'], 6, 'gpt: -f nope.md: no such file or folder — check the path\n'],
      [
        ['ask', '-f', 'shot.png', 'q'],
        6,
        'gpt: -f shot.png is binary data, not text — attach images and PDFs with -a; other binary files cannot go in a prompt\n',
      ],
      [
        ['ask', '-f', 'big.txt', '-f', 'big.txt', '--max-files-size', '1M', 'q'],
        6,
        'gpt: the -f files come to 1.2 MiB, over the 1 MiB limit (largest: big.txt 600 KiB, big.txt 600 KiB) — name fewer files, or raise the limit with --max-files-size 2M\n',
      ],
      [['ask', '-f', 'big.txt', '--max-files-size', 'lots', 'q'], 2, /--max-files-size must be a size in bytes, or with k or M/],
    ] as const;
    for (const [args, code, stderr] of runs) {
      const r = await runGpt(sandbox, [...args]);
      expect(r.exitCode, args.join(' ')).toBe(code);
      if (typeof stderr === 'string') expect(r.stderr).toBe(stderr);
      else expect(r.stderr).toMatch(stderr);
      expect(r.stdout).toBe('');
    }
    expect(server.chatRequests()).toHaveLength(0);
    // Raised, the same files go.
    const r = await runGpt(sandbox, ['ask', '-f', 'big.txt', '-f', 'big.txt', '--max-files-size', '2M', 'q']);
    expect(r.exitCode).toBe(0);
  });
});
