import type { Role, Thread } from '../core/types.js';
import type { ThreadSummary } from '../store/thread-admin.js';

const LABELS: Record<Role, string> = { system: 'System', user: 'You', assistant: 'Assistant' };
// SGR codes: dim for the system prompt, bold cyan for the user, bold green for the model.
const COLOURS: Record<Role, string> = { system: '2', user: '1;36', assistant: '1;32' };

const paint = (colour: boolean, sgr: string, text: string) => (colour ? `\x1b[${sgr}m${text}\x1b[0m` : text);

/**
 * A thread for a person: `You: ...`, `Assistant: ...`, a blank line between messages.
 * The system prompt is shown as it is sent: the thread's, unless the history holds its own.
 */
export function renderTranscript(thread: Thread, colour: boolean): string {
  const messages = thread.system && !thread.messages.some((m) => m.role === 'system')
    ? [{ role: 'system' as const, content: thread.system }, ...thread.messages]
    : thread.messages;
  return messages
    .map((m) => `${paint(colour, COLOURS[m.role], `${LABELS[m.role]}:`)} ${m.content.replace(/\n+$/, '')}\n`)
    .join('\n');
}

/** `gpt thread list`: aligned columns, newest first; the header only on a terminal. */
export function renderThreadList(threads: readonly ThreadSummary[], header: boolean): string {
  const rows = threads.map((t) => [
    t.name,
    localMinute(t.updated),
    t.model ?? '?',
    t.turns === null ? '?' : String(t.turns),
    t.problem === undefined ? t.preview : '(not readable as a thread)',
  ]);
  if (header) rows.unshift(['NAME', 'UPDATED', 'MODEL', 'TURNS', 'FIRST PROMPT']);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) => `${r.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd()}\n`)
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
    preview: t.preview,
    ...(t.problem === undefined ? {} : { problem: t.problem }),
  };
}

/** `2026-11-27 16:40` in local time: enough to tell conversations apart at a glance. */
function localMinute(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`;
}
