import { SLASH_HELP, type ChatCommand } from '../core/chat-input.js';
import { GptError, usageError } from '../core/errors.js';
import type { StoredMessage } from '../core/types.js';
import { editText } from '../io/editor.js';
import { harmless } from '../core/text.js';
import { pathExists } from '../store/fs.js';
import { forkThread, freeThread, moveThread } from '../store/thread-admin.js';
import { keepAttachments } from './attachments.js';
import { addAttachment, addedNote, addFiles, keptAttachments, pendingLine } from './chat-context.js';
import { fail, type Conversation, type Session } from './chat-session.js';

/** The commands that begin with `/`. */
export type SlashCommand = Exclude<ChatCommand, { kind: 'message' | 'new' | 'quit' | 'none' }>;

export const isSlash = (command: ChatCommand): command is SlashCommand => !['message', 'new', 'quit', 'none'].includes(command.kind);

/** How a slash command sends a turn; each is true when the reply came. */
export interface Send {
  /** A new message, with what /file and /attach added. */
  message(text: string): Promise<boolean>;
  /** The question of `last` (already removed from the history) again, with its attachments; its reply takes the place of `last`'s. */
  again(last: StoredMessage[]): Promise<boolean>;
}

/** Acts on a slash command. Mistakes are reported as errors a chat survives (a script still exits non-zero). */
export async function runSlash(command: SlashCommand, session: Session, conversation: Conversation, send: Send): Promise<void> {
  try {
    await act(command, session, conversation, send);
  } catch (error) {
    if (!(error instanceof GptError)) throw error;
    fail(session, error, 'command');
  }
}

async function act(command: SlashCommand, session: Session, conversation: Conversation, send: Send): Promise<void> {
  const { deps, interactive } = session;
  const note = (line: string) => {
    if (interactive) deps.warn(`gpt: ${line}`);
  };
  const mistake = (message: string, hint: string) => {
    throw usageError(message, hint);
  };
  switch (command.kind) {
    case 'help':
      return deps.err(`${SLASH_HELP}\n`);
    case 'mistake':
      return mistake(command.message, command.hint);
    case 'model':
      if (command.name === undefined) return deps.err(`model: ${harmless(conversation.request.model)}\n`);
      conversation.request = { ...conversation.request, model: command.name };
      return note(`model is now ${harmless(command.name)}`);
    case 'system':
      if (command.text === undefined) return deps.err(`system prompt: ${harmless(conversation.request.system ?? '(none)')}\n`);
      conversation.request = { ...conversation.request, system: command.text };
      return note('system prompt set for the next questions');
    case 'retry': {
      const last = conversation.history.slice(-2);
      if (last.length < 2 || last[0]!.role !== 'user' || last[1]!.role !== 'assistant') {
        return mistake('there is no question to ask again yet', 'ask one first');
      }
      conversation.history.splice(-2);
      // A retry that fails or is stopped leaves the earlier reply where it was.
      if (!(await send.again(last))) conversation.history.push(...last);
      return;
    }
    case 'edit': {
      const text = await session.lines.suspend(() => editText('', deps.env));
      if (text.trim() === '') return deps.err('gpt: the message was empty, so nothing was sent\n');
      await send.message(text.replace(/\n$/, ''));
      return;
    }
    case 'file':
      if (command.path === undefined) return deps.err(`${pendingLine(conversation.pending)}\n`);
      return addedNote(deps, await addFiles(command.path, conversation.pending, session.maxFilesSize, deps, '/file'));
    case 'attach':
      if (command.spec === undefined) return deps.err(`${pendingLine(conversation.pending)}\n`);
      return addedNote(deps, await addAttachment(command.spec, conversation, deps, { from: '/attach', detail: session.detail }));
    case 'save':
      return saveAs(command.name, session, conversation);
  }
}

/**
 * `/save NAME`: the conversation so far is kept as the thread NAME (never replacing one),
 * and later turns go there. A conversation kept automatically moves to the name; a named
 * thread is copied, so it stays as it was; one not yet on disk is written.
 */
async function saveAs(name: string, session: Session, conversation: Conversation): Promise<void> {
  const { deps } = session;
  const to = await freeThread(name, deps.paths.threadsDir, deps.cwd);
  const from = conversation.target;
  if (from && (await pathExists(from.ref.file))) {
    if (from.auto) await moveThread(from.ref, to, deps.warn);
    else await forkThread(from.ref, to);
  } else if (conversation.history.length > 0) {
    const { model, system } = conversation.request;
    // Its attachments' bytes are kept before the thread that references them is written.
    const { store, loaded } = keptAttachments({ ...conversation, attachmentStore: undefined }, to, deps);
    const attachmentStore = await keepAttachments(store, loaded, to, deps.paths.threadsDir);
    await deps.store.append(to.file, conversation.history, { create: { model, system }, now: deps.now(), attachmentStore });
    conversation.attachmentStore = attachmentStore;
  }
  conversation.target = { ref: to, auto: false };
  deps.warn(`gpt: this conversation is kept as thread '${to.name}'`);
}
