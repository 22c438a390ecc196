// Names from disk through the built binary: an error naming a hostile file is one line on
// stderr with its control characters shown (`^[`, `^G`, `^J`), never obeyed; nothing is sent.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGpt } from '../support/cli.js';
import { sandbox, server, useHarness } from '../support/harness.js';

useHarness();

describe('gpt ask -f with a hostile file name', () => {
  it('a binary file named with OSC 52 and a newline: exit 6, one harmless line, nothing sent', async () => {
    await mkdir(join(sandbox.home, 'repo'));
    const name = 'repo/a\x1b]52;c;SGVsbG8=\x07\nb.bin';
    await writeFile(join(sandbox.home, name), Buffer.from([0, 1, 2]));
    const r = await runGpt(sandbox, ['ask', '-f', name, 'q']);
    expect(r.exitCode).toBe(6);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^gpt: [^\n]*repo\/a\^\[\]52;c;SGVsbG8=\^G\^Jb\.bin[^\n]*\n$/);
    expect(r.stderr).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    expect(server.chatRequests()).toHaveLength(0);
  });
});

describe('warnings', () => {
  it('a warning quoting a hostile file name shows its control characters as text (thread search skips a damaged file)', async () => {
    await mkdir(sandbox.threadsDir, { recursive: true });
    await writeFile(join(sandbox.threadsDir, 'ok.yaml'), 'messages:\n  - role: user\n    content: find me\n');
    await writeFile(join(sandbox.threadsDir, 'bad\x1b]0;pwned\x07.yaml'), 'messages:\n  - role: robot\n    content: find me\n');
    const r = await runGpt(sandbox, ['thread', 'search', 'find']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('bad^[]0;pwned^G.yaml');
    expect(r.stderr).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
  });
});
