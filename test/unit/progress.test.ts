import { describe, expect, it } from 'vitest';
import { createProgress, progressLine } from '../../src/io/progress.js';

const state = { done: 250, total: 1000, failed: 2, label: 'in_progress' };
const bar = (filled: number, width: number) => `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;

describe('progress line fitted to the terminal width', () => {
  it('drops the rate, then the ETA, then narrows and drops the bar, then the label and percentage', () => {
    const at = (width: number) => progressLine(state, 10, width);
    expect(at(81)).toBe(`in_progress ${bar(6, 24)} 250/1,000 25% · 25/s · ETA 0:30 · 2 failed`);
    expect(at(80)).toBe(`in_progress ${bar(6, 24)} 250/1,000 25% · ETA 0:30 · 2 failed`);
    expect(at(73)).toBe(`in_progress ${bar(6, 24)} 250/1,000 25% · 2 failed`);
    expect(at(62)).toBe(`in_progress ${bar(3, 10)} 250/1,000 25% · 2 failed`);
    expect(at(48)).toBe('in_progress 250/1,000 25% · 2 failed');
    expect(at(35)).toBe('250/1,000 25% · 2 failed');
    expect(at(23)).toBe('250/1,000 · 2 failed');
    expect(at(19)).toBe('250/1,000');
    expect(at(5)).toBe('');
  });

  it('is never wider than asked, and never cuts a word', () => {
    const words = new Set([progressLine(state, 10), progressLine(state, 10, 62)].flatMap((line) => line.split(' ')));
    for (let width = 9; width <= 120; width++) {
      const line = progressLine(state, 10, width);
      expect(line.length, `width ${width}: ${line}`).toBeLessThanOrEqual(width);
      for (const word of line.split(' ')) expect(words, `width ${width}: ${line}`).toContain(word);
      expect(line).not.toMatch(/ ·$|· 2$/); // no part cut: '2 failed' is not '2'
    }
  });

  it("draws within the stream's columns, one short of the edge so the line never wraps", () => {
    const written: string[] = [];
    const stream = { columns: 40, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
    createProgress(true, stream, () => 10_000).update({ done: 250, total: 1000, failed: 0 });
    expect(written).toEqual([`\r${bar(3, 10)} 250/1,000 25%\x1b[K`]); // 40 columns: the full bar needs 40
  });
});

describe('a result written under the bar', () => {
  it('takes the bar off its line, lets the result be written, and draws the bar again below', () => {
    const written: string[] = [];
    const stream = { columns: 80, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
    const progress = createProgress(true, stream, () => 0);
    progress.clearFor(() => written.push('first\n')); // no bar yet: nothing to take off
    progress.update({ done: 1, total: 3, failed: 0 });
    progress.clearFor(() => written.push('second\n'));
    const drawn = `\r${bar(8, 24)} 1/3 33%\x1b[K`;
    expect(written).toEqual(['first\n', drawn, '\r\x1b[K', 'second\n', drawn]);
  });
});
