import { ExitCode, GptError } from '../core/errors.js';
import type { ChatReply } from '../core/types.js';

// The Batch API contract, beside the ChatClient one (client.ts): the commands and src/batch
// use it without loading the SDK, which only openai-batch.ts (loaded on request) imports.

/** The endpoint every request of our batches goes to. */
export const BATCH_ENDPOINT = '/v1/chat/completions';

export type BatchStatus =
  | 'validating'
  | 'in_progress'
  | 'finalizing'
  | 'cancelling' // still going
  | 'completed'
  | 'expired'
  | 'cancelled'
  | 'failed'; //         ended

/** A batch on the provider's Batch API, as gpt needs it. */
export interface RemoteBatch {
  id: string;
  status: BatchStatus;
  total: number;
  completed: number;
  failed: number;
  inputFileId: string;
  outputFileId: string | null;
  errorFileId: string | null;
  /** Why it failed validation: `line 3: ...` (a line of the request file). */
  errors: string[];
  createdAt: Date;
}

const ENDED: readonly BatchStatus[] = ['completed', 'expired', 'cancelled', 'failed'];
export const hasEnded = (batch: { status: string }) => ENDED.includes(batch.status as BatchStatus);

/** What became of one request of a batch, from its line in the output or error file. */
export type RequestOutcome =
  | { customId: string; kind: 'reply'; reply: ChatReply }
  | { customId: string; kind: 'error'; error: GptError }
  /** Expired or cancelled before it ran. */
  | { customId: string; kind: 'notRun' };

/** The Files and Batches endpoints; like ChatClient, the SDK's types stay in this folder. */
export interface BatchClient {
  /** Uploads a request file (purpose `batch`) without reading it into memory; returns its id. */
  upload(path: string, name: string): Promise<string>;
  create(inputFileId: string, metadata: Record<string, string>): Promise<RemoteBatch>;
  /**
   * The newest batch the API lists as made from this uploaded file, if any: a run stopped
   * after asking for a batch but before it learned the id (a second Ctrl-C) leaves one that
   * the journal does not know. Undefined too where the server lists no batches.
   */
  batchOfFile(inputFileId: string): Promise<RemoteBatch | undefined>;
  retrieve(id: string): Promise<RemoteBatch>;
  cancel(id: string): Promise<RemoteBatch>;
  /** A file's lines, as it downloads. */
  lines(fileId: string): AsyncIterable<string>;
}

/** The custom_id of a request line (of a request file read back for the order of results). */
export function customIdOf(line: string): string {
  const id = (JSON.parse(line) as { custom_id?: unknown }).custom_id;
  if (typeof id !== 'string') throw malformed('a request line has no custom_id');
  return id;
}

/** A line of a request or result file that is not what the Batch API writes. */
export const malformed = (what: string) =>
  new GptError(ExitCode.network, `${what}`, 'the server is not OpenAI-compatible, or the file was damaged; try gpt batch results ID again');
