// Reads what `-a/--attach` names: every file checked (there, readable, an image or PDF by
// its content, under its limit) before anything is sent or written.
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { HEAD_BYTES, imageMimeOf, isUrl, limitOf, lookalike, sentFile, sniffType, urlEnding, type AttachmentKind } from '../core/attachments.js';
import { badInputError } from '../core/errors.js';
import { textWith } from '../core/file-prompt.js';
import { describeBytes, describeOverLimit } from '../core/sizes.js';
import type { AttachmentRef, Detail, SentAttachment } from '../core/types.js';
import { readBytes, type ReadBytes } from './stdin.js';
import { sha256Of } from '../core/sha256.js';

/** An attachment ready to send, with a file's bytes for the store. */
export interface LoadedAttachment {
  sent: SentAttachment;
  /** A file's bytes (a URL has none): kept in the store when the turn is saved. */
  bytes?: Buffer;
}

/** How attachments were given, so errors name the way to do it there. */
export type AttachFrom = '-a' | '/attach' | '`attachments`';

/** Where text goes instead, and how several files are attached, in the words of `from`. */
const oneByOne = (from: AttachFrom) =>
  ({ '-a': '-a a.png -a b.pdf', '/attach': '/attach a.png, then /attach b.pdf', '`attachments`': 'attachments: [a.png, b.pdf]' })[from];

/** The spec that means stdin (`-a -`), as for -f. */
export const STDIN_SPEC = '-';

export interface LoadOptions {
  /** What relative paths are relative to. */
  cwd: string;
  /** --detail, for the images among them. */
  detail?: Detail;
  /** How they were given (the default `-a`), for the errors' hints. */
  from?: AttachFrom;
  /** Read for `-a -`; without it, `-` is a path like any other. */
  stdin?: Readable;
  /** Whether a pipe or device (`-a <(...)`, /dev/stdin) may be read: not where a file is read twice (batch). */
  streams?: boolean;
  signal?: AbortSignal;
  /** The images and PDFs up to these sizes in bytes (tests lower them). */
  limits?: { image: number; pdf: number };
}

/** Reads each `-a` value (a path, `-` for stdin, or an http(s) URL sent as it is) in order; the first bad one is an error (exit 6). */
export async function loadAttachments(specs: readonly string[], options: LoadOptions): Promise<LoadedAttachment[]> {
  const loaded: LoadedAttachment[] = [];
  const from = options.from ?? '-a';
  for (const spec of specs) {
    if (spec === '') throw badInputError(`${from}: the path is empty`, 'name an image or PDF (is a variable empty?); nothing was sent');
    loaded.push(isUrl(spec) ? fromUrl(spec, options.detail, from) : await fromFile(spec, options, from));
  }
  return loaded;
}

function fromUrl(url: string, detail: Detail | undefined, from: AttachFrom): LoadedAttachment {
  const ending = urlEnding(url);
  if (ending === null) throw badInputError(`${from} ${url} is not a URL gpt can read`, 'check it; nothing was sent');
  const mime = ending === undefined ? undefined : imageMimeOf(ending);
  if (ending !== undefined && !mime) {
    // A URL is sent as an image part: anything else there the API refuses, and a thread would send it every turn.
    throw badInputError(
      `${from} ${url}: a URL is sent as an image, and .${ending} is not one (png, jpeg, gif, webp)`,
      ending === 'pdf'
        ? `a PDF must be a local file — download it, then ${from} it; nothing was sent`
        : `download it: attach an image or PDF file, or put text in the prompt with ${textWith(from)}; nothing was sent`,
    );
  }
  const ref: AttachmentRef = { url, ...(mime ? { mime } : {}), ...(detail ? { detail } : {}) };
  return { sent: { ref, url } };
}

