import type { MessageHit } from '../core/search.js';
import { harmless } from '../core/text.js';

/** The hits of one thread, as `gpt thread search` reports them. */
export interface ThreadHits {
  name: string;
  file: string;
  updated: Date;
  hits: MessageHit[];
}

/**
 * For a person: the thread's name and time, then a line per message with its index, role and
 * excerpt; stored text made harmless; the matches in bold red on a colour terminal.
 */
export function renderSearch(results: readonly ThreadHits[], highlight: RegExp | undefined): string {
  const mark = (text: string) => (highlight ? text.replace(highlight, (m) => `\x1b[1;31m${m}\x1b[0m`) : text);
  return results
    .map((t) => `${harmless(t.name)}  ${t.updated.toISOString()}\n${t.hits.map((h) => `  #${h.message} ${h.role}: ${mark(harmless(h.excerpt))}\n`).join('')}`)
    .join('\n');
}

/** The `--json` form (documented in README): one object per message that matched. */
export function searchJson(results: readonly ThreadHits[]) {
  return results.flatMap((t) =>
    t.hits.map((h) => ({
      thread: t.name,
      file: t.file,
      updated: t.updated.toISOString(),
      message: h.message,
      role: h.role,
      excerpt: h.excerpt,
    })),
  );
}
