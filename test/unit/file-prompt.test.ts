import { describe, expect, it } from 'vitest';
import { ExitCode, type GptError } from '../../src/core/errors.js';
import { checkFilesSize, fenceFor, skippedNotice, userWords, withFiles } from '../../src/core/file-prompt.js';
import { describeBytes, describeOverLimit, parseBytes } from '../../src/core/sizes.js';

describe('withFiles: the -f files before the prompt', () => {
  it('labels each file with its path, fences it, and puts the prompt after a blank line', () => {
    const files = [
      { label: 'src/a.ts', text: 'const a = 1;\n' },
      { label: 'notes.md', text: 'no newline at the end' },
    ];
    expect(withFiles(files, 'review this')).toBe('src/a.ts\n```\nconst a = 1;\n```\n\nnotes.md\n```\nno newline at the end\n```\n\nreview this');
  });

  it('keeps the order given, not sorted', () => {
    const files = [
      { label: 'z.txt', text: 'z\n' },
      { label: 'a.txt', text: 'a\n' },
    ];
    expect(withFiles(files, 'q')!.indexOf('z.txt')).toBeLessThan(withFiles(files, 'q')!.indexOf('a.txt'));
  });

  it('is the files alone when there is no other text, and the prompt alone when there are no files', () => {
    expect(withFiles([{ label: 'stdin', text: 'piped\n' }], undefined)).toBe('stdin\n```\npiped\n```\n');
    expect(withFiles([{ label: 'empty.txt', text: '' }], '')).toBe('empty.txt\n```\n```\n');
    expect(withFiles([], 'just a question')).toBe('just a question');
    expect(withFiles([], undefined)).toBeUndefined();
  });

  it('fences a file with a fence longer than any run of backticks in it, so it cannot be closed early', () => {
    const markdown = 'Example:\n```sh\nls\n```\nand ````four```` inline\n';
    const sent = withFiles([{ label: 'README.md', text: markdown }], 'q')!;
    expect(sent).toBe(`README.md\n\`\`\`\`\`\n${markdown}\`\`\`\`\`\n\nq`);
  });
});

describe('fenceFor', () => {
  it('is three backticks at least, and one more than the longest run', () => {
    expect(fenceFor('plain')).toBe('```');
    expect(fenceFor('a `b` c')).toBe('```');
    expect(fenceFor('```')).toBe('````');
    expect(fenceFor('x ``````` y ``')).toBe('````````');
  });
});

describe('checkFilesSize', () => {
  const KiB = 1024;
  it('lets a total up to the limit through', () => {
    expect(() =>
      checkFilesSize(
        [
          { label: 'a', bytes: 600 * KiB },
          { label: 'b', bytes: 424 * KiB },
        ],
        1024 * KiB,
      ),
    ).not.toThrow();
  });

  it('refuses a total over it (exit 6), naming the total, the limit and the three largest files, and a limit that would do', () => {
    const sizes = [
      { label: 'src/small.ts', bytes: 10 * KiB },
      { label: 'data/big.json', bytes: 900 * KiB },
      { label: 'src/mid.ts', bytes: 300 * KiB },
      { label: 'src/other.ts', bytes: 200 * KiB },
    ];
    const error = (() => {
      try {
        checkFilesSize(sizes, 1024 * KiB);
      } catch (e) {
        return e as GptError;
      }
    })();
    expect(error?.exitCode).toBe(ExitCode.badInput);
    expect(error?.message).toBe(
      'the -f files come to 1.4 MiB, over the 1 MiB limit (largest: data/big.json 900 KiB, src/mid.ts 300 KiB, src/other.ts 200 KiB)',
    );
    expect(error?.hint).toBe('name fewer files, or raise the limit with --max-files-size 2M');
  });

  it('says "more than" when a pipe was not read to its end', () => {
    expect(() =>
      checkFilesSize(
        [
          { label: 'a.txt', bytes: 10 },
          { label: '/dev/fd/63', bytes: 1001, atLeast: true },
        ],
        1000,
      ),
    ).toThrow('the -f files come to more than the 1000 B limit (largest: /dev/fd/63 over 1001 B, a.txt 10 B)');
  });
});

describe('skippedNotice', () => {
  it('is nothing when nothing was left out', () => {
    expect(skippedNotice([])).toBeUndefined();
  });
  it('names the files left out in one line, and counts past ten', () => {
    expect(skippedNotice(['src/logo.png'])).toBe('gpt: -f left out 1 file that is not text: src/logo.png (images and PDFs go with -a)');
    const many = Array.from({ length: 12 }, (_, i) => `f${i}.bin`);
    const line = skippedNotice(many)!;
    expect(line).toMatch(/^gpt: -f left out 12 files that are not text: f0\.bin, .*f9\.bin and 2 more \(/);
    expect(line).not.toContain('\n');
  });
});

describe('sizes', () => {
  it('reads bytes, k and M (1024-based, either case)', () => {
    expect(parseBytes('1048576')).toBe(1048576);
    expect(parseBytes('500k')).toBe(500 * 1024);
    expect(parseBytes('4M')).toBe(4 * 1024 * 1024);
    expect(parseBytes('4m')).toBe(4 * 1024 * 1024);
    for (const bad of ['', 'k', '-1', '4G', '4 MB', '1e6', '1.5', '1.k', '1..5M']) expect(parseBytes(bad), bad).toBeUndefined();
  });
  it('reads a decimal with a unit, rounded down to whole bytes', () => {
    expect(parseBytes('1.5M')).toBe(1.5 * 1024 * 1024);
    expect(parseBytes('0.3k')).toBe(307);
    expect(parseBytes('.5k')).toBe(512);
  });
  it('shows bytes, KiB and MiB with at most one decimal', () => {
    expect(describeBytes(512)).toBe('512 B');
    expect(describeBytes(1536)).toBe('1.5 KiB');
    expect(describeBytes(1024 * 1024)).toBe('1 MiB');
    expect(describeBytes(1.4 * 1024 * 1024)).toBe('1.4 MiB');
  });
  it('says a size over a limit in bytes when both would round alike', () => {
    expect(describeOverLimit(21 * 1024 * 1024, 20 * 1024 * 1024)).toEqual(['21 MiB', '20 MiB']);
    expect(describeOverLimit(20 * 1024 * 1024 + 1, 20 * 1024 * 1024)).toEqual(['20971521 bytes', '20971520 bytes']);
  });
});

describe('userWords', () => {
  it('is the text after the -f files, whatever they hold, or the first label when nothing follows', () => {
    const files = [
      { label: 'empty.txt', text: '' },
      { label: 'md.md', text: 'a\n```\nfenced\n```\n' },
      { label: 'no-newline.txt', text: 'x' },
    ];
    expect(userWords(withFiles(files, 'review this')!)).toBe('review this');
    expect(userWords(withFiles(files, undefined)!)).toBe('empty.txt');
    expect(userWords(withFiles(files, 'line one\nline two')!)).toBe('line one\nline two');
  });
  it('leaves a message that does not begin with a labelled fence as it is', () => {
    expect(userWords('plain question')).toBe('plain question');
    expect(userWords('title\n```\nnever closed')).toBe('title\n```\nnever closed');
    expect(userWords('```\ncode\n```\nexplain')).toBe('```\ncode\n```\nexplain');
  });
});
