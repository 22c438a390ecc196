/**
 * The Files and Batch APIs of the fake OpenAI server (see fake-server.ts).
 *
 * Files are kept in memory. A batch validates its input file when created, then
 * follows its script: `in_progress` for some retrieves, then it ends completed,
 * expired or cancelled (with partial output), or failed (validation errors).
 * Requests that ran are answered like chat requests (`echo: <last user message>`).
 */
import type http from 'node:http';
import type { RecordedRequest } from './fake-server.js';

export interface BatchScript {
  /** Retrieves answered with `in_progress` before the batch ends (default 0). */
  inProgressPolls?: number;
  /** How the batch ends (default 'completed'); a cancel request ends it 'cancelled'. */
  outcome?: 'completed' | 'expired' | 'cancelled' | 'failed';
  /** expired/cancelled: how many requests, in input order, ran before the end (default: half). */
  completedCount?: number;
  /** Requests (by custom_id) that fail: their lines go to the error file. */
  failIds?: string[];
  /** HTTP status of those failures (default 400). */
  failStatus?: number;
  /** outcome 'failed': the validation errors reported. */
  errors?: Array<{ code?: string; message: string; line?: number | null }>;
  /** expired/cancelled: count the requests that never ran as failed in request_counts, as the API may. */
  notRunCountsAsFailed?: boolean;
  /** Write output lines in reverse input order (the API does not promise input order). */
  reverseOutput?: boolean;
}

export interface FakeFile {
  id: string;
  filename: string;
  purpose: string;
  bytes: Buffer;
  text(): string;
}

export interface FakeBatch {
  id: string;
  inputFileId: string;
  endpoint: string;
  completionWindow: string;
  metadata: Record<string, string> | null;
  status: string;
  /** GET /v1/batches/{id} calls so far. */
  retrieves: number;
  script: BatchScript;
  /** The object the API last returned. */
  object: Record<string, any>;
}

interface BatchApiDeps {
  /** A chat.completion object answering a request body. */
  complete(body: any): Record<string, unknown>;
  nextRequestId(): string;
}

const TERMINAL = new Set(['completed', 'expired', 'cancelled', 'failed']);
const FILE_ROUTE = /^\/v1\/files\/([^/]+)$/;
const FILE_CONTENT_ROUTE = /^\/v1\/files\/([^/]+)\/content$/;
const BATCH_ROUTE = /^\/v1\/batches\/([^/]+)$/;
const BATCH_CANCEL_ROUTE = /^\/v1\/batches\/([^/]+)\/cancel$/;

interface InputRequest {
  custom_id: string;
  body: any;
}

