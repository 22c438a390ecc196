import OpenAI from 'openai';
import { VERSION as SDK_VERSION } from 'openai/version';
import { ExitCode, GptError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import type { ChatClient, ChatReply, ChatRequest, ClientOptions } from './client.js';
import { toGptError } from './errors.js';
import { apiMessage } from './message-parts.js';
import { proxyDispatcher } from './proxy.js';
import { createChunkReader, readCompletion, type ReadReply } from './reply-reader.js';
import { fetchWithRetryNotice } from './retry-notice.js';

/** Local servers (Ollama, llama.cpp...) take any key; the SDK insists on one. */
const PLACEHOLDER_KEY = 'not-needed';

export function createOpenAIClient(options: ClientOptions): ChatClient {
  const sdk = createSdk(options);
  const fail = (error: unknown, model?: string) => toGptError(error, { ...options, model });
  return {
    async complete(request, onText, onReasoning) {
      for (const line of request.leftOut ?? []) options.log?.(line);
      try {
        return await streamReply(sdk, request, options.timeoutMs, onText, onReasoning);
      } catch (error) {
        throw fail(error, request.model);
      }
    },
    async listModels(signal) {
      try {
        const ids: string[] = [];
        for await (const model of sdk.models.list({ signal })) ids.push(model.id);
        return ids.sort();
      } catch (error) {
        throw fail(error);
      }
    },
  };
}

export function createSdk(options: ClientOptions): OpenAI {
  if (!options.apiKey && options.apiKeyEnv !== undefined && (options.endpoint !== undefined || !options.baseURL)) {
    const hint =
      options.endpoint === undefined
        ? `export ${options.apiKeyEnv}=sk-..., or point OPENAI_BASE_URL at a local server`
        : `export ${options.apiKeyEnv}=... (named by api_key_env of endpoint '${options.endpoint}')`;
    throw new GptError(ExitCode.config, `${options.apiKeyEnv} is not set`, hint);
  }
  const dispatcher = proxyDispatcher(options.proxy);
  const log = options.log;
  const sink = (...parts: unknown[]) => log?.(parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' '));
  return new OpenAI({
    apiKey: options.apiKey ?? PLACEHOLDER_KEY,
    baseURL: options.baseURL,
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
    // The SDK's own name and version after ours (its default is built from its class name).
    defaultHeaders: { ...options.headers, 'User-Agent': `gpt/${VERSION} OpenAI/JS ${SDK_VERSION}` },
    fetchOptions: dispatcher && ({ dispatcher } as NonNullable<ConstructorParameters<typeof OpenAI>[0]>['fetchOptions']),
    fetch: options.retryNotice ? fetchWithRetryNotice(options.retryNotice, options.maxRetries, options.timeoutMs) : undefined,
    // The SDK logs to console by default; keep the process streams ours.
    logger: { error: sink, warn: sink, info: sink, debug: sink },
    logLevel: log ? 'debug' : 'off',
  });
}

/** The JSON body of a chat request; the Batch API sends the same body in each request line. */
export function requestBody(request: ChatRequest) {
  return {
    model: request.model,
    // Parts are built by message-parts.ts (no SDK there); their shapes are the SDK's user content parts.
    messages: request.messages.map(apiMessage) as OpenAI.ChatCompletionMessageParam[],
    ...request.fields,
    ...(request.responseFormat === undefined ? {} : { response_format: request.responseFormat }),
  };
}

/** A whole chat.completion as our reply (also each answer in a Batch API output file). */
export function completionReply(data: OpenAI.ChatCompletion, requestedModel: string, requestId: string | null): ChatReply {
  return chatReply(readCompletion(data, requestedModel), requestId);
}

function chatReply({ unclosedThinking: _, ...read }: ReadReply, requestId: string | null): ChatReply {
  return { ...read, requestId };
}

/**
 * Every reply is streamed on the wire, even one the caller wants whole (--json, --no-stream, batch
 * items): a server that sends nothing until it has generated the whole reply (llama.cpp) would make
 * the timeout a limit on the generation, and each retry would start it again.
 */
async function streamReply(
  sdk: OpenAI,
  request: ChatRequest,
  timeoutMs: number,
  onText?: (text: string) => void,
  onReasoning?: (text: string) => void,
): Promise<ChatReply> {
  // The SDK's timeout stops at the response headers (and is retried); this one covers a stream
  // that stalls afterwards (not retried: text may have been shown).
  const abort = new AbortController();
  const onCallerAbort = () => abort.abort(request.signal?.reason ?? 'interrupted');
  request.signal?.addEventListener('abort', onCallerAbort, { once: true });
  let idle: NodeJS.Timeout | undefined;
  const armIdleTimer = () => {
    clearTimeout(idle);
    idle = setTimeout(() => abort.abort('timeout'), timeoutMs);
  };
  try {
    const { data: stream, request_id } = await sdk.chat.completions
      .create(
        {
          ...requestBody(request),
          stream: true,
          ...(request.streamUsage ? { stream_options: { include_usage: true } } : {}),
        },
        { signal: abort.signal },
      )
      .withResponse();
    armIdleTimer();
    const reader = createChunkReader(request.model, { text: onText, reasoning: onReasoning });
    for await (const chunk of stream) {
      armIdleTimer();
      reader.add(chunk);
    }
    const reply = chatReply(reader.finish(), request_id);
    // The SDK ends the iteration quietly when aborted, so the reason is checked here.
    if (abort.signal.aborted) throw abortError(abort.signal.reason, timeoutMs);
    if (reply.finishReason === null) {
      throw new GptError(ExitCode.network, 'the reply stream ended before the reply was complete', 'try again; the partial reply was not saved');
    }
    return reply;
  } catch (error) {
    if (abort.signal.aborted) throw abortError(abort.signal.reason, timeoutMs);
    throw error;
  } finally {
    clearTimeout(idle);
    request.signal?.removeEventListener('abort', onCallerAbort);
  }
}

function abortError(reason: unknown, timeoutMs: number): GptError {
  if (reason instanceof GptError) return reason;
  if (reason === 'timeout') {
    return new GptError(ExitCode.network, `the reply stalled for ${timeoutMs / 1000}s`, 'raise --timeout, or try again');
  }
  return new GptError(ExitCode.interrupted, 'interrupted');
}
