import { describe, expect, it } from 'vitest';
import { contextOverflow } from '../../src/core/context-overflow.js';

describe('contextOverflow: the window a "too long" 400 names', () => {
  it("reads OpenAI's words and code", () => {
    expect(
      contextOverflow({
        message:
          "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens. Please reduce the length of the messages.",
        type: 'invalid_request_error',
        code: 'context_length_exceeded',
      }),
    ).toEqual({ window: 128000, requestTokens: 130512 });
  });

  it("takes the messages' count, not the total with the completion, from vLLM's older words", () => {
    expect(
      contextOverflow({
        message:
          "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.",
        type: 'BadRequestError',
        code: 400,
      }),
    ).toEqual({ window: 4096, requestTokens: 4000 });
  });

  it("reads vLLM's newer words", () => {
    expect(
      contextOverflow({
        message:
          "'max_tokens' or 'max_completion_tokens' is too large: 1000. This model's maximum context length is 4096 tokens and your request has 3500 input tokens (1000 > 4096 - 3500).",
      }),
    ).toEqual({ window: 4096, requestTokens: 3500 });
  });

  it("reads llama.cpp's n_ctx and n_prompt_tokens, and its message when they are missing", () => {
    const message = 'request (9412 tokens) exceeds the available context size (8192 tokens), try increasing it';
    expect(contextOverflow({ code: 400, message, type: 'exceed_context_size_error', n_prompt_tokens: 9412, n_ctx: 8192 })).toEqual({
      window: 8192,
      requestTokens: 9412,
    });
    expect(contextOverflow({ message })).toEqual({ window: 8192, requestTokens: 9412 });
  });

  it('knows an overflow whose window is not named, and ignores other 400s', () => {
    expect(contextOverflow({ message: 'Too long', code: 'context_length_exceeded' })).toEqual({ window: undefined, requestTokens: undefined });
    expect(
      contextOverflow({ message: "Unsupported parameter: 'max_tokens' is not supported with this model.", code: 'unsupported_parameter' }),
    ).toBeUndefined();
    expect(contextOverflow(undefined)).toBeUndefined();
  });
});
