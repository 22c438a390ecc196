// What `gpt chat` sends besides the typed text (README "Slash commands"): the text files of
// /file and the attachments of /attach (and -f, -a) waiting for the next message, checked
// when added; and the history's attachments, sent again with it and kept in the thread's store.
import { attachmentSummary } from '../core/attachments.js';
import { badInputError, usageError } from '../core/errors.js';
import { checkFilesSize } from '../core/file-prompt.js';
import { expandHome } from '../core/paths.js';
import { describeBytes } from '../core/sizes.js';
import { harmlessLine } from '../core/text.js';
import type { Detail, StoredMessage, Thread } from '../core/types.js';
import { STDIN_PATH } from '../io/text-files.js';
import type { ThreadRef } from '../store/threads.js';
import { checkModelTakes, loadAttachments, threadAttachments, threadStores, type LoadedAttachment } from './attachments.js';
import type { Conversation, Pending } from './chat-session.js';
import type { Deps } from './deps.js';
import { promptFiles } from './files.js';
import type { KeptAttachments } from './turn.js';

/**
 * `/file PATH` (and -f): its text files, read and checked now, the limit counting those
 * already added. Returns what was added (`src/ (3 files, 4.1 KiB)`).
 */
export async function addFiles(path: string, pending: Pending, maxBytes: number, deps: Deps, from: '-f' | '/file'): Promise<string> {
  if (path === STDIN_PATH) throw usageError('chat reads its messages from stdin, so no file can come from it', 'name a file or folder; nothing was added');
  if (from === '/file') path = expandHome(path, deps.env.HOME);
  const files = await promptFiles([path], maxBytes, deps, from);
  if (files.length === 0) throw badInputError(`${path} has no text files to add`, 'images and PDFs go with /attach; nothing was added');
  checkFilesSize(
    [...pending.files, ...files].map((f) => ({ label: f.label, bytes: Buffer.byteLength(f.text) })),
    maxBytes,
    'the files added',
  );
  const bytes = describeBytes(files.reduce((sum, f) => sum + Buffer.byteLength(f.text), 0));
  const one = files.length === 1 && files[0]!.label === path;
  const summary = `${path} (${one ? bytes : `${files.length} files, ${bytes}`})`;
  pending.files.push(...files);
  pending.added.push(summary);
  return summary;
}

/**
 * `/attach PATH|URL` (and -a): the image or PDF read and checked now, also against the
 * model in use (it is checked again when sent: /model may change it). Returns what was added.
 */
export async function addAttachment(spec: string, conversation: Conversation, deps: Deps, given: { from: '-a' | '/attach'; detail?: Detail }): Promise<string> {
  if (spec === STDIN_PATH) throw usageError('chat reads its messages from stdin, so no attachment can come from it', 'name a file; nothing was added');
  if (given.from === '/attach') spec = expandHome(spec, deps.env.HOME);
  const loaded = await loadAttachments([spec], { cwd: deps.cwd, detail: given.detail, from: given.from });
  checkModelTakes(conversation.request, loaded, new Map(), given.from);
  const summary = attachmentSummary(loaded[0]!.sent.ref);
  conversation.pending.attachments.push(...loaded);
  conversation.pending.added.push(summary);
  return summary;
}

/** The line that says what /file, /attach, -f or -a added (its name shown, never obeyed). */
export const addedNote = (deps: Deps, summary: string) => deps.warn(`gpt: added ${harmlessLine(summary)} to the next message`);

/** `/file` or `/attach` alone: what the next message goes with. */
export const pendingLine = ({ added }: Pending) =>
  added.length === 0 ? 'gpt: nothing is added to the next message yet' : `gpt: the next message goes with ${harmlessLine(added.join(', '))}`;

/** A resumed thread's attachments, read again from its store (exit 6 when one is gone, before anything is typed). */
export async function resumedAttachments(thread: Thread, ref: ThreadRef, deps: Deps): Promise<Map<StoredMessage, LoadedAttachment[]>> {
  return threadAttachments(thread.messages, threadStores(ref, thread, deps.paths.threadsDir), ref, deps.cwd);
}

/** What a turn's save keeps in the thread's store: every attachment of the history, this turn's included. */
export function keptAttachments(conversation: Conversation, ref: ThreadRef, deps: Deps): KeptAttachments {
  const [store] = threadStores(ref, { attachment_store: conversation.attachmentStore }, deps.paths.threadsDir);
  return { store, loaded: conversation.history.flatMap((m) => conversation.attached.get(m) ?? []) };
}
