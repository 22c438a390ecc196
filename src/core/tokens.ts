import { attachmentTokens } from './attachments.js';
import type { ChatMessage } from './types.js';

/** The tokenizers OpenAI's chat models use. */
export type Encoding = 'o200k_base' | 'cl100k_base';

/**
 * The encoding for a model: cl100k for gpt-4 (not 4o, 4.1, 4.5) and gpt-3.5; o200k for the
 * rest — every current OpenAI model. For another vendor's model served locally it is only
 * an estimate (that model has its own tokenizer).
 */
export function encodingFor(model: string): Encoding {
  const bare = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  if (/^gpt-3\.5/.test(bare)) return 'cl100k_base';
  if (/^gpt-4(?!o|\.)/.test(bare)) return 'cl100k_base';
  return 'o200k_base';
}

/**
 * How the chat format wraps each message: <|im_start|>role<|im_sep|>content<|im_end|>, so
 * 3 tokens beside the role's and the content's; and the reply is primed with
 * <|im_start|>assistant<|im_sep|> (3 tokens). The counts match the API's prompt_tokens.
 */
export const MESSAGE_OVERHEAD = 3;
export const REPLY_PRIMING = 3;

/** Counts the tokens of one text with a real tokenizer. */
export type CountText = (text: string) => number;

/** Tokens one message takes in a request: its text exactly, its images estimated (core/attachments.ts). */
export function messageTokens(message: ChatMessage, countText: CountText): number {
  return MESSAGE_OVERHEAD + countText(message.role) + countText(message.content) + attachmentTokens(message.attachments);
}

/** Tokens of a whole request's messages, as prompt_tokens will say (images estimated). */
export function promptTokens(messages: readonly ChatMessage[], countText: CountText): number {
  let total = REPLY_PRIMING;
  for (const message of messages) total += messageTokens(message, countText);
  return total;
}
