/**
 * A fake OpenAI-compatible HTTP server for tests (node:http only).
 *
 * Listens on 127.0.0.1 on an ephemeral port. Chat completion requests are
 * answered from a FIFO queue of scripted replies (falling back to a default),
 * supporting both JSON and SSE streaming responses plus a range of failure
 * modes (errors, hangs, dropped connections, malformed streams).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { encodeChat } from 'gpt-tokenizer/encoding/o200k_base';
import { createBatchApi, type BatchScript, type FakeBatch, type FakeFile } from './fake-batch.js';

export type { BatchScript, FakeBatch, FakeFile } from './fake-batch.js';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the body is JSON, else the raw string ('' when empty). */
  body: any;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  completion_tokens_details?: { reasoning_tokens?: number };
  prompt_tokens_details?: { cached_tokens?: number };
}

/**
 * How strictly the server checks requests, like the APIs it stands in for (off by default).
 * `reasoningModels`: names starting o1.., gpt-5 are reasoning models as on the OpenAI API:
 * `max_tokens` and a temperature/top_p other than 1 are refused with OpenAI's 400s (gpt-5.1 and
 * later take them with effort none), efforts are checked per family, and usage reports
 * reasoning and cached tokens. `rejectStreamOptions`: 400 for `stream_options`, as some
 * compatible servers answer.
 */
export interface ApiRules {
  reasoningModels?: boolean;
  rejectStreamOptions?: boolean;
  /** A request over this window is refused with a 400 in the words of the server `style` names (see contextWindowError). */
  contextWindow?: ContextWindowRule;
}

/**
 * `tokens`: the window. `style`: `openai` counts the messages and max_tokens (or
 * max_completion_tokens) against it, as the OpenAI API and vLLM do; `llamacpp` counts the
 * prompt alone, as llama.cpp's server does. `scale`: how many tokens the server counts for
 * each o200k token (a model with another tokenizer counts more; default 1).
 */
export interface ContextWindowRule {
  tokens: number;
  style: 'openai' | 'llamacpp';
  scale?: number;
}

export type ScriptedReply =
  | {
      kind: 'reply';
      text?: string;
      model?: string;
      finishReason?: string | null;
      usage?: Usage | null;
      /** stream: split the text into these deltas (default: ~3 pieces by words). */
      chunks?: string[];
      /** wait before sending response headers */
      firstByteDelayMs?: number;
      /** wait between SSE events (a reply that is not streamed waits for all of them, then comes whole) */
      chunkDelayMs?: number;
      /** stream: end the response without `data: [DONE]` */
      omitDone?: boolean;
      /** stream: no chunk carries finish_reason */
      omitFinish?: boolean;
      /** stream: destroy the socket after N content chunks */
      dropAfterChunks?: number;
      /** stream: after N content chunks send `data: {not json` then end */
      malformedAfterChunks?: number;
      headers?: Record<string, string>;
      /** Thinking sent beside the answer, as a local reasoning server does. */
      reasoning?: string;
      /** Where the thinking goes: `reasoning_content` (llama.cpp, default), `reasoning` (Ollama, vLLM) or an inline `<think>` block. */
      reasoningField?: 'reasoning_content' | 'reasoning' | 'think';
      /** stream: split the reasoning into these deltas (default: ~3 pieces by words). */
      reasoningChunks?: string[];
      /** With reasoningModels: completion_tokens_details.reasoning_tokens (default 8) and prompt_tokens_details.cached_tokens (default 0). */
      reasoningTokens?: number;
      cachedTokens?: number;
      /** The model declines (structured output): sent as `refusal` (streamed in pieces), with no content. */
      refusal?: string;
    }
  | {
      kind: 'error';
      status: number;
      message: string;
      type?: string;
      code?: string | null;
      /** The request field the error is about. */
      param?: string | null;
      /** The error object sent as is, instead of one made of message, type, param and code (a server's own shape). */
      body?: Record<string, unknown>;
      headers?: Record<string, string>;
      delayMs?: number;
    }
  | { kind: 'hang' }
  | { kind: 'destroy' };

