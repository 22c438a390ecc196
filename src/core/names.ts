/**
 * Names of conversations kept without --thread: `20261127-164012-first-words-of-prompt`,
 * in any script (`20261129-171556-世界上最大的动物`). Retention removes only names like these.
 */
export const AUTO_NAME = /^\d{8}-\d{6}(-[\p{L}\p{M}\p{N}-]+)?$/u;

const WORDS_IN_NAME = 5;
const MAX_SLUG_CHARS = 40;
/** Far below the 255-byte limit of a file name, with room for `-2`, `.yaml` and `.lock`. */
const MAX_SLUG_BYTES = 120;

/** Built from the time and the prompt's first words; never from a model call (that costs tokens). */
export function autoThreadName(prompt: string, now: Date): string {
  const iso = now.toISOString(); // 2026-11-27T16:40:12.345Z
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
  const words = prompt
    .normalize('NFKD') // full-width Ａ -> A, ligatures apart
    .replace(/(\p{Script=Latin})\p{M}+/gu, '$1') // accents off Latin letters: é -> e
    .normalize('NFC') // marks that belong to other scripts back on their letters: か + ゙ -> が
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, ' ') // no `/`, `.` or other punctuation: always a safe file name
    .split(' ')
    .filter(Boolean)
    .slice(0, WORDS_IN_NAME);
  const slug = cutToBytes([...words.join('-')].slice(0, MAX_SLUG_CHARS), MAX_SLUG_BYTES)
    .join('')
    .replace(/-+$/, '');
  return slug ? `${stamp}-${slug}` : stamp;
}

/** Whole characters, as many as fit in `max` bytes of UTF-8. */
function cutToBytes(chars: string[], max: number): string[] {
  let bytes = 0;
  const kept: string[] = [];
  for (const c of chars) {
    bytes += new TextEncoder().encode(c).length;
    if (bytes > max) break;
    kept.push(c);
  }
  return kept;
}
