/** Why bytes are not a prompt's text. */
export type TextFault = 'binary' | 'not-utf8';

export class NotText extends Error {
  constructor(readonly fault: TextFault) {
    super(fault === 'binary' ? 'binary data (a NUL byte), not text' : 'not valid UTF-8 text');
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * The one rule for text that becomes a prompt (stdin, batch files): UTF-8, without NUL
 * bytes. A NUL marks binary data that no prompt holds, and text that is not UTF-8 would
 * reach the model as U+FFFD. A leading byte-order mark, as editors write it, is dropped.
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes.includes(0)) throw new NotText('binary');
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new NotText('not-utf8');
  }
}
