/**
 * Cuts streamed Markdown into blocks that are complete: a paragraph, a heading, a list, a
 * table, a fenced code block. A block is complete at a blank line after it (a list only when
 * the next line is not more of it), at its closing fence, or, for a heading, at its end of
 * line. So a renderer can draw each block once, as soon as it is whole, never redrawing.
 */
export class MarkdownBlocks {
  private partial = '';
  private lines: string[] = [];
  private fence: string | undefined;
  private blankAfterList = false;

  /** Takes streamed text; returns the blocks it completed. */
  push(text: string): string[] {
    const done: string[] = [];
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop()!;
    for (const line of parts) this.line(line, done);
    return done;
  }

  /** End of the reply: whatever is left, as a last block. */
  end(): string[] {
    const done: string[] = [];
    if (this.partial !== '') this.line(this.partial, done);
    this.partial = '';
    this.fence = undefined;
    this.blankAfterList = false;
    this.flush(done);
    return done;
  }

  private line(line: string, done: string[]): void {
    if (this.fence !== undefined) {
      this.lines.push(line);
      if (line.trim().startsWith(this.fence) && line.trim().replace(/[`~]/g, '') === '') {
        this.fence = undefined;
        this.flush(done);
      }
      return;
    }
    if (this.blankAfterList) {
      if (line.trim() === '') return;
      this.blankAfterList = false;
      if (LIST_ITEM.test(line) || /^\s{2,}\S/.test(line)) {
        this.lines.push('', line);
        return;
      }
      this.flush(done);
    }
    const opening = FENCE.exec(line);
    if (opening) {
      this.flush(done);
      this.fence = opening[1]!;
      this.lines.push(line);
      return;
    }
    if (line.trim() === '') {
      if (this.lines.length > 0 && LIST_ITEM.test(this.lines[0]!)) this.blankAfterList = true;
      else this.flush(done);
      return;
    }
    if (HEADING.test(line)) {
      this.flush(done);
      done.push(line);
      return;
    }
    this.lines.push(line);
  }

  private flush(done: string[]): void {
    if (this.lines.length > 0) done.push(this.lines.join('\n'));
    this.lines = [];
  }
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const HEADING = /^ {0,3}#{1,6}(\s|$)/;
const LIST_ITEM = /^ {0,3}([-*+]|\d{1,9}[.)])\s/;

/** Whether a block is a table: its second line is the `|---|---|` delimiter row. Its column count. */
export function tableColumns(block: string): number | undefined {
  const [header, delimiter] = block.split('\n');
  if (!header || !delimiter || !/^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/.test(delimiter)) return undefined;
  return delimiter
    .replace(/^\s*\|/, '')
    .replace(/\|\s*$/, '')
    .split('|').length;
}

/** A fenced code block's long lines cut to `width` columns (characters), so none runs past the edge. */
export function wrapCodeLines(block: string, width: number): string {
  const lines = block.split('\n');
  if (!FENCE.test(lines[0] ?? '')) return block;
  return lines
    .flatMap((line, i) => {
      if (i === 0 || i === lines.length - 1) return [line];
      const chars = [...line];
      if (chars.length <= width) return [line];
      const pieces: string[] = [];
      for (let at = 0; at < chars.length; at += width) pieces.push(chars.slice(at, at + width).join(''));
      return pieces;
    })
    .join('\n');
}
