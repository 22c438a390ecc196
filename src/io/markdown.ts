import { MarkdownBlocks, tableColumns, wrapCodeLines } from '../core/markdown-blocks.js';
import type { TextFilter } from './render.js';
import type { Terminal } from './terminal.js';

type Env = Record<string, string | undefined>;

/**
 * Markdown is drawn only for a person: stdout a terminal, and neither --raw, NO_COLOR nor
 * TERM=dumb asking for the text as it is. In a pipe stdout is the reply byte for byte.
 */
export function wantsMarkdown(terminal: Terminal, env: Env, raw: boolean): boolean {
  return terminal.stdoutIsTTY && !raw && !(env.NO_COLOR !== undefined && env.NO_COLOR !== '') && env.TERM !== 'dumb';
}

/** The filter for one reply to stdout: Markdown drawn when wantsMarkdown says so, else none. */
export async function replyFilter(deps: { terminal: Terminal; env: Env }, raw = false): Promise<TextFilter | undefined> {
  if (!wantsMarkdown(deps.terminal, deps.env, raw)) return undefined;
  return (await loadMarkdown(deps.terminal.columns))();
}

/** For a whole reply (`thread show`): its Markdown drawing when wantsMarkdown says so, else none. */
export async function replyDrawer(deps: { terminal: Terminal; env: Env }, raw = false): Promise<((text: string) => string) | undefined> {
  if (!wantsMarkdown(deps.terminal, deps.env, raw)) return undefined;
  const make = await loadMarkdown(deps.terminal.columns);
  return (text) => {
    const filter = make();
    return filter.push(text) + filter.end();
  };
}

/** Code is indented this much by marked-terminal. */
const CODE_INDENT = 4;

/**
 * Loads the renderer (marked + marked-terminal, only when a reply is drawn: they cost start-up
 * time) and returns a maker of filters, one per reply: each completed block is drawn once, as
 * soon as it is whole; the text of a block still arriving waits (never drawn twice).
 */
export async function loadMarkdown(width: number): Promise<() => TextFilter> {
  const [{ Marked }, { markedTerminal }] = await Promise.all([import('marked'), import('marked-terminal')]);
  const options = { width, reflowText: true, showSectionPrefix: false, tab: 2 };
  const plain = new Marked(markedTerminal(options));
  const draw = (block: string): string => {
    const columns = tableColumns(block);
    const marked =
      columns === undefined
        ? plain
        : new Marked(
            markedTerminal({
              ...options,
              // Each column an equal share of the width, words wrapped inside it, so the table fits.
              tableOptions: { colWidths: Array(columns).fill(Math.max(4, Math.floor((width - columns - 1) / columns))), wordWrap: true },
            }),
          );
    return (marked.parse(wrapCodeLines(block, width - CODE_INDENT)) as string).replace(/\n+$/, '');
  };
  return () => {
    const blocks = new MarkdownBlocks();
    let first = true;
    const drawAll = (done: string[]) =>
      done
        .map((block) => {
          const text = `${first ? '' : '\n'}${draw(block)}\n`;
          first = false;
          return text;
        })
        .join('');
    return { push: (text) => drawAll(blocks.push(text)), end: () => drawAll(blocks.end()) };
  };
}
