import { badInputError } from './errors.js';
import { describeBytes, describeOverLimit } from './sizes.js';
import { harmlessLine } from './text.js';

/** Where text files and attachments are named, in pairs: a hint about one names the other of its pair. */
const CONTEXT_PAIRS = [
  ['-f', '-a'],
  ['/file', '/attach'],
  ['`files`', '`attachments`'],
] as const;

/** Where images and PDFs go, in the words of where the text files were named (`-f` → `-a`). */
export const attachWith = (source: string): string => CONTEXT_PAIRS.find(([text]) => text === source)?.[1] ?? '`attachments`';

/** Where text goes, in the words of where the attachments were named (`-a` → `-f`). */
export const textWith = (from: string): string => CONTEXT_PAIRS.find(([, attach]) => attach === from)?.[0] ?? '`files`';

/** --max-files-size unless given: 1 MiB of text is about 250,000 tokens, more than most windows. */
export const DEFAULT_MAX_FILES_BYTES = 1024 * 1024;

/** A text file given with -f, as it goes into the prompt. */
export interface PromptFile {
  /** The path as the user wrote it (a folder's files under it, `src/a.ts`), or `stdin`. */
  label: string;
  text: string;
}

/**
 * A fence of backticks longer than any run of backticks in the text (at least three), so
 * nothing in a file, not even a Markdown file with its own fences, can close it early.
 */
export function fenceFor(text: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return '`'.repeat(Math.max(3, longest + 1));
}

/** One file: its label on a line, then its text in a fence (a newline added if it lacks one). */
export function fencedFile(file: PromptFile): string {
  const fence = fenceFor(file.text);
  const body = file.text === '' || file.text.endsWith('\n') ? file.text : `${file.text}\n`;
  return `${file.label}\n${fence}\n${body}${fence}\n`;
}

/**
 * The user message with -f files (README "Text files: -f"): each file fenced and labelled,
 * in the order given, a blank line between them, then a blank line and the prompt (piped
 * text and arguments). Files alone are a prompt too.
 */
export function withFiles(files: readonly PromptFile[], prompt: string | undefined): string | undefined {
  if (files.length === 0) return prompt;
  const block = files.map(fencedFile).join('\n');
  return prompt === undefined || prompt === '' ? block : `${block}\n${prompt}`;
}

/**
 * What a user message says in the user's own words: the text after the -f files that begin
 * it (as withFiles puts them: a label line, then a fence of three or more backticks up to
 * the same fence), or the first file's label when nothing follows them. What names a
 * conversation kept without --thread, and what `gpt thread list` previews. A message that
 * does not begin with a fenced, labelled block is its own words.
 */
export function userWords(message: string): string {
  let rest = message;
  let firstLabel: string | undefined;
  for (;;) {
    const open = /^([^\n]+)\n(`{3,})\n/.exec(rest);
    // The fence is longer than any run of backticks in the file, so its first return closes it.
    const close = open ? rest.indexOf(`${open[2]}\n`, open[0].length) : -1;
    if (!open || close === -1 || (close > open[0].length && rest[close - 1] !== '\n')) break;
    firstLabel ??= open[1];
    rest = rest.slice(close + open[2]!.length + 1).replace(/^\n/, '');
  }
  return rest.trim() === '' && firstLabel !== undefined ? firstLabel : rest;
}

/** The size of one -f file, counted against --max-files-size. */
export interface FileSize {
  label: string;
  bytes: number;
  /** A pipe not read to its end: it holds more than `bytes`. */
  atLeast?: boolean;
}

/** How many of the largest files the over-the-limit error names. */
const LARGEST_NAMED = 3;

/**
 * The one limit on the text of -f files, checked before anything is sent: over it, the
 * error names the total and the largest files, and a limit that would take them.
 * `unread`: files were left unread once the total was over (so refusing a large folder
 * is quick): the total is then a lower bound.
 */
export function checkFilesSize(sizes: readonly FileSize[], limit: number, what = 'the -f files', unread = false): void {
  const total = sizes.reduce((sum, file) => sum + file.bytes, 0);
  if (total <= limit) return;
  const largest = [...sizes].sort((a, b) => b.bytes - a.bytes).slice(0, LARGEST_NAMED);
  const named = largest.map((file) => `${file.label} ${file.atLeast ? 'over ' : ''}${describeBytes(file.bytes)}`).join(', ');
  const [totalText, limitText] = describeOverLimit(total, limit);
  // A pipe read only up to the limit leaves the total unknown: it is more than the limit.
  const pipe = sizes.some((file) => file.atLeast);
  const comeTo = pipe ? `more than the ${describeBytes(limit)} limit` : `${unread ? 'at least ' : ''}${totalText}, over the ${limitText} limit`;
  const raised = pipe || unread ? 'a larger --max-files-size' : `--max-files-size ${Math.ceil(total / 1024 / 1024)}M`;
  throw badInputError(`${what} come to ${comeTo} (largest${unread ? ' of those read' : ''}: ${named})`, `name fewer files, or raise the limit with ${raised}`);
}

/** How many skipped files the notice names before it counts the rest. */
const SKIPPED_NAMED = 10;

/**
 * The one stderr line about files inside -f folders that were left out because they are not
 * text. A folder may be anyone's (a cloned repository): its names are shown, never obeyed.
 */
export function skippedNotice(skipped: readonly string[], source = '-f', attach = 'go with -a'): string | undefined {
  if (skipped.length === 0) return undefined;
  const named = harmlessLine(skipped.slice(0, SKIPPED_NAMED).join(', '));
  const more = skipped.length > SKIPPED_NAMED ? ` and ${skipped.length - SKIPPED_NAMED} more` : '';
  const files = skipped.length === 1 ? 'file' : 'files';
  return `gpt: ${source} left out ${skipped.length} ${files} that ${skipped.length === 1 ? 'is' : 'are'} not text: ${named}${more} (images and PDFs ${attach})`;
}
