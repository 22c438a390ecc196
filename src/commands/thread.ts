import { GptError, usageError } from '../core/errors.js';
import { shapeReply } from '../core/reply-shape.js';
import type { StoredMessage } from '../core/types.js';
import { replyDrawer } from '../io/markdown.js';
import { harmless } from '../core/text.js';
import { renderTotals, renderTranscript } from '../io/transcript.js';
import { checkIsThread, findThread, forkThread, freeThread, moveThread, removeThread } from '../store/thread-admin.js';
import { latestThread } from '../store/thread-folder.js';
import type { ThreadRef } from '../store/threads.js';
import { carryAttachments, removeUnsharedAttachments } from './attachments.js';
import type { Deps } from './deps.js';

export interface ThreadShowOptions {
  /** A name or path; the most recently updated thread when absent. */
  thread?: string;
  json: boolean;
  last: boolean;
  /** -x / --extract-last: a code block of the last reply (implies --last). */
  extract?: 'first' | 'last';
  /** --raw: replies as written, not drawn as Markdown on a terminal. */
  raw?: boolean;
}

export async function runThreadShow(options: ThreadShowOptions, deps: Deps): Promise<void> {
  const ref = await existingOrLatest(options.thread, deps);
  const { thread } = await deps.store.load(ref.file);
  if (options.last || options.extract) {
    const reply = thread.messages.findLast((m) => m.role === 'assistant');
    if (!reply) throw usageError(`thread '${ref.name}' has no reply yet`, `gpt thread show ${ref.name} shows all of it`);
    if (options.extract) return showCode(reply, options, deps);
    // Exact to a pipe (for scripts); on a terminal, control characters are shown, not obeyed.
    const text = deps.terminal.stdoutIsTTY ? harmless(reply.content) : reply.content;
    deps.out(options.json ? `${JSON.stringify(reply)}\n` : text.endsWith('\n') ? text : `${text}\n`);
    return;
  }
  if (options.json) deps.out(`${JSON.stringify(thread.messages)}\n`);
  else deps.out(renderTranscript(thread, deps.terminal.stdoutIsTTY && deps.terminal.decorate, await replyDrawer(deps, options.raw)) + renderTotals(thread));
}

/** A code block of a saved reply: exact to stdout, or `{"code": ...}` with --json; exit 9 when there is none. */
function showCode(reply: StoredMessage, options: ThreadShowOptions, deps: Deps): void {
  const shaped = shapeReply({ kind: 'code', which: options.extract! }, { text: reply.content });
  if (shaped instanceof GptError) throw shaped;
  const code = deps.terminal.stdoutIsTTY ? harmless(shaped.printed) : shaped.printed;
  deps.out(options.json ? `${JSON.stringify({ code: shaped.printed })}\n` : code);
}

/** Checks every name before removing any, so a typo removes nothing. */
export async function runThreadRm(options: { threads: string[] }, deps: Deps): Promise<void> {
  const refs = new Map<string, ThreadRef>();
  for (const value of options.threads) {
    const ref = await find(value, deps);
    await checkIsThread(ref, deps.store);
    refs.set(ref.file, ref);
  }
  for (const ref of refs.values()) {
    // Read before it goes: a damaged file is removed all the same, and its attachments kept.
    const thread = await deps.store.load(ref.file).then(
      (loaded) => loaded.thread,
      () => undefined,
    );
    await removeThread(ref, deps.warn);
    if (thread) await removeUnsharedAttachments(ref, thread, deps.paths.threadsDir);
  }
}

export async function runThreadMv(options: { from: string; to: string }, deps: Deps): Promise<void> {
  const from = await find(options.from, deps);
  await checkIsThread(from, deps.store);
  const to = await freeThread(options.to, deps.paths.threadsDir, deps.cwd);
  await carryTo(from, to, deps);
  await moveThread(from, to, deps.warn);
}

export async function runThreadFork(options: { from: string; to: string }, deps: Deps): Promise<void> {
  const from = await find(options.from, deps);
  await checkIsThread(from, deps.store);
  const to = await freeThread(options.to, deps.paths.threadsDir, deps.cwd);
  await carryTo(from, to, deps);
  await forkThread(from, to);
  deps.note(`gpt: forked '${from.name}' as '${to.name}' — continue it with gpt ask --thread ${to.explicitPath ? to.file : to.name}`);
}

/** The attachments of a thread that can be read go with it; a damaged one is moved as it is. */
async function carryTo(from: ThreadRef, to: ThreadRef, deps: Deps): Promise<void> {
  const thread = await deps.store.load(from.file).then(
    (loaded) => loaded.thread,
    () => undefined,
  );
  if (thread) await carryAttachments(thread, from, to, deps.paths.threadsDir);
}

const find = (value: string, deps: Deps) => findThread(value, deps.paths.threadsDir, deps.cwd);

async function existingOrLatest(value: string | undefined, deps: Deps): Promise<ThreadRef> {
  if (value !== undefined) return find(value, deps);
  const latest = await latestThread(deps.paths.threadsDir);
  if (!latest) throw usageError('there are no threads yet', 'start one with gpt ask "question"');
  return { name: latest.name, file: latest.file, explicitPath: false };
}