export function createBatchApi(deps: BatchApiDeps) {
  const files = new Map<string, FakeFile>();
  const batches = new Map<string, FakeBatch & { requests: InputRequest[]; cancelRequested: boolean }>();
  const queue: BatchScript[] = [];
  let defaultScript: BatchScript = {};
  let fileCounter = 0;
  let batchCounter = 0;
  /** While set, batch creations wait for it (holdCreates). */
  let createsHeld: Promise<void> | undefined;
  let releaseCreates = () => {};
  const now = () => Math.floor(Date.now() / 1000);

  function addFile(filename: string, purpose: string, bytes: Buffer): FakeFile {
    const file: FakeFile = { id: `file-fake-${++fileCounter}`, filename, purpose, bytes, text: () => bytes.toString('utf8') };
    files.set(file.id, file);
    return file;
  }

  const fileObject = (file: FakeFile) => ({
    id: file.id,
    object: 'file',
    bytes: file.bytes.length,
    created_at: now(),
    filename: file.filename,
    purpose: file.purpose,
    status: 'processed',
  });

  async function createBatch(body: any, res: http.ServerResponse): Promise<void> {
    await createsHeld;
    const input = files.get(body?.input_file_id);
    if (!input) return sendError(res, 400, `No such file: ${String(body?.input_file_id)}`);
    if (body.endpoint !== '/v1/chat/completions') return sendError(res, 400, `Unsupported endpoint: ${String(body.endpoint)}`);
    if (body.completion_window !== '24h') return sendError(res, 400, 'completion_window must be 24h');
    const script = queue.length > 0 ? queue.shift()! : defaultScript;
    const { requests, errors } = parseInput(input.text(), body.endpoint);
    const id = `batch_fake_${++batchCounter}`;
    const created = now();
    const batch = {
      id,
      inputFileId: input.id,
      endpoint: body.endpoint,
      completionWindow: body.completion_window,
      metadata: body.metadata ?? null,
      status: 'validating',
      retrieves: 0,
      script: errors.length > 0 ? { ...script, outcome: 'failed' as const, errors } : script,
      requests,
      cancelRequested: false,
      object: {
        id,
        object: 'batch',
        endpoint: body.endpoint,
        errors: null,
        input_file_id: input.id,
        completion_window: body.completion_window,
        status: 'validating',
        output_file_id: null,
        error_file_id: null,
        created_at: created,
        expires_at: created + 86_400,
        request_counts: { total: requests.length, completed: 0, failed: 0 },
        metadata: body.metadata ?? null,
      },
    };
    batches.set(id, batch);
    sendJson(res, 200, batch.object);
  }

  function retrieveBatch(batch: FakeBatch & { requests: InputRequest[]; cancelRequested: boolean }): Record<string, any> {
    batch.retrieves++;
    if (TERMINAL.has(batch.status)) return batch.object;
    const polls = batch.script.inProgressPolls ?? 0;
    if (!batch.cancelRequested && batch.retrieves <= polls && batch.script.outcome !== 'failed') {
      const total = batch.requests.length;
      const done = Math.floor((total * batch.retrieves) / (polls + 1));
      setStatus(batch, 'in_progress', { in_progress_at: batch.object.in_progress_at ?? now() });
      batch.object.request_counts = { total, completed: done, failed: 0 };
      return batch.object;
    }
    finish(batch, batch.cancelRequested ? 'cancelled' : (batch.script.outcome ?? 'completed'));
    return batch.object;
  }

  function finish(batch: FakeBatch & { requests: InputRequest[] }, outcome: NonNullable<BatchScript['outcome']>): void {
    const { script, requests } = batch;
    if (outcome === 'failed') {
      setStatus(batch, 'failed', { failed_at: now() });
      batch.object.errors = {
        object: 'list',
        data: (script.errors ?? [{ code: 'invalid', message: 'failed' }]).map((e) => ({ line: null, param: null, code: e.code ?? 'invalid_request', ...e })),
      };
      batch.object.request_counts = { total: 0, completed: 0, failed: 0 };
      return;
    }
    const ran = outcome === 'completed' ? requests.length : (script.completedCount ?? Math.floor(requests.length / 2));
    const failIds = new Set(script.failIds ?? []);
    const outputLines: string[] = [];
    const errorLines: string[] = [];
    let failed = 0;
    requests.forEach((request, index) => {
      const line = { id: `batch_req_${batch.id}_${index + 1}`, custom_id: request.custom_id, response: null as unknown, error: null as unknown };
      if (index >= ran) {
        line.error = { code: `batch_${outcome}`, message: `This request could not be executed before the batch was ${outcome}.` };
        errorLines.push(JSON.stringify(line));
      } else if (failIds.has(request.custom_id)) {
        failed++;
        const status = script.failStatus ?? 400;
        line.response = {
          status_code: status,
          request_id: deps.nextRequestId(),
          body: { error: { message: `fake failure for ${request.custom_id}`, type: 'invalid_request_error', param: null, code: null } },
        };
        errorLines.push(JSON.stringify(line));
      } else {
        line.response = { status_code: 200, request_id: deps.nextRequestId(), body: deps.complete(request.body) };
        outputLines.push(JSON.stringify(line));
      }
    });
    if (script.reverseOutput) outputLines.reverse();
    const write = (lines: string[], name: string) =>
      lines.length === 0 ? null : addFile(`${batch.id}_${name}.jsonl`, 'batch_output', Buffer.from(`${lines.join('\n')}\n`)).id;
    batch.object.output_file_id = write(outputLines, 'output');
    batch.object.error_file_id = write(errorLines, 'error');
    const notRun = Math.max(0, requests.length - ran);
    batch.object.request_counts = {
      total: requests.length,
      completed: Math.min(ran, requests.length) - failed,
      failed: failed + (script.notRunCountsAsFailed ? notRun : 0),
    };
    setStatus(batch, outcome, { [`${outcome}_at`]: now(), finalizing_at: now() });
  }

  function setStatus(batch: FakeBatch, status: string, stamps: Record<string, number>): void {
    batch.status = status;
    batch.object.status = status;
    Object.assign(batch.object, stamps);
  }

  return {
    enqueue: (...scripts: BatchScript[]) => void queue.push(...scripts),
    setDefault: (script: BatchScript) => {
      defaultScript = script;
    },
    /** Batch creations wait (their requests are recorded) until the returned function is called. */
    holdCreates: (): (() => void) => {
      let release!: () => void;
      createsHeld = new Promise((resolve) => (release = resolve));
      releaseCreates = () => {
        createsHeld = undefined;
        release();
      };
      return releaseCreates;
    },
    /** Queued scripts are dropped and the default restored; uploaded files and batches stay. */
    reset: () => {
      queue.length = 0;
      defaultScript = {};
      releaseCreates();
    },
    files: () => [...files.values()],
    batches: (): FakeBatch[] => [...batches.values()],

    /** Answers a Files or Batches request; false when the route is not one of them. */
    handle(recorded: RecordedRequest, raw: Buffer, res: http.ServerResponse): boolean {
      const { method, path } = recorded;
      let match: RegExpMatchArray | null;
      if (method === 'POST' && path === '/v1/files') {
        const form = parseMultipart(raw, String(recorded.headers['content-type'] ?? ''));
        const file = form.files.file;
        if (!file) sendError(res, 400, 'missing file');
        else sendJson(res, 200, fileObject(addFile(file.filename, form.fields.purpose ?? '', file.bytes)));
      } else if (method === 'GET' && (match = path.match(FILE_CONTENT_ROUTE))) {
        const file = files.get(match[1]!);
        if (!file) sendError(res, 404, 'No such file');
        else {
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          res.end(file.bytes);
        }
      } else if (method === 'GET' && (match = path.match(FILE_ROUTE))) {
        const file = files.get(match[1]!);
        if (!file) sendError(res, 404, 'No such file');
        else sendJson(res, 200, fileObject(file));
      } else if (method === 'POST' && path === '/v1/batches') {
        void createBatch(recorded.body, res);
      } else if (method === 'GET' && path === '/v1/batches') {
        // Newest first, in one page, as the API lists them (its pagination is not needed here).
        const data = [...batches.values()].reverse().map((b) => b.object);
        sendJson(res, 200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false });
      } else if (method === 'GET' && (match = path.match(BATCH_ROUTE))) {
        const batch = batches.get(match[1]!);
        if (!batch) sendError(res, 404, 'No such batch');
        else sendJson(res, 200, retrieveBatch(batch));
      } else if (method === 'POST' && (match = path.match(BATCH_CANCEL_ROUTE))) {
        const batch = batches.get(match[1]!);
        if (!batch) sendError(res, 404, 'No such batch');
        else {
          if (!TERMINAL.has(batch.status)) {
            batch.cancelRequested = true;
            setStatus(batch, 'cancelling', { cancelling_at: now() });
          }
          sendJson(res, 200, batch.object);
        }
      } else {
        return false;
      }
      return true;
    },
  };
}

