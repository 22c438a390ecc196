import { ExitCode, GptError, usageError } from '../core/errors.js';
import { userWords } from '../core/file-prompt.js';
import { autoThreadName } from '../core/names.js';
import type { RequestSettings } from '../core/endpoints.js';
import { resolveModel } from '../core/models.js';
import type { AttachmentRef, StoredMessage, Usage } from '../core/types.js';
import type { ChatReply } from '../llm/client.js';
import type { AttachmentStore } from '../store/attachment-store.js';
import { ensurePrivateDir } from '../store/fs.js';
import { unusedThread } from '../store/thread-admin.js';
import { latestThread, pruneAutoThreads } from '../store/thread-folder.js';
import { resolveThreadRef, type ThreadRef } from '../store/threads.js';
import { replyCost } from '../usage/price-table.js';
import { keepAttachments, removeUnsharedOf, type LoadedAttachment } from './attachments.js';
import type { Deps } from './deps.js';

/** What a turn sent, to keep in the thread's attachment store. */
export interface KeptAttachments {
  store: AttachmentStore;
  loaded: readonly LoadedAttachment[];
}

/** Where a conversation is kept. */
export interface ThreadTarget {
  ref: ThreadRef;
  /** Kept automatically (no --thread): subject to retention. */
  auto: boolean;
}

export interface ThreadChoice {
  thread?: string;
  continueLatest: boolean;
}

/**
 * `--thread` names the thread; `--continue` picks the most recently updated one; otherwise
 * the conversation is kept under a name made from the time and the prompt's own words, not
 * the -f files before them (unless switched off).
 */
export async function chooseThread(choice: ThreadChoice, prompt: string, deps: Deps): Promise<ThreadTarget | undefined> {
  const { threadsDir } = deps.paths;
  if (choice.thread !== undefined && choice.continueLatest) {
    throw usageError('--thread and --continue cannot be used together', 'choose one');
  }
  if (choice.thread !== undefined) return { ref: resolveThreadRef(choice.thread, threadsDir, deps.cwd), auto: false };
  if (choice.continueLatest) {
    const latest = await latestThread(threadsDir);
    if (!latest) throw usageError('there is no conversation to continue yet', 'start one with gpt ask "question"');
    return { ref: { name: latest.name, file: latest.file, explicitPath: false }, auto: false };
  }
  if (!deps.settings.saveConversations || cannotKeep.has(deps)) return undefined;
  try {
    await ensurePrivateDir(threadsDir); // a read-only HOME shows here, before a thread is promised
  } catch (error) {
    notKept(error, deps);
    return undefined;
  }
  const ref = await unusedThread(resolveThreadRef(autoThreadName(userWords(prompt), deps.now()), threadsDir, deps.cwd));
  return { ref, auto: true };
}

/** Runs (a gpt chat) in which a conversation kept automatically could not be saved: warned once. */
const cannotKeep = new WeakSet<Deps>();

/**
 * The user asked for nothing to be saved, so a conversation kept automatically that cannot
 * be saved is a warning (once), not a failure; a thread named with --thread still fails.
 */
function notKept(error: unknown, deps: Deps): void {
  if (!(error instanceof GptError) || error.exitCode !== ExitCode.storage) throw error;
  if (cannotKeep.has(deps)) return;
  cannotKeep.add(deps);
  deps.warn(
    `gpt: this conversation is not kept (${error.message}) — make the threads folder writable ` +
      '(or set XDG_DATA_HOME), or set save_conversations: false in the config',
  );
}

/** The two messages a completed turn adds to a thread; the question keeps its attachments by reference. */
export function completedTurn(
  prompt: string,
  startedAt: Date,
  reply: ChatReply,
  finishedAt: Date,
  cost: number | null,
  omittedTurns = 0,
  attachments: AttachmentRef[] = [],
): StoredMessage[] {
  return [
    { role: 'user', content: prompt, ...(attachments.length ? { attachments } : {}), time: startedAt.toISOString() },
    {
      role: 'assistant',
      // A refusal (structured output) is what the model said: kept as its answer.
      content: reply.text === '' && reply.refusal ? reply.refusal : reply.text,
      reasoning: reply.reasoning,
      model: reply.model,
      finish_reason: reply.finishReason ?? undefined,
      usage: reply.usage ?? undefined,
      cost: reply.usage ? cost : undefined,
      time: finishedAt.toISOString(),
      // Its usage then counts less than the thread: the next turn must not take it for the thread's size.
      omitted_turns: omittedTurns > 0 ? omittedTurns : undefined,
    },
  ];
}

/**
 * Appends a turn (atomically, under the thread's lock), or puts it in place of the last turn
 * `replacing` (chat's /retry), then applies retention to kept conversations. `attachments`:
 * what the turn sent, kept in the thread's store first.
 */
export async function saveTurn(
  target: ThreadTarget,
  turn: StoredMessage[],
  request: RequestSettings,
  deps: Deps,
  replacing?: StoredMessage[],
  attachments?: KeptAttachments,
): Promise<void> {
  if (target.auto && cannotKeep.has(deps)) return;
  try {
    // The bytes are kept before the turn that references them.
    const attachmentStore = attachments && (await keepAttachments(attachments.store, attachments.loaded, target.ref, deps.paths.threadsDir));
    const options = { create: threadHeader(request), now: deps.now(), attachmentStore };
    if (replacing) await deps.store.replaceLastTurn(target.ref.file, replacing, turn, options);
    else await deps.store.append(target.ref.file, turn, options);
  } catch (error) {
    if (!target.auto) throw error;
    return notKept(error, deps);
  }
  if (!target.auto) return;
  // The turn is saved; failing to tidy old conversations must not report it as lost.
  await pruneAutoThreads(deps.paths.threadsDir, deps.settings.keepConversations)
    .then((removed) => removeUnsharedOf(removed, deps.paths.threadsDir))
    .catch((error: Error) => deps.warn(`gpt: could not remove old conversations (${error.message})`));
}

/**
 * What a reply cost (USD; null when unknown): the config's prices for the model asked for,
 * else the table's for the model that answered. `batch`: sent through the Batch API.
 */
export function costOfReply(reply: ChatReply, model: string, deps: Deps, batch = false): Promise<number | null> {
  return costOfUsage(reply.usage, model, deps, batch, reply.model);
}

/** The cost of usage for a model on this endpoint; `answeredBy`: the model name the server gave. */
export function costOfUsage(usage: Usage | null, model: string, deps: Deps, batch = false, answeredBy?: string): Promise<number | null> {
  const { entry } = resolveModel(model, deps.settings.inForce.capabilities);
  return replyCost(usage, { model: answeredBy || model, baseURL: deps.settings.connection.baseURL, entry, batch });
}

/** What a new thread remembers: its model counts only on the endpoint it was made with. */
function threadHeader(request: RequestSettings) {
  return { model: request.model, system: request.system, endpoint: request.endpoint, reasoning_effort: request.reasoningEffort };
}
