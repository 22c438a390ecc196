import OpenAI from 'openai';
import { contextOverflow, type ErrorBody } from '../core/context-overflow.js';
import { ContextExceededError, ExitCode, GptError } from '../core/errors.js';
import type { CapabilityLayers } from '../core/models.js';
import { fixForRejection } from '../core/rejections.js';
import { redact } from '../core/secrets.js';

export interface ErrorContext {
  baseURL?: string;
  timeoutMs: number;
  maxRetries?: number;
  /** Never part of a message, even when the server echoes it (batch results are files). */
  apiKey?: string;
  /** The model asked for, the profile in force and its capabilities: for the hint of a 400 or 404. */
  model?: string;
  endpoint?: string;
  capabilities?: CapabilityLayers;
}

/** Maps what the SDK throws to one GptError, with the key redacted from its message. */
export function toGptError(error: unknown, context: ErrorContext): GptError {
  if (error instanceof GptError) return error;
  const known = classify(error, context);
  const message = redact(known.message, context.apiKey);
  if (message === known.message) return known;
  if (known instanceof ContextExceededError) {
    return new ContextExceededError(message, known.hint!, known.window, known.requestTokens, { cause: known.cause, status: known.status });
  }
  return new GptError(known.exitCode, message, known.hint, { cause: known.cause, status: known.status });
}

/** Most specific classes first. */
function classify(error: unknown, context: ErrorContext): GptError {
  const where = context.baseURL ?? 'the OpenAI API';
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    // The SDK gives up only after its retries, each of which waited this long.
    const tries = (context.maxRetries ?? 0) + 1;
    return new GptError(
      ExitCode.network,
      `no answer from ${where} within ${context.timeoutMs / 1000}s (${tries} ${tries === 1 ? 'try' : 'tries'})`,
      'raise --timeout, or check the server',
      { cause: error },
    );
  }
  if (error instanceof OpenAI.APIUserAbortError) {
    return new GptError(ExitCode.interrupted, 'interrupted', undefined, { cause: error });
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new GptError(ExitCode.network, `cannot connect to ${where}`, 'check the network, OPENAI_BASE_URL or --base-url', { cause: error });
  }
  if (error instanceof OpenAI.AuthenticationError && !context.apiKey) {
    return new GptError(ExitCode.config, `no key is set, and ${where} asks for one (401): ${apiMessage(error)}`, 'export OPENAI_API_KEY=sk-...', {
      cause: error,
      status: error.status,
    });
  }
  if (error instanceof OpenAI.AuthenticationError || error instanceof OpenAI.PermissionDeniedError) {
    return new GptError(ExitCode.config, `the API refused the key (${error.status}): ${apiMessage(error)}`, 'check OPENAI_API_KEY', {
      cause: error,
      status: error.status,
    });
  }
  if (error instanceof OpenAI.RateLimitError) {
    return new GptError(ExitCode.network, `rate limited by the API (429): ${apiMessage(error)}`, 'wait and try again, or raise --max-retries', {
      cause: error,
      status: 429,
    });
  }
  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    if (error.status >= 500) {
      return new GptError(ExitCode.network, `the server failed (${error.status}): ${apiMessage(error)}`, 'try again later', {
        cause: error,
        status: error.status,
      });
    }
    const overflow = error.status === 400 ? contextOverflow(error.error as ErrorBody | undefined) : undefined;
    if (overflow) {
      const window = overflow.window === undefined ? '' : `the model's window on this server is ${overflow.window} tokens: `;
      return new ContextExceededError(
        `the API rejected the request (400): ${apiMessage(error)}`,
        `${window}shorten the prompt, or lower --max-tokens`,
        overflow.window,
        overflow.requestTokens,
        { cause: error, status: 400 },
      );
    }
    const fix =
      context.model === undefined
        ? undefined
        : fixForRejection(
            { status: error.status, message: apiMessage(error), param: (error as { param?: string | null }).param },
            { model: context.model, endpoint: context.endpoint, capabilities: context.capabilities },
          );
    const hint = fix ?? (error.status === 404 ? 'check the model name (gpt models lists them)' : 'check the request options');
    return new GptError(ExitCode.apiRejected, `the API rejected the request (${error.status}): ${apiMessage(error)}`, hint, {
      cause: error,
      status: error.status,
    });
  }
  if (error instanceof OpenAI.APIError) {
    // An error event inside a stream: it has no HTTP status.
    return new GptError(ExitCode.network, `the server reported an error mid-reply: ${apiMessage(error)}`, 'try again', { cause: error });
  }
  if (error instanceof SyntaxError) {
    return new GptError(
      ExitCode.network,
      `the server sent a malformed reply (${error.message})`,
      'try again; if it persists, the server is not OpenAI-compatible',
      { cause: error },
    );
  }
  if (isCutConnection(error)) {
    return new GptError(ExitCode.network, 'the connection was cut before the reply was complete', 'try again; the partial reply was not saved', {
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new GptError(ExitCode.network, `the request failed: ${message}`, 'try again', { cause: error });
}

function apiMessage(error: InstanceType<typeof OpenAI.APIError>): string {
  const body = error.error as { message?: unknown } | undefined;
  const text = typeof body?.message === 'string' ? body.message : error.message;
  return text.replace(/\s+/g, ' ').trim();
}

/** undici reports a socket closed mid-body as TypeError('terminated'). */
function isCutConnection(error: unknown): boolean {
  const e = error as { message?: string; cause?: { code?: string } } | undefined;
  return e?.message === 'terminated' || e?.cause?.code === 'UND_ERR_SOCKET';
}
