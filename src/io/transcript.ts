import { attachmentLine } from '../core/attachments.js';
import { formatUSD, spentOn } from '../core/prices.js';
import { harmless } from '../core/text.js';
import type { Role, Thread, ThreadSummary } from '../core/types.js';

const LABELS: Record<Role, string> = { system: 'System', user: 'You', assistant: 'Assistant' };
// SGR codes: dim for the system prompt, bold cyan for the user, bold green for the model.
const COLOURS: Record<Role, string> = { system: '2', user: '1;36', assistant: '1;32' };

const paint = (colour: boolean, sgr: string, text: string) => (colour ? `\x1b[${sgr}m${text}\x1b[0m` : text);

/** `You:`, `Assistant:`... in the role's colour when `colour`, as chat and `thread show` label messages. */
export const roleLabel = (role: Role, colour: boolean) => paint(colour, COLOURS[role], `${LABELS[role]}:`);

/**
 * A thread for a person: `You: ...`, `Assistant: ...`, a blank line between messages.
 * The system prompt is shown as it is sent: the thread's, unless the history holds its own.
 */
export function renderTranscript(thread: Thread, colour: boolean, drawReply?: (text: string) => string): string {
  const messages =
    thread.system && !thread.messages.some((m) => m.role === 'system')
      ? [{ role: 'system' as const, content: thread.system }, ...thread.messages]
      : thread.messages;
  return messages
    .map(
      (m) =>
        `${roleLabel(m.role, colour)} ${shown(m.role, m.content, drawReply)}\n${attachedLines(m, colour)}${
          'finish_reason' in m && m.finish_reason === 'length' ? `${paint(colour, '2', CUT_SHORT)}\n` : ''
        }`,
    )
    .join('\n');
}

/** One dim line per attachment: `[attached: shot.png (image/png, 45.1 KiB)]`. */
function attachedLines(m: { attachments?: Thread['messages'][number]['attachments'] }, colour: boolean): string {
  return (m.attachments ?? []).map((ref) => `${paint(colour, '2', attachmentLine(ref))}\n`).join('');
}

/** A message's text as shown: control characters made visible; a reply drawn (as Markdown) on a line of its own. */
function shown(role: Role, content: string, drawReply: ((text: string) => string) | undefined): string {
  const text = harmless(content.replace(/\n+$/, ''));
  return role === 'assistant' && drawReply ? `\n${drawReply(text).replace(/\n+$/, '')}` : text;
}

/** After a reply that stopped at --max-tokens (finish_reason: length). */
const CUT_SHORT = '[reply cut short: it reached the token limit (--max-tokens)]';

/** `gpt thread list`: aligned columns, newest first; the header only on a terminal. */
export function renderThreadList(threads: readonly ThreadSummary[], header: boolean): string {
  const rows = threads.map((t) => [
    harmless(t.name),
    localMinute(t.updated),
    harmless(t.model ?? '?'),
    t.turns === null ? '?' : String(t.turns),
    t.tokens === null ? '?' : String(t.tokens),
    t.cost === null ? '?' : formatUSD(t.cost),
    t.problem === undefined ? harmless(t.preview) : '(not readable as a thread)',
  ]);
  if (header) rows.unshift(['NAME', 'UPDATED', 'MODEL', 'TURNS', 'TOKENS', 'COST', 'FIRST PROMPT']);
  const widths = [0, 1, 2, 3, 4, 5].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map(
      (r) =>
        `${r
          .map((cell, i) => (i < widths.length ? cell.padEnd(widths[i]!) : cell))
          .join('  ')
          .trimEnd()}\n`,
    )
    .join('');
}

/** The `--json` form of one list entry (documented in README). */
export function threadSummaryJson(t: ThreadSummary) {
  return {
    name: t.name,
    file: t.file,
    updated: t.updated.toISOString(),
    model: t.model,
    turns: t.turns,
    tokens: t.tokens,
    cost: t.cost,
    preview: t.preview,
    ...(t.problem === undefined ? {} : { problem: t.problem }),
  };
}

/** `2026-11-27 16:40` in local time: enough to tell conversations apart at a glance. */
function localMinute(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`;
}

/** The last line of `gpt thread show`: what the thread has cost so far. */
export function renderTotals(thread: Thread): string {
  const { tokens, cost } = spentOn(thread.messages);
  const turns = thread.messages.filter((m) => m.role === 'user').length;
  return `\n[${turns} ${turns === 1 ? 'turn' : 'turns'}, ${tokens === null ? 'tokens unknown' : `${tokens} tokens`}, ${formatUSD(cost)}]\n`;
}
