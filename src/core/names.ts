/** Names of conversations kept without --thread: `20261127-164012-first-words-of-prompt`. */
export const AUTO_NAME = /^\d{8}-\d{6}(-[a-z0-9-]+)?$/;

const WORDS_IN_NAME = 5;
const MAX_SLUG = 40;

/** Built from the time and the prompt's first words; never from a model call (that costs tokens). */
export function autoThreadName(prompt: string, now: Date): string {
  const iso = now.toISOString(); // 2026-11-27T16:40:12.345Z
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
  const words = prompt
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '') // accents off: é -> e
    .toLowerCase()
    .replace(/[^a-z0-9\s]+/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, WORDS_IN_NAME);
  const slug = words.join('-').slice(0, MAX_SLUG).replace(/-+$/, '');
  return slug ? `${stamp}-${slug}` : stamp;
}
