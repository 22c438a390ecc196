// A batch item's `files:` and `attachments:` (README "gpt batch"): read as `-f` and `-a` read
// theirs, but only from inside the input file's folder unless --allow-paths (a batch file is
// data). Read once while the input is checked, before anything is sent, and again as the
// item is sent (or written into a --remote request file): the bytes are not held between.
import { attachmentRefusal, isUrl } from '../core/attachments.js';
import { DEFAULT_MAX_FILES_BYTES, skippedNotice, withFiles, type PromptFile } from '../core/file-prompt.js';
import { resolveModel } from '../core/models.js';
import type { RequestSettings } from '../core/endpoints.js';
import { turnSettings } from '../core/prompt.js';
import type { Thread } from '../core/types.js';
import { readTextFiles } from '../io/text-files.js';
import { FILES_OPT_IN, containedPath, itemThreadRef, type ItemPathRules } from '../batch/item-paths.js';
import type { BatchItem } from '../batch/item.js';
import { loadAttachments, type LoadedAttachment } from './attachments.js';
import type { Deps } from './deps.js';

/** What an item adds to its prompt. */
export interface ItemContext {
  files: PromptFile[];
  attached: LoadedAttachment[];
  /** Files inside folders of `files:` left out because they are not text. */
  skipped: string[];
}

const NONE: ItemContext = { files: [], attached: [], skipped: [] };

/**
 * Reads the item's files and attachments, refusing (ItemProblem, or a GptError naming the
 * file: exit 6) a path that leads out of `rules.base` (unless --allow-paths), a file inside
 * a folder that does (a link), a missing, unreadable or binary file, an attachment that is
 * not an image or PDF or is over its limit, and files over `maxBytes` in all.
 */
export async function loadItemContext(item: BatchItem, rules: ItemPathRules, maxBytes: number | undefined, deps: Deps): Promise<ItemContext> {
  if (!item.files && !item.attachments) return NONE;
  const inside = (path: string) => {
    if (!rules.allowPaths) containedPath(path, rules.base, FILES_OPT_IN);
  };
  for (const path of item.files ?? []) inside(path);
  for (const spec of item.attachments ?? []) if (!isUrl(spec)) inside(spec);
  const { files, skipped } = item.files
    ? await readTextFiles(item.files, {
        cwd: rules.base,
        maxBytes: maxBytes ?? DEFAULT_MAX_FILES_BYTES,
        stdin: deps.stdin,
        signal: deps.signal,
        source: '`files`',
        // A folder's files are checked one by one: a link in it may lead out.
        checkFile: (_path, label) => inside(label),
      })
    : { files: [], skipped: [] };
  // No pipe or device: the item's attachments are read again when it is sent.
  const attached = await loadAttachments(item.attachments ?? [], { cwd: rules.base, detail: item.detail, from: '`attachments`', streams: false });
  return { files, attached, skipped };
}

/** The item's prompt with its files before it (as `-f` puts them). */
export const promptWithFiles = (item: BatchItem, context: ItemContext) => withFiles(context.files, item.prompt) ?? '';

/** A model known not to take the item's attachments is refused (exit 2) before anything is sent. */
export function checkItemModel(request: Pick<RequestSettings, 'model' | 'capabilities'>, context: ItemContext): void {
  if (context.attached.length === 0) return;
  const { entry } = resolveModel(request.model, request.capabilities);
  const refused = attachmentRefusal(
    request.model,
    entry,
    context.attached.map((l) => l.sent.ref),
    '`attachments`:',
  );
  if (refused) throw refused;
}

/** The one stderr line for an item's folder files left out as not text (said while the input is checked). */
export const itemSkippedNotice = (where: string, context: ItemContext) => skippedNotice(context.skipped, `${where}: \`files\``, 'go in `attachments`');

/**
 * Checks each item's files and attachments while the input is checked, before anything is
 * sent: read whole (then let go), and the model it would go to must take its attachments
 * (the model an item's thread remembers counts: the thread is read for it).
 */
export function itemContextChecker(rules: ItemPathRules, maxBytes: number | undefined, deps: Deps): (item: BatchItem, where: string) => Promise<void> {
  const threads = new Map<string, Promise<Thread | undefined>>();
  const threadOf = (name: string) => {
    const file = itemThreadRef(name, rules).file;
    let thread = threads.get(file);
    if (!thread) {
      thread = deps.store.load(file).then(
        (loaded) => loaded.thread,
        () => undefined,
      );
      threads.set(file, thread);
    }
    return thread;
  };
  return async (item, where) => {
    const context = await loadItemContext(item, rules, maxBytes, deps);
    const notice = itemSkippedNotice(where, context);
    if (notice) deps.warn(notice);
    if (context.attached.length === 0) return;
    const thread = item.thread === undefined ? undefined : await threadOf(item.thread);
    checkItemModel(turnSettings(deps.settings, thread, item), context);
  };
}
