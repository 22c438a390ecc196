// File names from disk (a cloned repository's folder) reach a person's terminal shown, never
// obeyed: no raw control byte in dry runs, warnings, errors or [attached: ...] lines.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runAsk, type AskOptions } from '../../src/commands/ask.js';
import { runBatch } from '../../src/commands/batch.js';
import type { BatchOptions } from '../../src/commands/batch-options.js';
import { runChat } from '../../src/commands/chat.js';
import { runThreadExport } from '../../src/commands/thread-export.js';
import { runThreadShow } from '../../src/commands/thread.js';
import { badInputError } from '../../src/core/errors.js';
import { reportError } from '../../src/io/report-error.js';
import { png } from '../support/attachment-files.js';
import { eachTestWorld, failure, scriptedLines } from '../support/fake-deps.js';

const world = eachTestWorld();

// OSC 52 writes the clipboard, OSC 0 sets the window title; a newline would split a line.
const CLIPBOARD = 'a\x1b]52;c;SGVsbG8=\x07.txt';
const TITLE = 'b\x1b]0;T\x07.bin';
const SPLIT = 'c\nd.txt';
/** Any control character but the newline that ends each line. */
const RAW = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

const put = async (name: string, bytes: Buffer | string) => {
  await mkdir(join(world.home, name, '..'), { recursive: true });
  await writeFile(join(world.home, name), bytes);
};
const ask = (args: string[], more: Partial<AskOptions> = {}) => runAsk({ args, continueLatest: false, json: false, stream: true, ...more }, world.deps);
/** stderr, one line at a time: each line holds no control character. */
const stderrLines = () => world.stderr().split('\n');

describe('gpt ask -f . --dry-run in a folder with hostile names', () => {
  beforeEach(async () => {
    await put(`repo/${CLIPBOARD}`, 'hello\n');
    await put(`repo/${SPLIT}`, 'split\n');
    await put(`repo/${TITLE}`, Buffer.from([0, 1, 2]));
  });

  it('names the files on stdout shown as ^[ and ^J, one line each', async () => {
    await ask(['q'], { files: ['repo'], dryRun: true });
    expect(world.out()).not.toMatch(RAW);
    const line = world
      .out()
      .split('\n')
      .find((l) => l.startsWith('  user:'));
    expect(line).toContain('with files repo/a^[]52;c;SGVsbG8=^G.txt (6 B), repo/c^Jd.txt (6 B)');
    expect(world.client.requests).toHaveLength(0);
  });

  it('names the file left out on stderr the same way', async () => {
    await ask(['q'], { files: ['repo'], dryRun: true });
    expect(world.stderr()).toBe('gpt: -f left out 1 file that is not text: repo/b^[]0;T^G.bin (images and PDFs go with -a)\n');
  });

  it('the error naming a binary file given by name is one harmless line', async () => {
    const error = await failure(ask(['q'], { files: [`repo/${TITLE}`] }));
    expect(error?.message).toContain(TITLE); // the error itself is exact; the reporter shows it
    let stderr = '';
    let stdout = '';
    reportError(error, {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      secret: undefined,
      json: true,
      verbose: false,
    });
    expect(stderr).toMatch(/^gpt: [^\n]*repo\/b\^\[\]0;T\^G\.bin[^\n]*\n$/);
    expect(stderr).not.toMatch(RAW);
    // --json keeps the name exact: JSON escapes it.
    expect(JSON.parse(stdout).error.message).toContain(TITLE);
    expect(stdout).not.toMatch(RAW);
  });
});

describe('the error reporter', () => {
  it('shows a newline and control characters of a message and hint, in one line', () => {
    let stderr = '';
    reportError(badInputError(`cannot read ${SPLIT}`, `check \x1b[2J${CLIPBOARD}`), {
      stdout: () => {},
      stderr: (t) => {
        stderr += t;
      },
      secret: undefined,
      json: false,
      verbose: false,
    });
    expect(stderr).toBe('gpt: cannot read c^Jd.txt — check ^[[2Ja^[]52;c;SGVsbG8=^G.txt\n');
  });
});

describe('gpt ask -a --dry-run with a hostile image name', () => {
  it('names it harmlessly', async () => {
    await put(`x${SPLIT}\x1b[2J.png`, png(4, 4));
    await ask(['q'], { attach: [`x${SPLIT}\x1b[2J.png`], dryRun: true });
    expect(world.out()).not.toMatch(RAW);
    expect(world.out()).toContain('with xc^Jd.txt^[[2J.png (image/png,');
  });
});

describe('gpt chat -f, /file and /attach', () => {
  it('say what was added, and what the next message goes with, harmlessly', async () => {
    await put(CLIPBOARD, 'hi\n');
    await put(`s${SPLIT}.png`, png(2, 2));
    await runChat({ continueLatest: false, stream: true, files: [CLIPBOARD] }, world.deps, scriptedLines([`/attach s${SPLIT}.png`, '/file']));
    const lines = stderrLines();
    expect(world.stderr()).not.toMatch(RAW);
    expect(lines).toContain('gpt: added a^[]52;c;SGVsbG8=^G.txt (3 B) to the next message');
    expect(lines.some((l) => l.startsWith('gpt: added sc^Jd.txt.png (image/png, '))).toBe(true);
    expect(lines.some((l) => l.startsWith('gpt: the next message goes with a^[]52;c;SGVsbG8=^G.txt (3 B), sc^Jd.txt.png'))).toBe(true);
  });
});

describe('a thread with an attachment whose name holds a newline and ESC', () => {
  it('thread show and export keep [attached: ...] on one line', async () => {
    const name = `s${SPLIT}\x1b]0;T\x07.png`;
    await put(name, png(2, 2));
    await ask(['look'], { thread: 't', attach: [name] });
    const before = world.out().length;
    await runThreadShow({ thread: 't', json: false, last: false }, world.deps);
    const shown = world.out().slice(before);
    expect(shown).not.toMatch(RAW);
    expect(shown).toMatch(/^\[attached: sc\^Jd\.txt\^\[\]0;T\^G\.png \(image\/png, \d+ B\)\]$/m);
    const at = world.out().length;
    await runThreadExport({ thread: 't', format: 'md' }, world.deps);
    expect(world.out().slice(at)).toMatch(/^\[attached: sc\^Jd\.txt\^\[\]0;T\^G\.png \(image\/png, \d+ B\)\]$/m);
  });
});

describe('gpt batch --dry-run', () => {
  it("names items' ids and files harmlessly, and the files it leaves out", async () => {
    await put(`job/d/${CLIPBOARD}`, 'x\n');
    await put(`job/d/${TITLE}`, Buffer.from([0, 1]));
    await put('job/p.jsonl', `${JSON.stringify({ id: 'i\x1b[2J', prompt: 'q', files: ['d/'] })}\n`);
    const options: BatchOptions = { file: 'job/p.jsonl', resume: false, dryRun: true, remote: false, wait: true };
    await runBatch(options, world.deps);
    expect(world.out()).not.toMatch(RAW);
    expect(world.out()).toContain('(id i^[[2J): d/a^[]52;c;SGVsbG8=^G.txt (text, 2 B)');
    expect(world.stderr()).not.toMatch(RAW);
    expect(world.stderr()).toContain('d/b^[]0;T^G.bin');
  });
});
