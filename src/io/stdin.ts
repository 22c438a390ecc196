import { fstatSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { badInputError } from '../core/errors.js';
import { decodeText, type NotText } from '../core/text.js';

/** Larger input is refused rather than truncated; no model takes this much text in one turn. */
export const MAX_STDIN_BYTES = 10 * 1024 * 1024;
/** With prompt arguments, a pipe that sends nothing this soon is treated as no input. */
export const STDIN_GRACE_MS = 1_000;

export type StdinPolicy =
  | 'read' //    wait for all of stdin
  | 'grace' //   read it if the first byte arrives within STDIN_GRACE_MS
  | 'ignore'; // leave stdin alone

/**
 * Which policy applies: no stdin on a terminal or with --no-stdin; all of it when it is
 * the only source of the prompt, a regular file, or --stdin was given; otherwise a short wait.
 */
export function stdinPolicy(input: NodeJS.ReadStream, hasArgs: boolean, flag: boolean | undefined): StdinPolicy {
  if (flag === false || input.isTTY) return 'ignore';
  if (flag === true || !hasArgs || isRegularFile(input)) return 'read';
  return 'grace';
}

function isRegularFile(input: NodeJS.ReadStream): boolean {
  try {
    return fstatSync((input as unknown as { fd: number }).fd).isFile();
  } catch {
    return false;
  }
}

/** Reads stdin as UTF-8 text; `undefined` when nothing came within the grace period. */
export async function readStdin(input: NodeJS.ReadStream, policy: StdinPolicy, signal?: AbortSignal): Promise<string | undefined> {
  if (policy === 'ignore') return undefined;
  const read = await collect(input, policy === 'grace' ? STDIN_GRACE_MS : undefined, MAX_STDIN_BYTES, signal);
  if (read?.over) {
    throw badInputError(`stdin is larger than ${MAX_STDIN_BYTES / 1024 / 1024} MiB`, 'send less text, or split it (gpt batch runs many prompts)');
  }
  return read === undefined ? undefined : stdinText(read.bytes);
}

/** What a stream held, up to a limit: `over` when it held more (it is then not read further). */
export interface ReadBytes {
  bytes: Buffer;
  over: boolean;
}

/**
 * The bytes of a stream that has no size to ask (stdin, a pipe, a device: `-a -`,
 * `-a <(...)`), read to its end, or until it holds more than `maxBytes`.
 */
export function readBytes(input: Readable, maxBytes: number, signal?: AbortSignal): Promise<ReadBytes> {
  return collect(input, undefined, maxBytes, signal) as Promise<ReadBytes>;
}

function collect(input: Readable, graceMs: number | undefined, maxBytes: number, signal?: AbortSignal): Promise<ReadBytes | undefined> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const chunks: Buffer[] = [];
    let size = 0;
    const timer =
      graceMs === undefined
        ? undefined
        : setTimeout(() => {
            finish();
            input.destroy(); // let the process exit although the pipe stays open
            resolve(undefined);
          }, graceMs);
    const finish = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      input.off('data', onData).off('end', onEnd).off('error', onError);
    };
    const onAbort = () => {
      finish();
      input.destroy();
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const onData = (chunk: Buffer) => {
      clearTimeout(timer);
      size += chunk.length;
      chunks.push(chunk);
      if (size > maxBytes) {
        finish();
        input.destroy();
        resolve({ bytes: Buffer.concat(chunks), over: true });
      }
    };
    const onEnd = () => {
      finish();
      resolve({ bytes: Buffer.concat(chunks), over: false });
    };
    const onError = (error: Error) => {
      finish();
      reject(badInputError(`cannot read stdin (${error.message})`));
    };
    input.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

function stdinText(bytes: Buffer): string {
  try {
    return decodeText(bytes);
  } catch (error) {
    if ((error as NotText).fault === 'binary') throw badInputError('stdin is binary data, not text', 'pipe text (UTF-8) into gpt');
    throw badInputError('stdin is not valid UTF-8 text', 'convert it first, e.g. iconv -t UTF-8');
  }
}
