import type { Role, StoredMessage } from './types.js';

/** One message that contains the text, with the words around its first occurrence. */
export interface MessageHit {
  /** Its index in the thread's messages (as in `gpt thread show NAME --json`). */
  message: number;
  role: Role;
  excerpt: string;
}

/** Characters of context on each side of a hit. */
const CONTEXT = 40;

/** A case-insensitive, literal search: regular-expression characters in `text` mean themselves. */
export function literalPattern(text: string, global = false): RegExp {
  return new RegExp(text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'), global ? 'giu' : 'iu');
}

export function findInMessages(messages: readonly StoredMessage[], pattern: RegExp): MessageHit[] {
  return messages.flatMap((m, message) => {
    const found = pattern.exec(m.content);
    return found ? [{ message, role: m.role, excerpt: excerpt(m.content, found.index, found[0].length) }] : [];
  });
}

/** The hit with CONTEXT characters each side, on one line, `…` where it was cut. */
function excerpt(text: string, at: number, length: number): string {
  const start = wholeChar(text, Math.max(0, at - CONTEXT));
  const end = wholeChar(text, Math.min(text.length, at + length + CONTEXT));
  const flat = text.slice(start, end).replace(/\s+/g, ' ');
  return `${start > 0 ? '…' : ''}${flat}${end < text.length ? '…' : ''}`;
}

/** Moves a cut that would split a surrogate pair (an emoji, say) before it. */
const wholeChar = (text: string, i: number) => (/[\uDC00-\uDFFF]/.test(text[i] ?? '') ? i - 1 : i);