export type ReplyScript = ScriptedReply | ((req: RecordedRequest) => ScriptedReply);

export interface FakeServer {
  /** Base URL including /v1, e.g. http://127.0.0.1:43210/v1 */
  url: string;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  /** Only POST /v1/chat/completions. */
  chatRequests(): RecordedRequest[];
  /** Consumed FIFO by chat completion requests. */
  enqueue(...replies: ReplyScript[]): void;
  /** Used when the queue is empty. */
  setDefault(reply: ReplyScript): void;
  /** Batch API: each created batch takes the next script (FIFO), then the default. */
  enqueueBatch(...scripts: BatchScript[]): void;
  setBatchDefault(script: BatchScript): void;
  /** Batch creations wait until the returned function is called (reset() releases them too). */
  holdCreates(): () => void;
  /** Files uploaded to /v1/files (and the output files the batches wrote). */
  files(): FakeFile[];
  /** Batches created through /v1/batches, in creation order. */
  batches(): FakeBatch[];
  /** Checks requests like a given API does (see ApiRules); reset() restores the rules given at start. */
  setApiRules(rules: ApiRules): void;
  /** Forgets recorded requests and queued replies, and restores the default replies: a fresh start for the next test. */
  reset(): void;
  /** Closes the server and destroys all open sockets (hanging requests too). */
  close(): Promise<void>;
}

const CHAT_PATH = '/v1/chat/completions';
const MODELS_PATH = '/v1/models';

function sleep(ms: number | undefined): Promise<void> {
  if (!ms || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref?.();
  });
}

function contentToText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => {
        if (typeof part === 'string') return part;
        if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') {
          return (part as { text: string }).text;
        }
        return '';
      })
      .join('');
  }
  return '';
}

function lastUserContent(body: any): string {
  const messages: unknown = body?.messages;
  if (!Array.isArray(messages)) return '';
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: unknown; content?: unknown } | null;
    if (m && m.role === 'user') return contentToText(m.content);
  }
  return '';
}

function wordCount(text: string): number {
  const t = text.trim();
  return t === '' ? 0 : t.split(/\s+/).length;
}

/** Split text into ~3 pieces on word boundaries; concatenation equals the original text. */
function splitIntoPieces(text: string, pieces = 3): string[] {
  if (text === '') return [];
  // Tokens that keep their trailing whitespace so that join('') round-trips.
  const tokens = text.match(/\S+\s*|\s+/g) ?? [text];
  if (tokens.length <= 1) return [text];
  const n = Math.min(pieces, tokens.length);
  const out: string[] = [];
  const per = Math.ceil(tokens.length / n);
  for (let i = 0; i < tokens.length; i += per) {
    out.push(tokens.slice(i, i + per).join(''));
  }
  return out;
}

/**
 * For a json_schema request, a reply that fits its schema (as a model in strict mode gives):
 * strings are the last user message, so each batch item's data can be told apart.
 */
function fittingJson(body: any): string | undefined {
  const format = body?.response_format;
  if (format?.type !== 'json_schema' || typeof format.json_schema?.schema !== 'object') return undefined;
  const root = format.json_schema.schema;
  const prompt = lastUserContent(body);
  const sample = (schema: any, depth: number): unknown => {
    if (!schema || typeof schema !== 'object' || depth > 20) return null;
    if (typeof schema.$ref === 'string') {
      const target = schema.$ref
        .replace(/^#\//, '')
        .split('/')
        .reduce((node: any, key: string) => node?.[key], root);
      return sample(target, depth + 1);
    }
    if (Array.isArray(schema.enum)) return schema.enum[0];
    if (Array.isArray(schema.anyOf)) return sample(schema.anyOf[0], depth + 1);
    const type = Array.isArray(schema.type) ? (schema.type.find((t: string) => t !== 'null') ?? 'null') : schema.type;
    switch (type) {
      case 'object':
        return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, sample(v, depth + 1)]));
      case 'array':
        return [sample(schema.items, depth + 1)];
      case 'string':
        return prompt;
      case 'integer':
        return 42;
      case 'number':
        return 1.5;
      case 'boolean':
        return true;
      default:
        return null;
    }
  };
  return JSON.stringify(sample(root, 0));
}

