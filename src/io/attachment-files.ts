// Reads what `-a/--attach` names: every file checked (there, readable, an image or PDF by
// its content, under its limit) before anything is sent or written.
import { open, readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  HEAD_BYTES, isUrl, limitOf, lookalike, mimeOfUrl, sentFile, sha256Of, sniffType,
} from '../core/attachments.js';
import { badInputError } from '../core/errors.js';
import { describeOverLimit } from '../core/sizes.js';
import type { AttachmentRef, Detail, SentAttachment } from '../core/types.js';

/** An attachment ready to send, with a file's bytes for the store. */
export interface LoadedAttachment {
  sent: SentAttachment;
  /** A file's bytes (a URL has none): kept in the store when the turn is saved. */
  bytes?: Buffer;
}

export interface LoadOptions {
  /** What relative paths are relative to. */
  cwd: string;
  /** --detail, for the images among them. */
  detail?: Detail;
  /** The images and PDFs up to these sizes in bytes (tests lower them). */
  limits?: { image: number; pdf: number };
}

/** Reads each `-a` value (a path, or an http(s) URL sent as it is) in order; the first bad one is an error (exit 6). */
export async function loadAttachments(specs: readonly string[], options: LoadOptions): Promise<LoadedAttachment[]> {
  const loaded: LoadedAttachment[] = [];
  for (const spec of specs) loaded.push(isUrl(spec) ? fromUrl(spec, options.detail) : await fromFile(spec, options));
  return loaded;
}

function fromUrl(url: string, detail: Detail | undefined): LoadedAttachment {
  const mime = mimeOfUrl(url);
  const ref: AttachmentRef = { url, ...(mime ? { mime } : {}), ...(detail ? { detail } : {}) };
  return { sent: { ref, url } };
}

async function fromFile(spec: string, options: LoadOptions): Promise<LoadedAttachment> {
  const file = resolve(options.cwd, spec);
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'ENOENT' || error.code === 'ENOTDIR'
      ? badInputError(`no file ${spec} to attach`, 'check the path; nothing was sent')
      : unreadable(spec, error);
  });
  if (!info.isFile()) throw badInputError(`${spec} is not a file`, 'attach files one by one (-a a.png -a b.pdf); text goes with -f; nothing was sent');
  const head = await readHead(file).catch((error: NodeJS.ErrnoException) => {
    throw unreadable(spec, error);
  });
  const type = sniffType(head);
  if (!type) {
    throw badInputError(`${spec} is not an image or PDF (it looks like ${lookalike(head)})`,
      'attach png, jpeg, gif, webp or PDF files; text goes with -f; nothing was sent');
  }
  const limit = options.limits?.[type.kind] ?? limitOf(type.kind);
  if (info.size > limit) {
    const [size, most] = describeOverLimit(info.size, limit);
    throw badInputError(`${spec} is ${size}, over the ${most} limit for ${type.kind === 'image' ? 'an image' : 'a PDF'}`,
      `${type.kind === 'image' ? 'scale it down' : 'split it'} first; nothing was sent`);
  }
  const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw unreadable(spec, error);
  });
  const ref: AttachmentRef = {
    path: spec,
    sha256: sha256Of(bytes),
    mime: type.mime,
    bytes: bytes.length,
    ...(options.detail && type.kind === 'image' ? { detail: options.detail } : {}),
  };
  return { sent: sentFile(ref, bytes), bytes };
}

/** The file at a reference's original path, when it still has the referenced bytes (re-sending a thread). */
export async function originalBytes(ref: AttachmentRef, cwd: string): Promise<Buffer | undefined> {
  if (!ref.path || !ref.sha256) return undefined;
  const bytes = await readFile(resolve(cwd, ref.path)).catch(() => undefined);
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
  badInputError(`cannot read ${spec} (${error.code === 'EACCES' || error.code === 'EPERM' ? 'permission denied' : error.code ?? error.message})`,
    'check its permissions; nothing was sent');
