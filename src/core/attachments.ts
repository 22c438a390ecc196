// What `-a/--attach` takes and how it is told apart, sized and counted (README "Context:
// files, images and PDFs"). Pure: the bytes are read and stored elsewhere.
import { usageError, type GptError } from './errors.js';
import type { ModelEntry } from './model-table.js';
import { describeBytes } from './sizes.js';
import { harmlessLine } from './text.js';
import { DETAILS, type AttachmentRef, type Detail, type SentAttachment } from './types.js';

export const PDF_MIME = 'application/pdf';
const IMAGE_MIMES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
/** Every type a file attachment can be: what a thread file's `mime` may say. */
export const ATTACHABLE_MIMES: readonly string[] = [...IMAGE_MIMES, PDF_MIME];

const MiB = 1024 * 1024;
/** The API's limits: an image up to 20 MB, a PDF up to 32 MB. */
export const IMAGE_LIMIT = 20 * MiB;
export const PDF_LIMIT = 32 * MiB;
/** Enough of a file to tell its type and, for most images, its size in pixels. */
export const HEAD_BYTES = 4096;

export type AttachmentKind = 'image' | 'pdf';

/** A file attachment ready to send: its bytes as a data: URL, and an image's size for the estimate. */
export function sentFile(ref: AttachmentRef, bytes: Uint8Array): SentAttachment {
  const url = `data:${ref.mime};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
  const pixels = ref.mime?.startsWith('image/') ? imagePixels(bytes, ref.mime) : undefined;
  return pixels ? { ref, url, pixels } : { ref, url };
}

/** An attachment's type from its first bytes (magic numbers); the file name does not count. */
export function sniffType(head: Uint8Array): { kind: AttachmentKind; mime: string } | undefined {
  const starts = (text: string, at = 0) => [...text].every((c, i) => head[at + i] === c.charCodeAt(0));
  if (starts('\x89PNG\r\n\x1a\n')) return { kind: 'image', mime: 'image/png' };
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return { kind: 'image', mime: 'image/jpeg' };
  if (starts('GIF87a') || starts('GIF89a')) return { kind: 'image', mime: 'image/gif' };
  if (starts('RIFF') && starts('WEBP', 8)) return { kind: 'image', mime: 'image/webp' };
  if (starts('%PDF-')) return { kind: 'pdf', mime: PDF_MIME };
  return undefined;
}

/** What a file that is not an image or PDF looks like, for the error naming it. */
export function lookalike(head: Uint8Array): string {
  if (head.length === 0) return 'an empty file';
  if (head.includes(0)) return 'binary data';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, trimPartialChar(head)));
    return 'text';
  } catch {
    return 'binary data';
  }
}

/** The length of `head` without a UTF-8 character cut off at its end. */
function trimPartialChar(head: Uint8Array): number {
  let end = head.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = head[end - back]!;
    if ((byte & 0xc0) !== 0x80) return byte >= 0xc0 ? end - back : end;
  }
  return end;
}

export const limitOf = (kind: AttachmentKind) => (kind === 'image' ? IMAGE_LIMIT : PDF_LIMIT);

/** An image's width and height from its header (png, gif, webp, jpeg); undefined when it cannot be read. */
export function imagePixels(bytes: Uint8Array, mime: string): { width: number; height: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = (read: () => number) => {
    try {
      return read();
    } catch {
      return undefined; // a header cut short
    }
  };
  const size = (width: number | undefined, height: number | undefined) =>
    width !== undefined && height !== undefined && width > 0 && height > 0 ? { width, height } : undefined;
  switch (mime) {
    case 'image/png':
      return size(
        at(() => view.getUint32(16)),
        at(() => view.getUint32(20)),
      );
    case 'image/gif':
      return size(
        at(() => view.getUint16(6, true)),
        at(() => view.getUint16(8, true)),
      );
    case 'image/webp':
      return webpPixels(view, at);
    case 'image/jpeg':
      return jpegPixels(view, at);
    default:
      return undefined;
  }
}

type Reader = (read: () => number) => number | undefined;

function webpPixels(view: DataView, at: Reader) {
  const chunk = String.fromCharCode(...new Uint8Array(view.buffer, view.byteOffset + 12, Math.min(4, Math.max(0, view.byteLength - 12))));
  const u24 = (offset: number) => view.getUint8(offset) | (view.getUint8(offset + 1) << 8) | (view.getUint8(offset + 2) << 16);
  let width: number | undefined;
  let height: number | undefined;
  if (chunk === 'VP8 ') {
    width = at(() => view.getUint16(26, true) & 0x3fff);
    height = at(() => view.getUint16(28, true) & 0x3fff);
  } else if (chunk === 'VP8L') {
    const bits = at(() => view.getUint32(21, true));
    if (bits !== undefined) [width, height] = [(bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1];
  } else if (chunk === 'VP8X') {
    width = at(() => u24(24) + 1);
    height = at(() => u24(27) + 1);
  }
  return width && height ? { width, height } : undefined;
}

/** The first start-of-frame marker's size; the markers before it are skipped by their lengths. */
function jpegPixels(view: DataView, at: Reader) {
  let offset = 2;
  while (offset + 9 < view.byteLength) {
    if (view.getUint8(offset) !== 0xff) return undefined;
    const marker = view.getUint8(offset + 1);
    if (marker === 0xff) {
      offset++; // fill byte
      continue;
    }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      const height = at(() => view.getUint16(offset + 5));
      const width = at(() => view.getUint16(offset + 7));
      return width && height ? { width, height } : undefined;
    }
    offset += 2 + view.getUint16(offset + 2);
  }
  return undefined;
}

/**
 * Tokens an image costs, by OpenAI's tile rule: 85 at low detail; otherwise the image is
 * fitted within 2048×2048, then its short side brought down to 768, and each 512-pixel tile
 * costs 170 more. `auto` lets the server choose, so the higher count is taken. An estimate:
 * some models count by other rules.
 */
export function imageTokens(pixels: { width: number; height: number }, detail: Detail | undefined): number {
  if (detail === 'low') return 85;
  let { width, height } = pixels;
  const fit = Math.min(1, 2048 / Math.max(width, height));
  width *= fit;
  height *= fit;
  const short = Math.min(1, 768 / Math.min(width, height));
  width *= short;
  height *= short;
  return 85 + 170 * Math.ceil(width / 512) * Math.ceil(height / 512);
}

/** The estimate for a message's attachments: its images of known size; PDFs and URLs are not counted. */
export function attachmentTokens(attachments: readonly SentAttachment[] | undefined): number {
  let total = 0;
  for (const a of attachments ?? []) if (a.pixels) total += imageTokens(a.pixels, a.ref.detail);
  return total;
}

export const isUrl = (spec: string) => /^https?:\/\//i.test(spec);

/**
 * The extension a URL's path ends in (`jpg` for `https://x.org/a/cat.JPG?s=2`), lowercase;
 * undefined when it has none (`https://x.org/render`); null when it is not a URL.
 */
export function urlEnding(url: string): string | null | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return null;
  }
  return /\.([a-z0-9]+)$/i.exec(path.slice(path.lastIndexOf('/') + 1))?.[1]?.toLowerCase();
}

