/** Codes of a connection that could not be made at all: nothing listens there, or there is no route. */
const CANNOT_CONNECT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/** Whether the error, or one it was caused by, is a connection that could not be made. */
export function cannotConnect(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > 8) return false;
  const e = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && CANNOT_CONNECT.has(e.code)) return true;
  // Trying each address of a host fails with all of their errors together.
  if (Array.isArray(e.errors) && e.errors.some((inner) => cannotConnect(inner, depth + 1))) return true;
  return cannotConnect(e.cause, depth + 1);
}

/**
 * Items in a row that could not connect, each after the SDK's retries, before a run stops
 * sending: the server is gone, and every other item would spend its retries the same way
 * (about 1.4 s each: hours for 10,000 items). What is left waits for --resume.
 */
export const UNREACHABLE_IN_A_ROW = 5;

/** Watches items' outcomes, in the order they finish, for a server that is gone. */
export class ServerWatch {
  private inARow = 0;

  constructor(readonly limit = UNREACHABLE_IN_A_ROW) {}

  /** Counts one finished item (`error` when it failed); true once `limit` in a row could not connect. */
  gone(error?: unknown): boolean {
    this.inARow = error !== undefined && cannotConnect(error) ? this.inARow + 1 : 0;
    return this.inARow >= this.limit;
  }
}
