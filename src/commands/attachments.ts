// Attachments in a turn (README "Context: files, images and PDFs"): this turn's `-a` files,
// the thread's earlier ones read again from its store, and the store written before the
// turn that references it. For ask's -a, chat's /attach, and batch items later.
import { dirname } from 'node:path';
import { attachmentName, attachmentRefusal, sentFile } from '../core/attachments.js';
import { badInputError } from '../core/errors.js';
import { resolveModel } from '../core/models.js';
import type { RequestSettings } from '../core/endpoints.js';
import type { AttachmentRef, SentAttachment, StoredMessage, Thread } from '../core/types.js';
import { originalBytes, type LoadedAttachment } from '../io/attachment-files.js';
import { AttachmentStore, attachmentStoreDir, defaultStoreDir, storeHeader } from '../store/attachment-store.js';
import { removeIfEmpty } from '../store/fs.js';
import type { ThreadRef } from '../store/threads.js';

export { STDIN_SPEC, loadAttachments, type LoadedAttachment } from '../io/attachment-files.js';

/**
 * The stores a thread's attachments are looked for in: its own (its header's, or where the
 * rule puts it; new ones go there), then the threads folder's, so a thread moved or copied
 * out of that folder still finds them.
 */
export function threadStores(
  ref: ThreadRef,
  thread: Pick<Thread, 'attachment_store'> | undefined,
  threadsDir: string,
): [AttachmentStore, ...AttachmentStore[]] {
  const own = attachmentStoreDir(ref.file, threadsDir, thread?.attachment_store);
  const shared = defaultStoreDir(threadsDir);
  return own === shared ? [new AttachmentStore(own)] : [new AttachmentStore(own), new AttachmentStore(shared)];
}

/**
 * Each earlier attachment of a thread, ready to send again: from the store (checked
 * against its sha256), else from its original path when that still has the same bytes.
 * One that is in neither is an error (exit 6) before anything is sent.
 */
export async function threadAttachments(
  history: readonly StoredMessage[],
  stores: readonly AttachmentStore[],
  ref: ThreadRef,
  cwd: string,
): Promise<Map<StoredMessage, LoadedAttachment[]>> {
  const found = new Map<StoredMessage, LoadedAttachment[]>();
  for (const message of history) {
    if (!message.attachments?.length) continue;
    const loaded: LoadedAttachment[] = [];
    for (const attached of message.attachments) {
      if (attached.url !== undefined) {
        loaded.push({ sent: { ref: attached, url: attached.url } });
        continue;
      }
      const bytes = (await fromStores(stores, attached)) ?? (await originalBytes(attached, cwd));
      if (!bytes) {
        throw badInputError(
          `${attachmentName(attached)} (sha256 ${attached.sha256!.slice(0, 12)}…), attached in thread ${ref.file}, is not in ${stores[0]!.dir} and its file has changed or gone`,
          'put the file back as it was, or remove that attachment from the thread file; nothing was sent',
        );
      }
      loaded.push({ sent: sentFile(attached, bytes), bytes });
    }
    found.set(message, loaded);
  }
  return found;
}

async function fromStores(stores: readonly AttachmentStore[], ref: AttachmentRef): Promise<Buffer | undefined> {
  for (const store of stores) {
    const bytes = await store.get(ref);
    if (bytes) return bytes;
  }
  return undefined;
}

/** What to send from what was loaded. */
export const sentOf = (loaded: readonly LoadedAttachment[]): SentAttachment[] => loaded.map((l) => l.sent);

export function sentHistory(found: ReadonlyMap<StoredMessage, LoadedAttachment[]>): Map<StoredMessage, SentAttachment[]> {
  return new Map([...found].map(([message, loaded]) => [message, sentOf(loaded)]));
}

/**
 * A model known not to take this turn's attachments, or the thread's, is refused (exit 2)
 * before sending. `from`: how this turn's were given (`-a`, or chat's `/attach`).
 */
export function checkModelTakes(
  request: Pick<RequestSettings, 'model' | 'capabilities'>,
  turn: readonly LoadedAttachment[],
  history: ReadonlyMap<StoredMessage, LoadedAttachment[]>,
  from = '-a',
): void {
  const { entry } = resolveModel(request.model, request.capabilities);
  const refused =
    attachmentRefusal(
      request.model,
      entry,
      turn.map((l) => l.sent.ref),
      from,
    ) ??
    attachmentRefusal(
      request.model,
      entry,
      [...history.values()].flat().map((l) => l.sent.ref),
      'attached in the thread:',
    );
  if (refused) throw refused;
}

/**
 * Keeps the bytes of what was sent, before the turn that references them is appended (an
 * earlier attachment found only at its path goes back in the store too). Returns the
 * `attachment_store` header a thread without one needs, when it now has files stored.
 */
export async function keepAttachments(
  store: AttachmentStore,
  loaded: readonly LoadedAttachment[],
  ref: ThreadRef,
  threadsDir: string,
): Promise<string | undefined> {
  let kept = false;
  for (const { sent, bytes } of loaded) {
    if (!bytes || !sent.ref.sha256) continue;
    await store.put(bytes, sent.ref.sha256);
    kept = true;
  }
  return kept ? storeHeader(ref.file, threadsDir) : undefined;
}

/**
 * Before `gpt thread mv` or `fork` puts a thread where another store serves it (out of the
 * threads folder into a project, say): its stored files are copied there, so it can be
 * continued at its new place. Files in neither store are left to the original paths.
 */
export async function carryAttachments(thread: Thread, from: ThreadRef, to: ThreadRef, threadsDir: string): Promise<void> {
  const refs = thread.messages.flatMap((m) => m.attachments ?? []).filter((r) => r.sha256 !== undefined);
  if (refs.length === 0) return;
  const sources = threadStores(from, thread, threadsDir);
  const [target] = threadStores(to, thread, threadsDir);
  if (sources[0].dir === target.dir) return;
  for (const ref of refs) {
    if (await target.get(ref)) continue;
    const bytes = await fromStores(sources, ref);
    if (bytes) await target.put(bytes, ref.sha256!);
  }
}

/** After `gpt thread rm`: the thread's stored files that no other thread in its folder references go too. */
export async function removeUnsharedAttachments(ref: ThreadRef, thread: Thread, threadsDir: string): Promise<void> {
  const refs = thread.messages.flatMap((m) => m.attachments ?? []);
  if (refs.length === 0) return;
  const [own] = threadStores(ref, thread, threadsDir);
  await own.removeUnshared(refs, dirname(ref.file), ref.file);
  // A project's gpt-attachments/ left empty would be litter beside its files.
  if (own.dir !== defaultStoreDir(threadsDir)) await removeIfEmpty(own.dir);
}

/**
 * After old conversations were removed (retention): their stored files that no thread left
 * in the threads folder references. Read from the removed files' text (the hashes they name).
 */
export async function removeUnsharedOf(removedTexts: readonly string[], threadsDir: string): Promise<void> {
  const refs = removedTexts.flatMap((text) => [...text.matchAll(/\bsha256: *["']?([0-9a-f]{64})\b/g)].map((m) => ({ sha256: m[1]! })));
  if (refs.length === 0) return;
  await new AttachmentStore(defaultStoreDir(threadsDir)).removeUnshared(refs, threadsDir, '');
}
