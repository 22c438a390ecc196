import { openAsBlob } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import OpenAI from 'openai';
import { ExitCode, GptError } from '../core/errors.js';
import { redact } from '../core/secrets.js';
import { BATCH_ENDPOINT, malformed, type BatchClient, type RemoteBatch, type RequestOutcome } from './batch-client.js';
import type { ChatRequest, ClientOptions } from './client.js';
import { toGptError } from './errors.js';
import { completionReply, createSdk, requestBody } from './openai.js';

export function createBatchClient(options: ClientOptions): BatchClient {
  const sdk = createSdk(options);
  const fail = (error: unknown) => toGptError(error, options);
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw fail(error);
    }
  };
  return {
    upload: (path, name) =>
      call(async () => {
        const file = new File([await openAsBlob(path)], name, { type: 'application/jsonl' });
        return (await sdk.files.create({ file, purpose: 'batch' })).id;
      }),
    create: (inputFileId, metadata) =>
      call(async () => toRemote(await sdk.batches.create({ input_file_id: inputFileId, endpoint: BATCH_ENDPOINT, completion_window: '24h', metadata }))),
    async batchOfFile(inputFileId) {
      try {
        let seen = 0;
        // Newest first; the batch sought was asked for just after its file was uploaded.
        for await (const batch of sdk.batches.list({ limit: 100 })) {
          if (batch.input_file_id === inputFileId) return toRemote(batch);
          if (++seen >= LISTED_AT_MOST) break;
        }
      } catch {
        // A server that lists no batches: as if there were none.
      }
      return undefined;
    },
    retrieve: (id) => call(async () => toRemote(await sdk.batches.retrieve(id))).catch(noSuchBatch(id)),
    cancel: (id) => call(async () => toRemote(await sdk.batches.cancel(id))).catch(noSuchBatch(id)),
    async *lines(fileId) {
      const response = await call(() => sdk.files.content(fileId));
      if (!response.body) return;
      const input = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
      const lines = createInterface({ input, crlfDelay: Infinity });
      try {
        for await (const line of lines) if (line.trim() !== '') yield line;
      } catch (error) {
        throw fail(error);
      } finally {
        lines.close();
        input.destroy();
      }
    },
  };
}

/** How many of the newest batches batchOfFile looks through (ten pages). */
const LISTED_AT_MOST = 1000;

/** A 404 for a batch id is about the id, not the model the generic hint suggests. */
const noSuchBatch =
  (id: string) =>
  (error: GptError): never => {
    if (error.status !== 404) throw error;
    throw new GptError(ExitCode.apiRejected, `no such batch: ${id}`, 'check the id; gpt batch list shows the batches created here', {
      cause: error,
      status: 404,
    });
  };

function toRemote(batch: OpenAI.Batch): RemoteBatch {
  const counts = batch.request_counts;
  return {
    id: batch.id,
    status: batch.status,
    total: counts?.total ?? 0,
    completed: counts?.completed ?? 0,
    failed: counts?.failed ?? 0,
    inputFileId: batch.input_file_id,
    outputFileId: batch.output_file_id ?? null,
    errorFileId: batch.error_file_id ?? null,
    errors: (batch.errors?.data ?? []).map((e) => `${e.line ? `line ${e.line}: ` : ''}${e.message ?? e.code ?? 'error'}`),
    createdAt: new Date(batch.created_at * 1000),
  };
}

/** One line of a request file: the same body a local run sends, under the item's id. */
export function requestLine(customId: string, request: ChatRequest): string {
  return JSON.stringify({ custom_id: customId, method: 'POST', url: BATCH_ENDPOINT, body: requestBody(request) });
}

interface ResultLine {
  custom_id?: unknown;
  response?: { status_code?: number; request_id?: string; body?: unknown } | null;
  error?: { code?: string; message?: string } | null;
}

const NOT_RUN = new Set(['batch_expired', 'batch_cancelled']);

/** Reads a line of a batch's output or error file. */
export function parseResultLine(line: string, context: Pick<ClientOptions, 'baseURL' | 'timeoutMs' | 'apiKey'>): RequestOutcome {
  let value: ResultLine;
  try {
    value = JSON.parse(line) as ResultLine;
  } catch {
    throw malformed('a line of the batch results is not JSON');
  }
  const customId = value.custom_id;
  if (typeof customId !== 'string') throw malformed('a line of the batch results has no custom_id');
  const { response, error } = value;
  if (!response) {
    if (error?.code && NOT_RUN.has(error.code)) return { customId, kind: 'notRun' };
    const message = redact(error?.message ?? error?.code ?? 'no response', context.apiKey);
    return { customId, kind: 'error', error: new GptError(ExitCode.apiRejected, `the batch did not run this request: ${message}`, 'check the request') };
  }
  const status = response.status_code ?? 0;
  if (status === 200) {
    const reply = completionReply(response.body as OpenAI.ChatCompletion, '', response.request_id ?? null);
    return { customId, kind: 'reply', reply };
  }
  const apiError = OpenAI.APIError.generate(status, response.body as object, undefined, new Headers());
  return { customId, kind: 'error', error: toGptError(apiError, context) };
}
