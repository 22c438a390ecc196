import { encodeChat as encodeChatO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { encodeChat as encodeChatCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { describe, expect, it } from 'vitest';
import { encodingFor, promptTokens } from '../../src/core/tokens.js';
import type { ChatMessage } from '../../src/core/types.js';
import { loadCounter } from '../../src/usage/tokenizer.js';

const chat: ChatMessage[] = [
  { role: 'system', content: 'You are a terse assistant.' },
  { role: 'user', content: 'What is the biggest animal in the world?' },
  { role: 'assistant', content: 'The blue whale — up to 30 m long. 鯨 🐋' },
  { role: 'user', content: 'And on land?\n\n```js\nconsole.log(1)\n```' },
];

describe('promptTokens', () => {
  it('counts a chat as the library encodes it, o200k (current models)', async () => {
    const count = await loadCounter('o200k_base');
    expect(promptTokens(chat, count)).toBe(encodeChatO200k(chat, 'gpt-4o').length);
  });

  it('counts a chat as the library encodes it, cl100k (gpt-4)', async () => {
    const count = await loadCounter('cl100k_base');
    expect(promptTokens(chat, count)).toBe(encodeChatCl100k(chat, 'gpt-4').length);
  });

  it('counts special-token text in a message as plain text instead of throwing', async () => {
    const count = await loadCounter('o200k_base');
    expect(promptTokens([{ role: 'user', content: 'say <|endoftext|> now' }], count)).toBeGreaterThan(7);
  });

  it('counts 3 tokens for an empty conversation (the reply priming)', async () => {
    expect(promptTokens([], await loadCounter('o200k_base'))).toBe(3);
  });
});

describe('encodingFor', () => {
  it('uses o200k for current models and cl100k for gpt-4 and gpt-3.5', () => {
    for (const model of ['gpt-5.4-mini', 'gpt-4o-mini', 'gpt-4.1', 'o3', 'openai/gpt-5', 'llama3.2']) expect(encodingFor(model)).toBe('o200k_base');
    for (const model of ['gpt-4', 'gpt-4-turbo', 'gpt-3.5-turbo', 'gpt-4-0613']) expect(encodingFor(model)).toBe('cl100k_base');
  });
});