function errorBody(message: string, type: string, code: string | null, param: string | null = null): string {
  return JSON.stringify({ error: { message, type, param, code } });
}

const REASONING_MODEL = /^(o[1-9]|gpt-5)/;

/** The efforts a family takes, as the OpenAI API checks them (late 2026). */
function effortsOf(model: string): string[] {
  if (/^gpt-5-pro/.test(model)) return ['high'];
  if (/^gpt-5\.1/.test(model)) return ['none', 'low', 'medium', 'high'];
  if (/^gpt-5\.\d/.test(model)) return ['none', 'low', 'medium', 'high', 'xhigh'];
  if (/^gpt-5/.test(model)) return ['minimal', 'low', 'medium', 'high'];
  return ['low', 'medium', 'high'];
}

/** The 400 that the OpenAI API gives a reasoning model for this body, if any. */
export function reasoningModelError(body: any): Extract<ScriptedReply, { kind: 'error' }> | undefined {
  const model = String(body?.model ?? '').replace(/^.*\//, '');
  if (!REASONING_MODEL.test(model)) return undefined;
  const unsupported = (param: string, message: string, code = 'unsupported_value') => ({
    kind: 'error' as const,
    status: 400,
    message,
    param,
    code,
    type: 'invalid_request_error',
  });
  if (body.max_tokens !== undefined) {
    return unsupported(
      'max_tokens',
      "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      'unsupported_parameter',
    );
  }
  const efforts = effortsOf(model);
  const effort = body.reasoning_effort;
  if (effort !== undefined && !efforts.includes(effort)) {
    const list = efforts.map((e) => `'${e}'`);
    const spoken = list.length > 1 ? `${list.slice(0, -1).join(', ')}, and ${list.at(-1)}` : list[0];
    return unsupported(
      'reasoning_effort',
      `Unsupported value: 'reasoning_effort' does not support '${effort}' with this model. Supported values are: ${spoken}.`,
    );
  }
  // gpt-5.1 to 5.4 default to effort none; later ones to medium, so they need it sent.
  const defaultNone = /^gpt-5\.[1-4]/.test(model);
  const samplingOk = /^gpt-5\.\d/.test(model) && (effort === 'none' || (effort === undefined && defaultNone));
  for (const param of ['temperature', 'top_p']) {
    if (body[param] !== undefined && body[param] !== 1 && !samplingOk) {
      return unsupported(param, `Unsupported value: '${param}' does not support ${body[param]} with this model. Only the default (1) value is supported.`);
    }
  }
  return undefined;
}

/**
 * The 400 a server gives a request longer than its context window, in its own words:
 * OpenAI's (`context_length_exceeded`, as vLLM words it too) or llama.cpp's server's
 * (`exceed_context_size_error` with `n_ctx` and `n_prompt_tokens`, tools/server/server-context.cpp
 * and server-task.cpp).
 */
export function contextWindowError(body: any, rule: ContextWindowRule): Extract<ScriptedReply, { kind: 'error' }> | undefined {
  if (!Array.isArray(body?.messages)) return undefined;
  const chat = body.messages.map((m: any) => ({ role: m.role, content: contentToText(m.content) }));
  const prompt = Math.ceil(encodeChat(chat, 'gpt-4o').length * (rule.scale ?? 1));
  const window = rule.tokens;
  if (rule.style === 'llamacpp') {
    if (prompt < window) return undefined; // llama.cpp needs one free cell to decode anything
    const message = `request (${prompt} tokens) exceeds the available context size (${window} tokens), try increasing it`;
    return { kind: 'error', status: 400, message, body: { code: 400, message, type: 'exceed_context_size_error', n_prompt_tokens: prompt, n_ctx: window } };
  }
  const completion = body.max_completion_tokens ?? body.max_tokens ?? 0;
  if (prompt + completion <= window) return undefined;
  const asked =
    completion > 0
      ? `you requested ${prompt + completion} tokens (${prompt} in the messages, ${completion} in the completion). Please reduce the length of the messages or completion.`
      : `your messages resulted in ${prompt} tokens. Please reduce the length of the messages.`;
  return {
    kind: 'error',
    status: 400,
    type: 'invalid_request_error',
    param: 'messages',
    code: 'context_length_exceeded',
    message: `This model's maximum context length is ${window} tokens. However, ${asked}`,
  };
}

function defaultErrorType(status: number): string {
  if (status === 400) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'api_error';
}

export async function startFakeServer(options?: { models?: string[]; rules?: ApiRules }): Promise<FakeServer> {
  const models = options?.models ?? ['fake-model-1', 'fake-model-2'];
  let rules: ApiRules = { ...options?.rules };
  const requests: RecordedRequest[] = [];
  const queue: ReplyScript[] = [];
  let defaultReply: ReplyScript = { kind: 'reply' };
  let requestCounter = 0;
  let completionCounter = 0;
  let closed = false;
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      // Never let a handler error crash the test process.
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(errorBody(`fake server error: ${String(err)}`, 'server_error', null));
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 1000;

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (closed) socket.destroy();
  });

  async function readBody(req: http.IncomingMessage): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of req) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const bytes = await readBody(req);
    const raw = bytes.toString('utf8');
    let body: any = raw;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const recorded: RecordedRequest = { method, path, headers: { ...req.headers }, body };
    requests.push(recorded);

    const requestId = `req_${++requestCounter}`;
    res.setHeader('x-request-id', requestId);

    if (method === 'POST' && path === CHAT_PATH) {
      // Checked before a scripted reply is taken, as a real API validates before it works.
      const refusal = ruleError(recorded.body);
      if (refusal) return respondChat(recorded, refusal, res);
      const script = queue.length > 0 ? queue.shift()! : defaultReply;
      const reply: ScriptedReply = typeof script === 'function' ? script(recorded) : script;
      await respondChat(recorded, reply, res);
      return;
    }
    if (method === 'GET' && path === MODELS_PATH) {
      const created = Math.floor(Date.now() / 1000);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          object: 'list',
          data: models.map((id) => ({ id, object: 'model', created, owned_by: 'fake' })),
        }),
      );
      return;
    }
    if (batchApi.handle(recorded, bytes, res)) return;
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(errorBody(`Unknown route: ${method} ${path}`, 'invalid_request_error', 'unknown_url'));
  }

  type ReplyScriptOf<K> = Extract<ScriptedReply, { kind: K }>;

  function ruleError(body: any): ReplyScriptOf<'error'> | undefined {
    if (!body || typeof body !== 'object') return undefined;
    if (rules.rejectStreamOptions && body.stream_options !== undefined) {
      return { kind: 'error', status: 400, message: 'Unrecognized request argument supplied: stream_options', param: 'stream_options' };
    }
    const tooLong = rules.contextWindow && contextWindowError(body, rules.contextWindow);
    if (tooLong) return tooLong;
    return rules.reasoningModels ? reasoningModelError(body) : undefined;
  }

  /** What a reply consists of, before it is sent whole or streamed. */
  function completionParts(reqBody: any, reply: ReplyScriptOf<'reply'>) {
    const answer = reply.refusal !== undefined ? '' : (reply.text ?? fittingJson(reqBody) ?? `echo: ${lastUserContent(reqBody)}`);
    const inline = reply.reasoning !== undefined && reply.reasoningField === 'think';
    const text = inline ? `<think>\n${reply.reasoning}\n</think>\n\n${answer}` : answer;
    const reasoning = inline ? undefined : reply.reasoning;
    const reasoningField = reply.reasoningField === 'reasoning' ? 'reasoning' : 'reasoning_content';
    const model: string = reply.model ?? (typeof reqBody.model === 'string' ? reqBody.model : 'fake-model');
    const finishReason = reply.finishReason === undefined ? 'stop' : reply.finishReason;
    const messageCount = Array.isArray(reqBody.messages) ? reqBody.messages.length : 0;
    const usage: Usage | null =
      reply.usage === undefined
        ? (() => {
            const prompt = messageCount * 10;
            const completion = wordCount(text) + wordCount(reasoning ?? '');
            const plain = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
            return rules.reasoningModels && REASONING_MODEL.test(model.replace(/^.*\//, '')) ? withDetails(plain, reply) : plain;
          })()
        : reply.usage;
    const id = `chatcmpl-fake-${++completionCounter}`;
    const created = Math.floor(Date.now() / 1000);
    return { id, created, text, model, finishReason, usage, reasoning, reasoningField, refusal: reply.refusal };
  }

  /** Usage as the OpenAI API reports it for a reasoning model: the hidden thinking counts as completion tokens. */
  function withDetails(usage: Usage, reply: ReplyScriptOf<'reply'>): Usage {
    const reasoningTokens = reply.reasoningTokens ?? 8;
    const completion = usage.completion_tokens + reasoningTokens;
    return {
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: completion,
      total_tokens: usage.prompt_tokens + completion,
      prompt_tokens_details: { cached_tokens: reply.cachedTokens ?? 0 },
      completion_tokens_details: { reasoning_tokens: reasoningTokens },
    };
  }

  /** A whole (non-streamed) chat.completion object. */
  function completionObject(parts: ReturnType<typeof completionParts>): Record<string, unknown> {
    const { id, created, text, model, finishReason, usage, reasoning, reasoningField, refusal } = parts;
    const message: Record<string, unknown> =
      refusal === undefined ? { role: 'assistant', content: text, refusal: null } : { role: 'assistant', content: null, refusal };
    if (reasoning !== undefined) message[reasoningField] = reasoning;
    const completion: Record<string, unknown> = {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [
        {
          index: 0,
          message,
          logprobs: null,
          finish_reason: finishReason,
        },
      ],
    };
    if (usage !== null) completion['usage'] = usage;
    return completion;
  }

  const batchApi = createBatchApi({
    complete: (body) => completionObject(completionParts(body, { kind: 'reply' })),
    nextRequestId: () => `req_${++requestCounter}`,
  });

  async function respondChat(recorded: RecordedRequest, reply: ScriptedReply, res: http.ServerResponse): Promise<void> {
    if (reply.kind === 'hang') {
      // Never answer; close() destroys the socket.
      return;
    }
    if (reply.kind === 'destroy') {
      res.socket?.destroy();
      res.destroy();
      return;
    }
    if (reply.kind === 'error') {
      await sleep(reply.delayMs);
      if (res.destroyed) return;
      res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
      res.end(
        reply.body
          ? JSON.stringify({ error: reply.body })
          : errorBody(reply.message, reply.type ?? defaultErrorType(reply.status), reply.code === undefined ? null : reply.code, reply.param ?? null),
      );
      return;
    }

    const reqBody: any = recorded.body && typeof recorded.body === 'object' ? recorded.body : {};
    const parts = completionParts(reqBody, reply);
    const { id, created, model, finishReason, usage } = parts;

    await sleep(reply.firstByteDelayMs);
    if (res.destroyed) return;

    if (!reqBody.stream) {
      // Like llama.cpp: nothing is sent until the whole reply is generated, one chunk gap per event.
      const events = (reply.chunks ?? splitIntoPieces(parts.text)).length + 3;
      await sleep((reply.chunkDelayMs ?? 0) * events);
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
      res.end(JSON.stringify(completionObject(parts)));
      return;
    }

    // ---- Streaming (SSE) ----
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...(reply.headers ?? {}),
    });
    res.flushHeaders();
    res.socket?.setNoDelay(true);

    const chunk = (choices: unknown[], extra?: Record<string, unknown>): Record<string, unknown> => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices,
      ...(extra ?? {}),
    });
    let first = true;
    const send = async (payload: string): Promise<boolean> => {
      if (!first) await sleep(reply.chunkDelayMs);
      first = false;
      if (res.destroyed || res.writableEnded) return false;
      res.write(`data: ${payload}\n\n`);
      return true;
    };

    if (!(await send(JSON.stringify(chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]))))) return;

    if (parts.reasoning !== undefined) {
      for (const piece of reply.reasoningChunks ?? splitIntoPieces(parts.reasoning)) {
        const delta = { content: '', [parts.reasoningField]: piece };
        if (!(await send(JSON.stringify(chunk([{ index: 0, delta, logprobs: null, finish_reason: null }]))))) return;
      }
    }

    if (parts.refusal !== undefined) {
      for (const piece of splitIntoPieces(parts.refusal)) {
        if (!(await send(JSON.stringify(chunk([{ index: 0, delta: { refusal: piece }, logprobs: null, finish_reason: null }]))))) return;
      }
    }
    const pieces = reply.chunks ?? splitIntoPieces(parts.text);
    let sent = 0;
    for (const piece of pieces) {
      if (reply.dropAfterChunks !== undefined && sent >= reply.dropAfterChunks) {
        dropConnection(res);
        return;
      }
      if (reply.malformedAfterChunks !== undefined && sent >= reply.malformedAfterChunks) {
        await sendMalformed(res, send);
        return;
      }
      if (!(await send(JSON.stringify(chunk([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }]))))) return;
      sent++;
    }
    if (reply.dropAfterChunks !== undefined && sent >= reply.dropAfterChunks) {
      dropConnection(res);
      return;
    }
    if (reply.malformedAfterChunks !== undefined && sent >= reply.malformedAfterChunks) {
      await sendMalformed(res, send);
      return;
    }

    if (!reply.omitFinish) {
      if (!(await send(JSON.stringify(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }]))))) return;
    }
    const includeUsage = Boolean(reqBody.stream_options && reqBody.stream_options.include_usage);
    if (includeUsage && usage !== null) {
      if (!(await send(JSON.stringify(chunk([], { usage }))))) return;
    }
    if (!reply.omitDone) {
      if (!(await send('[DONE]'))) return;
    }
    res.end();
  }

  function dropConnection(res: http.ServerResponse): void {
    // Give already-written bytes a moment to flush, then kill the socket hard.
    const socket = res.socket;
    setImmediate(() => {
      if (socket) socket.destroy();
      res.destroy();
    });
  }

  async function sendMalformed(res: http.ServerResponse, send: (p: string) => Promise<boolean>): Promise<void> {
    if (!(await send('{not json'))) return;
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closePromise: Promise<void> | undefined;

  const fake: FakeServer = {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    chatRequests: () => requests.filter((r) => r.method === 'POST' && r.path === CHAT_PATH),
    enqueue: (...replies: ReplyScript[]) => {
      queue.push(...replies);
    },
    setDefault: (reply: ReplyScript) => {
      defaultReply = reply;
    },
    enqueueBatch: (...scripts: BatchScript[]) => batchApi.enqueue(...scripts),
    setBatchDefault: (script: BatchScript) => batchApi.setDefault(script),
    holdCreates: () => batchApi.holdCreates(),
    files: () => batchApi.files(),
    batches: () => batchApi.batches(),
    setApiRules: (next: ApiRules) => {
      rules = { ...next };
    },
    reset: () => {
      rules = { ...options?.rules };
      requests.length = 0;
      queue.length = 0;
      defaultReply = { kind: 'reply' };
      batchApi.reset();
    },
    close: () => {
      if (closePromise) return closePromise;
      closed = true;
      closePromise = new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        sockets.clear();
        server.closeAllConnections?.();
      });
      return closePromise;
    },
  };
  return fake;
}