async function fromFile(spec: string, options: LoadOptions, from: AttachFrom): Promise<LoadedAttachment> {
  const limits = options.limits ?? { image: limitOf('image'), pdf: limitOf('pdf') };
  if (spec === STDIN_SPEC && options.stdin) {
    return fromBytes(spec, await readBytes(options.stdin, Math.max(limits.image, limits.pdf), options.signal), options, from);
  }
  const file = resolve(options.cwd, spec);
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'ENOENT' || error.code === 'ENOTDIR'
      ? badInputError(`no file ${spec} to attach`, 'check the path; nothing was sent')
      : unreadable(spec, error);
  });
  // A pipe or device (`-a <(...)`, /dev/stdin) has no size to stat: it is read up to the limit.
  if ((info.isFIFO() || info.isCharacterDevice()) && options.streams !== false) {
    const stream = createReadStream(file);
    const read = await readBytes(stream, Math.max(limits.image, limits.pdf), options.signal)
      .catch((error: NodeJS.ErrnoException) => {
        throw unreadable(spec, error);
      })
      .finally(() => stream.destroy());
    return fromBytes(spec, read, options, from);
  }
  if (info.isDirectory())
    throw badInputError(`${spec} is not a file`, `attach files one by one (${oneByOne(from)}); text goes with ${textWith(from)}; nothing was sent`);
  if (!info.isFile()) {
    // A socket (stdin from some programs) or the like: `-a -` reads stdin whatever it is.
    const stdinHint = from === '-a' && /^\/dev\/(stdin|fd\/0)$/.test(spec) ? ', or attach stdin with -a -' : '';
    throw badInputError(`${spec} is not a regular file`, `save what it gives to a file, and attach that${stdinHint}; nothing was sent`);
  }
  const head = await readHead(file).catch((error: NodeJS.ErrnoException) => {
    throw unreadable(spec, error);
  });
  const type = attachableType(spec, head, from);
  checkSize(spec, type.kind, info.size, false, options);
  const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw unreadable(spec, error);
  });
  return loadedFile(spec, type.mime, bytes, options.detail);
}

/** An attachment read whole from a stream (stdin, a pipe): checked as a file is. */
function fromBytes(spec: string, read: ReadBytes, options: LoadOptions, from: AttachFrom): LoadedAttachment {
  const name = spec === STDIN_SPEC ? 'stdin' : spec;
  const type = attachableType(name, read.bytes.subarray(0, HEAD_BYTES), from);
  checkSize(name, type.kind, read.bytes.length, read.over, options);
  return loadedFile(spec, type.mime, read.bytes, options.detail);
}

/** The file's type from its first bytes; anything but an image or PDF is refused. */
function attachableType(name: string, head: Uint8Array, from: AttachFrom) {
  const type = sniffType(head);
  if (!type) {
    throw badInputError(
      `${name} is not an image or PDF (it looks like ${lookalike(head)})`,
      `attach png, jpeg, gif, webp or PDF files; text goes with ${textWith(from)}; nothing was sent`,
    );
  }
  return type;
}

/** Refuses a file over its kind's limit; `more`: a stream that held more than `bytes`. */
function checkSize(name: string, kind: AttachmentKind, bytes: number, more: boolean, options: LoadOptions): void {
  const limit = options.limits?.[kind] ?? limitOf(kind);
  if (bytes <= limit && !more) return;
  // A stream stopped at the largest limit has no known size.
  const [size, most] = more ? [undefined, describeBytes(limit)] : describeOverLimit(bytes, limit);
  throw badInputError(
    `${name} is ${size ? `${size}, over` : 'over'} the ${most} limit for ${kind === 'image' ? 'an image' : 'a PDF'}`,
    `${kind === 'image' ? 'scale it down' : 'split it'} first; nothing was sent`,
  );
}

function loadedFile(spec: string, mime: string, bytes: Buffer, detail: Detail | undefined): LoadedAttachment {
  const ref: AttachmentRef = {
    path: spec,
    sha256: sha256Of(bytes),
    mime,
    bytes: bytes.length,
    ...(detail && mime.startsWith('image/') ? { detail } : {}),
  };
  return { sent: sentFile(ref, bytes), bytes };
}

/** The file at a reference's original path, when it still has the referenced bytes (re-sending a thread). */
export async function originalBytes(ref: AttachmentRef, cwd: string): Promise<Buffer | undefined> {
  if (!ref.path || !ref.sha256 || ref.path === STDIN_SPEC) return undefined;
  const file = resolve(cwd, ref.path);
  // Only a file: a pipe or /dev/stdin given then is not read again (it could wait for ever).
  if (!(await stat(file).catch(() => undefined))?.isFile()) return undefined;
  const bytes = await readFile(file).catch(() => undefined);
  return bytes && sha256Of(bytes) === ref.sha256 ? bytes : undefined;
}

async function readHead(file: string): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const unreadable = (spec: string, error: NodeJS.ErrnoException) =>
  badInputError(
    `cannot read ${spec} (${error.code === 'EACCES' || error.code === 'EPERM' ? 'permission denied' : (error.code ?? error.message)})`,
    'check its permissions; nothing was sent',
  );
