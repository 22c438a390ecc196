import { createHash } from 'node:crypto';

// Its own module: node:crypto loads node:stream (~2-4 ms), and the thread file's checks
// (core/attachments.ts) are on `gpt thread list`'s path, which hashes nothing.

/** The hex sha256 of some bytes: an attachment's name in the store. */
export const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
