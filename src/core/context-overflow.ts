/**
 * What a server's "too long" refusal says about the context window. Servers name it in
 * their own words (README "Long threads"):
 * - OpenAI and vLLM: `This model's maximum context length is 128000 tokens. However, your
 *   messages resulted in 130000 tokens...` (OpenAI adds code `context_length_exceeded`);
 * - llama.cpp's server: type `exceed_context_size_error`, with `n_ctx` (the window) and
 *   `n_prompt_tokens` beside the message `request (9412 tokens) exceeds the available context
 *   size (8192 tokens), try increasing it`.
 */
export interface ContextOverflow {
  /** The window the server named, in tokens; undefined when it said the request is too long without a number. */
  window: number | undefined;
  /** The prompt's size as the server counted it, when it said (the reply's room not included). */
  requestTokens: number | undefined;
}

/** The error object of a 400 (the body's `error`): the fields servers use. */
export interface ErrorBody {
  message?: unknown;
  type?: unknown;
  code?: unknown;
  n_ctx?: unknown;
  n_prompt_tokens?: unknown;
}

const OPENAI_WINDOW = /maximum context length is (\d+) tokens/i;
/** The prompt's size: `(4000 in the messages, 1000 in the completion)` first, as `you requested` counts the reply too. */
const OPENAI_REQUEST = [/\((\d+) in the messages/i, /(?:resulted in|your request has) (\d+) (?:input )?tokens/i];
const LLAMA_WINDOW = /exceeds the available context size \((\d+) tokens\)/i;
const LLAMA_REQUEST = /request \((\d+) tokens\) exceeds/i;

/** The overflow a 400's error object reports, or undefined when it is about something else. */
export function contextOverflow(body: ErrorBody | undefined): ContextOverflow | undefined {
  const message = typeof body?.message === 'string' ? body.message : '';
  const number = (value: unknown) => (typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined);
  const found = (pattern: RegExp) => number(Number(pattern.exec(message)?.[1] ?? Number.NaN));
  if (body?.type === 'exceed_context_size_error' || LLAMA_WINDOW.test(message)) {
    return { window: number(body?.n_ctx) ?? found(LLAMA_WINDOW), requestTokens: number(body?.n_prompt_tokens) ?? found(LLAMA_REQUEST) };
  }
  if (body?.code === 'context_length_exceeded' || OPENAI_WINDOW.test(message)) {
    return { window: found(OPENAI_WINDOW), requestTokens: OPENAI_REQUEST.map(found).find((n) => n !== undefined) };
  }
  return undefined;
}
