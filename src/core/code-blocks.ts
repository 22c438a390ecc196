/** One fenced code block of a reply. */
export interface CodeBlock {
  /** The info string after the opening fence (`python`, `sh title=x`), '' when none. */
  info: string;
  /** The code, each line ending with a newline. */
  code: string;
  /** The reply ended inside the block (cut by --max-tokens). */
  unclosed: boolean;
}

const OPENING = /^(\s*)(`{3,}|~{3,})(.*)$/;

/**
 * The fenced code blocks of a Markdown reply, as CommonMark reads them, with one liberty: a fence
 * may be indented any amount (models put code inside list items), and that indentation is taken
 * off the code's lines. A closing fence is the same character, at least as long, nothing after it;
 * a backtick fence's info string holds no backtick. A block still open at the end runs to the end.
 */
export function codeBlocks(text: string): CodeBlock[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const blocks: CodeBlock[] = [];
  let open: { fence: string; indent: number; info: string; lines: string[] } | undefined;
  for (const line of lines) {
    if (open) {
      if (closes(line, open.fence)) {
        blocks.push({ info: open.info, code: joinLines(open.lines), unclosed: false });
        open = undefined;
      } else {
        open.lines.push(unindent(line, open.indent));
      }
      continue;
    }
    const match = OPENING.exec(line);
    if (!match) continue;
    const [, indent = '', fence = '', info = ''] = match;
    if (fence.startsWith('`') && info.includes('`')) continue; // inline code such as ```x```, not a fence
    open = { fence, indent: indent.length, info: info.trim(), lines: [] };
  }
  if (open) blocks.push({ info: open.info, code: joinLines(open.lines), unclosed: true });
  return blocks;
}

function closes(line: string, fence: string): boolean {
  const trimmed = line.trim();
  return trimmed.length >= fence.length && trimmed === fence[0]!.repeat(trimmed.length);
}

/** Takes off up to `indent` leading spaces (the fence's own indentation). */
function unindent(line: string, indent: number): string {
  let i = 0;
  while (i < indent && (line[i] === ' ' || line[i] === '\t')) i++;
  return line.slice(i);
}

function joinLines(lines: string[]): string {
  return lines.map((line) => `${line}\n`).join('');
}

/** The first or the last block (-x / --extract-last), or undefined when the reply has none. */
export function extractCode(text: string, which: 'first' | 'last'): CodeBlock | undefined {
  const blocks = codeBlocks(text);
  return which === 'first' ? blocks[0] : blocks.at(-1);
}
