import YAML from 'yaml';
import { attachmentRefProblem } from '../core/attachments.js';
import { CONTEXT_POLICIES, parseContextPolicy } from '../core/context.js';
import { badInputError } from '../core/errors.js';
import { messageProblem } from '../core/messages.js';
import { EFFORTS, parseEffort } from '../core/models.js';
import { dropUndefined } from '../core/objects.js';
import { THREAD_VERSION, type StoredMessage, type Thread } from '../core/types.js';
import { appendInPlace, type HeaderFields } from './foreign-thread.js';
import { parseYaml } from './yaml.js';

/** Text of a thread file, with where its message list starts (-1 when it cannot be appended to). */
export interface ThreadText {
  text: string;
  messagesOffset: number;
}

const STRINGIFY = { lineWidth: 0, minContentWidth: 0 } as const;
const MESSAGES_KEY = 'messages:\n';

/** Parses and checks a thread file; errors name the file and the line. */
export function parseThread(text: string, file: string): Thread {
  const { doc, lineOf, toJS } = parseYaml(text, file, (message) => badInputError(message, 'fix the file by hand; it was left as it was'));
  const value = toJS();
  // The line of the nearest node that exists on the path (a missing key points at its message).
  const nodeLine = (path: (string | number)[]): number => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    if (node?.range || path.length === 0) return lineOf(node?.range?.[0]);
    return nodeLine(path.slice(0, -1));
  };
  return checkThread(
    value,
    (path, problem) => badInputError(`${file}:${nodeLine(path)}: ${problem}`, 'fix the file by hand; it was left as it was'),
    (version) =>
      badInputError(
        `${file} was written by a newer gpt (thread format ${version}; this gpt reads ${THREAD_VERSION})`,
        'upgrade gpt to read or continue it; the file was left as it was',
      ),
  );
}

type Complaint = (path: (string | number)[], problem: string) => Error;

function checkThread(value: unknown, complain: Complaint, newerFormat: (version: number) => Error): Thread {
  if (value === null || value === undefined) return { version: THREAD_VERSION, messages: [] };
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw complain([], 'not a thread: expected a mapping with a `messages` list');
  }
  const record = value as Record<string, unknown>;
  const thread: Thread = { version: THREAD_VERSION, messages: [] };
  if (record.version !== undefined) {
    if (typeof record.version !== 'number') throw complain(['version'], '`version` must be a number');
    if (record.version > THREAD_VERSION) throw newerFormat(record.version);
  }
  for (const key of ['model', 'system', 'endpoint', 'attachment_store', 'created', 'updated'] as const) {
    const field = record[key];
    if (field === undefined || field === null) continue;
    if (typeof field !== 'string') throw complain([key], `\`${key}\` must be text`);
    thread[key] = field;
  }
  if (record.reasoning_effort !== undefined && record.reasoning_effort !== null) {
    const effort = typeof record.reasoning_effort === 'string' ? parseEffort(record.reasoning_effort) : undefined;
    if (!effort) throw complain(['reasoning_effort'], `\`reasoning_effort\` must be one of ${EFFORTS.join(', ')}`);
    thread.reasoning_effort = effort;
  }
  if (record.context !== undefined && record.context !== null) {
    const policy = typeof record.context === 'string' ? parseContextPolicy(record.context) : undefined;
    if (!policy) throw complain(['context'], `\`context\` must be ${CONTEXT_POLICIES.join(', ')}`);
    thread.context = policy;
  }
  const messages = record.messages ?? [];
  if (!Array.isArray(messages)) throw complain(['messages'], '`messages` must be a list');
  thread.messages = messages.map((m, i) => checkMessage(m, i, complain));
  return thread;
}

function checkMessage(value: unknown, index: number, complain: Complaint): StoredMessage {
  const wrong = messageProblem(value, index + 1, 'a mapping');
  if (wrong) throw complain(['messages', index, ...(wrong.key ? [wrong.key] : [])], wrong.problem);
  const { attachments } = value as Record<string, unknown>;
  if (attachments !== undefined && attachments !== null) {
    const at = ['messages', index, 'attachments'];
    if (!Array.isArray(attachments)) throw complain(at, `message ${index + 1} has \`attachments\` that is not a list`);
    attachments.forEach((ref, n) => {
      const bad = attachmentRefProblem(ref, index + 1, n + 1);
      if (bad) throw complain([...at, n, ...(bad.key ? [bad.key] : [])], bad.problem);
    });
  }
  return value as StoredMessage;
}

/** The text of a new thread file: JSON when its name ends in .json, else canonical YAML. */
export function newThreadText(thread: Thread, file: string): ThreadText {
  if (!/\.json$/i.test(file)) return serializeThread(thread);
  const { messages, ...header } = thread;
  return { text: `${JSON.stringify({ ...header, version: THREAD_VERSION, messages }, null, 2)}\n`, messagesOffset: -1 };
}

/** The canonical file text: header fields, then `messages:` last so turns can be appended. */
export function serializeThread(thread: Thread): ThreadText {
  const { messages, ...header } = thread;
  const head = YAML.stringify(dropUndefined({ ...header, version: THREAD_VERSION }), STRINGIFY);
  if (messages.length === 0) return { text: `${head}messages: []\n`, messagesOffset: -1 };
  return { text: head + MESSAGES_KEY + stringifyItems(messages), messagesOffset: byteLength(head + MESSAGES_KEY) };
}

/**
 * Where the message list starts in `text` when it is exactly what gpt writes for `thread`
 * (a file gpt wrote, too short to be cached); -1 for any other file.
 */
export function canonicalOffset(text: string, thread: Thread): number {
  if (!text.startsWith('version: ')) return -1; // written by hand: not worth a serialisation
  const canonical = serializeThread(thread);
  return canonical.text === text ? canonical.messagesOffset : -1;
}

/**
 * Appends messages to a thread file. A file we wrote (its message list found at
 * `messagesOffset`) is not re-serialised: a new header, the old message text byte for
 * byte, then the new items. Any other file is edited in its own layout (foreign-thread.ts).
 * `thread` is the file's thread with its new header (`updated`), before `added`.
 */
export function appendToThreadText(old: ThreadText, thread: Thread, added: StoredMessage[]): ThreadText {
  if (old.messagesOffset < 0) {
    const header: HeaderFields = { updated: thread.updated ?? new Date().toISOString() };
    if (thread.attachment_store !== undefined) header.attachment_store = thread.attachment_store;
    return { text: appendInPlace(old.text, header, added, STRINGIFY), messagesOffset: -1 };
  }
  const { messages: _ignored, ...header } = thread;
  const head = YAML.stringify(dropUndefined({ ...header, version: THREAD_VERSION }), STRINGIFY) + MESSAGES_KEY;
  const oldItems = Buffer.from(old.text, 'utf8').subarray(old.messagesOffset).toString('utf8');
  return { text: head + oldItems + stringifyItems(added), messagesOffset: byteLength(head) };
}

function stringifyItems(messages: StoredMessage[]): string {
  // Serialised under the key so the indentation matches a whole-file write; then the key is cut.
  return YAML.stringify({ messages: messages.map(dropUndefined) }, STRINGIFY).slice(MESSAGES_KEY.length);
}

const byteLength = (text: string) => Buffer.byteLength(text, 'utf8');
