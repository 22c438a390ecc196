/** Exit codes, documented in README.md ("Exit codes"). */
export const ExitCode = {
  ok: 0,
  internal: 1,
  /** Not an error: `gpt thread search` found nothing (as grep does). */
  noMatch: 1,
  usage: 2,
  config: 3,
  apiRejected: 4,
  network: 5,
  badInput: 6,
  storage: 7,
  batchItemsFailed: 8,
  replyUnfit: 9,
  /** --max-cost: the request or the batch would cost more than allowed. */
  budget: 10,
  interrupted: 130,
  terminated: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The mark of a GptError, shared by every copy of this class (below). */
const GPT_ERROR = Symbol.for('gpt.GptError');

/**
 * An error meant for the user: what went wrong, what to do about it, and the
 * exit code. Printed as one line: `gpt: <message> — <hint>`.
 */
export class GptError extends Error {
  /**
   * Each bundle bin/gpt.cjs loads has its own copy of this class, and errors cross between
   * them (the interruption bin.ts signals, an error main throws): `instanceof GptError` holds
   * for a GptError of either copy. Subclasses keep the usual test.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== GptError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && GPT_ERROR in value;
  }
  readonly [GPT_ERROR] = true;

  constructor(
    readonly exitCode: ExitCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GptError';
    this.status = options?.status;
  }
  /** HTTP status, when the API answered with an error. */
  readonly status: number | undefined;
  /** What was produced before the failure (a reply that could not be saved), for --json. */
  output?: Record<string, unknown>;
}

/**
 * The server refused a request as longer than the model's context window (exit 4); `window`
 * is that window when the server named it, so a thread can be trimmed to it and sent again.
 */
export class ContextExceededError extends GptError {
  constructor(
    message: string,
    hint: string,
    readonly window: number | undefined,
    readonly requestTokens: number | undefined,
    options?: { cause?: unknown; status?: number },
  ) {
    super(ExitCode.apiRejected, message, hint, options);
  }
}

export const usageError = (message: string, hint?: string) => new GptError(ExitCode.usage, message, hint);
export const badInputError = (message: string, hint?: string) => new GptError(ExitCode.badInput, message, hint);
export const storageError = (message: string, hint?: string, cause?: unknown) => new GptError(ExitCode.storage, message, hint, { cause });

/** The one-line form shown on stderr. */
export function formatError(error: GptError): string {
  return error.hint ? `gpt: ${error.message} — ${error.hint}` : `gpt: ${error.message}`;
}
