import type { CountText, Encoding } from '../core/tokens.js';

const loaded = new Map<Encoding, Promise<CountText>>();

/**
 * A token counter for the encoding, from gpt-tokenizer. Loaded on first use only: its
 * tables are megabytes of JavaScript, and commands that do not count must not pay for them.
 */
export function loadCounter(encoding: Encoding): Promise<CountText> {
  let counter = loaded.get(encoding);
  if (!counter) {
    // Outside the bundle (build.mjs), and the bundle is CommonJS run from a vm script, where
    // import() of another file fails: so require, on first use.
    const module = Promise.resolve().then(() =>
      encoding === 'cl100k_base'
        ? (require('gpt-tokenizer/encoding/cl100k_base') as typeof import('gpt-tokenizer/encoding/cl100k_base'))
        : (require('gpt-tokenizer/encoding/o200k_base') as typeof import('gpt-tokenizer/encoding/o200k_base')),
    );
    // Text in a thread is data: "<|endoftext|>" in it is text, not a special token.
    counter = module.then(
      ({ countTokens }) =>
        (text: string) =>
          countTokens(text, { disallowedSpecial: new Set() }),
    );
    loaded.set(encoding, counter);
  }
  return counter;
}
