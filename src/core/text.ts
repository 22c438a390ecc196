/** Why bytes are not a prompt's text. */
export type TextFault = 'binary' | 'not-utf8';

export class NotText extends Error {
  constructor(readonly fault: TextFault) {
    super(fault === 'binary' ? 'binary data (a NUL byte), not text' : 'not valid UTF-8 text');
  }
}

/** Made on first use: a TextDecoder costs `gpt thread list`, which decodes nothing, ~0.1 ms. */
let strictUtf8: { decode(bytes: Uint8Array): string } | undefined;

/**
 * The one rule for text that becomes a prompt (stdin, batch files): UTF-8, without NUL
 * bytes. A NUL marks binary data that no prompt holds, and text that is not UTF-8 would
 * reach the model as U+FFFD. A leading byte-order mark, as editors write it, is dropped.
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes.includes(0)) throw new NotText('binary');
  try {
    strictUtf8 ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
    return strictUtf8.decode(bytes);
  } catch {
    throw new NotText('not-utf8');
  }
}

/**
 * A control character (C0, DEL, C1) as visible text: ESC is `^[`, BEL `^G`, DEL `^?`, CSI
 * `\x9b`; a bidirectional override or isolate as `<U+202E>`.
 */
function visible(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 0x20) return `^${String.fromCharCode(code + 64)}`;
  if (code === 0x7f) return '^?';
  return code < 0x100 ? `\\x${code.toString(16)}` : `<U+${code.toString(16).toUpperCase()}>`;
}

/**
 * Text as a person can safely see it on a terminal: control characters (ESC, CR, BEL, C1...)
 * become visible `^[`-style text, so a stored prompt or a file's name cannot move the cursor,
 * change colours, set the window title or write the clipboard. Newline and tab stay. The
 * bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) are shown too: they
 * reorder what follows them on the line, so a name could read as another. Only for renderings
 * meant to be read; --json is exact. The control characters (category Cc, fixed for good:
 * U+0000-U+001F, U+007F-U+009F) are written as ranges: `\p{Cc}` has ICU build a property
 * set, ~0.5 ms of every `gpt thread list`.
 */
export function harmless(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
  return text.replace(/\r\n/g, '\n').replace(/[\0-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, visible);
}

/** As `harmless`, for what must stay one line (an error, a warning, a name in a list): a newline is `^J` too. */
export function harmlessLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
  return text.replace(/[\0-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, visible);
}