/** The image type an extension names; undefined when it names none gpt sends. */
export const imageMimeOf = (ending: string): string | undefined =>
  (({ png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' }) as Record<string, string>)[ending];

/** A URL is always sent as an image part; a file by its type. */
export const isImageRef = (ref: AttachmentRef) => ref.url !== undefined || (ref.mime?.startsWith('image/') ?? false);

/** What a reference is called: its path as the user wrote it, or its URL. */
export const attachmentName = (ref: AttachmentRef) => ref.path ?? ref.url ?? '?';

/** `shot.png (image/png, 45.1 KiB)`: what an attachment is, in a line for people. */
export function attachmentSummary(ref: AttachmentRef): string {
  const facts = [ref.mime, ref.bytes === undefined ? undefined : describeBytes(ref.bytes), ref.detail && `detail ${ref.detail}`].filter(Boolean);
  return `${attachmentName(ref)}${facts.length ? ` (${facts.join(', ')})` : ''}`;
}

/**
 * `[attached: shot.png (image/png, 45.1 KiB)]`, as `gpt thread show` and exports show one: one
 * line, whatever the file was called (a name's control characters and newlines shown as `^[`, `^J`).
 */
export const attachmentLine = (ref: AttachmentRef) => `[attached: ${harmlessLine(attachmentSummary(ref))}]`;

/**
 * A model known not to take images (or PDFs) is refused before anything is sent (exit 2);
 * one the table says nothing of is sent, and the server decides. `from` says where the
 * attachments came from (`-a`, or the thread).
 */
export function attachmentRefusal(model: string, entry: ModelEntry, refs: readonly AttachmentRef[], from: string): GptError | undefined {
  const image = refs.find(isImageRef);
  const pdf = refs.find((r) => !isImageRef(r) && r.mime === PDF_MIME);
  const refused =
    image && entry.images === false
      ? { ref: image, what: 'images', field: 'images' }
      : pdf && entry.files === false
        ? { ref: pdf, what: 'PDF files', field: 'files' }
        : undefined;
  if (!refused) return undefined;
  return usageError(
    `${model} takes no ${refused.what} (${from} ${attachmentName(refused.ref)})`,
    `use a model that does (-m gpt-5.4-mini), or, if this server's ${model} does take them, set models: {${model}: {${refused.field}: true}} in the config`,
  );
}

export interface RefProblem {
  /** The key at fault, when the reference is a mapping. */
  key?: string;
  problem: string;
}

/** What is wrong with attachment `n` (from 1) of message `m` in a thread file; undefined when it is a good reference. */
export function attachmentRefProblem(value: unknown, m: number, n: number): RefProblem | undefined {
  const which = `attachment ${n} of message ${m}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problem: `${which} must be a mapping with \`path\`, \`sha256\`, \`mime\` and \`bytes\` (or \`url\`)` };
  }
  const ref = value as Record<string, unknown>;
  if (ref.detail !== undefined && !(DETAILS as readonly unknown[]).includes(ref.detail)) {
    return { key: 'detail', problem: `${which} has detail ${JSON.stringify(ref.detail)}; expected ${DETAILS.join(', ')}` };
  }
  if (ref.url !== undefined) {
    if (typeof ref.url !== 'string' || !isUrl(ref.url)) return { key: 'url', problem: `${which} has a \`url\` that is not an http(s) URL` };
    if (ref.mime !== undefined && typeof ref.mime !== 'string') return { key: 'mime', problem: `${which} has a \`mime\` that is not text` };
    return undefined;
  }
  if (typeof ref.path !== 'string' || ref.path === '') return { key: 'path', problem: `${which} has no \`path\` (or \`url\`)` };
  if (typeof ref.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(ref.sha256)) {
    return { key: 'sha256', problem: `${which} needs \`sha256\`: 64 lowercase hex digits` };
  }
  if (typeof ref.mime !== 'string' || !ATTACHABLE_MIMES.includes(ref.mime)) {
    return { key: 'mime', problem: `${which} has mime ${JSON.stringify(ref.mime ?? null)}; expected ${ATTACHABLE_MIMES.join(', ')}` };
  }
  if (typeof ref.bytes !== 'number' || !Number.isInteger(ref.bytes) || ref.bytes < 0) {
    return { key: 'bytes', problem: `${which} needs \`bytes\`: its size, a whole number` };
  }
  return undefined;
}