/** The API checks every line before running any: JSON, a unique custom_id, the batch's endpoint. */
function parseInput(text: string, endpoint: string): { requests: InputRequest[]; errors: Array<{ code: string; message: string; line: number }> } {
  const requests: InputRequest[] = [];
  const errors: Array<{ code: string; message: string; line: number }> = [];
  const seen = new Set<string>();
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() === '') return;
    const line = index + 1;
    let value: any;
    try {
      value = JSON.parse(raw);
    } catch {
      errors.push({ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', line });
      return;
    }
    if (typeof value?.custom_id !== 'string' || seen.has(value.custom_id)) {
      errors.push({ code: 'duplicate_custom_id', message: 'custom_id is missing or not unique.', line });
    } else if (value.method !== 'POST' || value.url !== endpoint || typeof value.body !== 'object') {
      errors.push({ code: 'invalid_request', message: `Expected a POST to ${endpoint} with a body.`, line });
    } else {
      seen.add(value.custom_id);
      requests.push({ custom_id: value.custom_id, body: value.body });
    }
  });
  if (requests.length === 0 && errors.length === 0) errors.push({ code: 'empty_file', message: 'The input file is empty.', line: 1 });
  return { requests, errors };
}

interface Multipart {
  fields: Record<string, string>;
  files: Record<string, { filename: string; bytes: Buffer }>;
}

function parseMultipart(body: Buffer, contentType: string): Multipart {
  const result: Multipart = { fields: {}, files: {} };
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundary) return result;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const partStart = start + delimiter.length + 2; // past "\r\n"
    const next = body.indexOf(delimiter, partStart);
    if (next < 0) break;
    const part = body.subarray(partStart, next - 2); // without the "\r\n" before the delimiter
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const content = part.subarray(headerEnd + 4);
      const name = /name="([^"]*)"/i.exec(headers)?.[1] ?? '';
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
      if (filename !== undefined) result.files[name] = { filename, bytes: Buffer.from(content) };
      else result.fields[name] = content.toString('utf8');
    }
    start = next;
  }
  return result;
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function sendError(res: http.ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: { message, type: 'invalid_request_error', param: null, code: null } });
}
