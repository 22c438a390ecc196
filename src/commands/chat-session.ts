import type { GptError } from '../core/errors.js';
import type { ReplyShape } from '../core/reply-shape.js';
import type { RequestSettings } from '../core/endpoints.js';
import type { PromptFile } from '../core/file-prompt.js';
import type { ContextPolicy, Detail, StoredMessage } from '../core/types.js';
import type { LoadedAttachment } from '../io/attachment-files.js';
import type { LineInput } from '../io/line-input.js';
import type { TextFilter } from '../io/render.js';
import type { Spinner } from '../io/spinner.js';
import type { ChatClient } from '../llm/client.js';
import type { Deps } from './deps.js';
import type { ThreadTarget } from './turn.js';

/** One conversation of the session: what is sent with the next prompt, and where turns are kept. */
export interface Conversation {
  history: StoredMessage[];
  request: RequestSettings;
  /** Undefined until the first turn when the name is made from the first prompt. */
  target: ThreadTarget | undefined;
  /** --context, else the thread file's `context:`, else trim. */
  context: ContextPolicy;
  /** `context` is the thread file's key (no --context), for a refusal's hint to name it. */
  contextFromFile?: boolean;
  /** The history's attachments, read again to be sent with it (a resumed thread's, and this session's turns'). */
  attached: Map<StoredMessage, LoadedAttachment[]>;
  /** A resumed thread's `attachment_store:` header: where its attachments are kept. */
  attachmentStore?: string;
  /** What /file and /attach (and -f, -a) added to the next message. */
  pending: Pending;
}

/** The files and attachments waiting for the next message; a new conversation starts without any. */
export interface Pending {
  files: PromptFile[];
  attachments: LoadedAttachment[];
  /** What was added, one summary each (`src/ (3 files, 4.1 KiB)`), for /file alone. */
  added: string[];
}

export const nothingPending = (): Pending => ({ files: [], attachments: [], added: [] });

/** One run of `gpt chat`: what lasts across its conversations. */
export interface Session {
  deps: Deps;
  client: ChatClient;
  lines: LineInput;
  interactive: boolean;
  stream: boolean;
  /** --schema, -x: each reply as checked data or a code block, printed once complete. */
  shape: ReplyShape | undefined;
  /** A message as sent: through the template's prompt (-T), or as typed. */
  wrap(text: string): string;
  spinner: Spinner;
  turns: number;
  failures: GptError[];
  /** Of the failures, those of slash commands (a mistyped or refused command), not of turns. */
  failedCommands: number;
  /** Makes the Markdown drawing of one reply, when replies are drawn (io/markdown.ts). */
  markdown: (() => TextFilter) | undefined;
  /** --max-cost USD: a turn whose input alone would cost more is refused, and the session goes on. */
  maxCost: number | undefined;
  /** -u: each turn's tokens and cost on stderr after its reply. */
  usage: boolean;
  /** --max-files-size: the most text the files added to one message may hold. */
  maxFilesSize: number;
  /** --detail: sent with the images of -a and /attach. */
  detail: Detail | undefined;
}

/** An error the chat survives: printed (in red on a terminal that takes colour) and counted for the exit code. */
export function fail(session: Session, error: GptError, of: 'turn' | 'command' = 'turn'): void {
  session.failures.push(error);
  if (of === 'command') session.failedCommands++;
  const red = session.interactive && session.deps.terminal.decorate;
  if (red) session.deps.err('\x1b[31m');
  session.deps.report(error);
  if (red) session.deps.err('\x1b[0m');
}

/** How a piped session that had failures ends: `1 of 3 turns failed`, `2 commands failed`, or both. */
export function failureSummary({ failures, failedCommands, turns }: Session): string {
  const failedTurns = failures.length - failedCommands;
  const parts = [
    ...(failedTurns > 0 ? [`${failedTurns} of ${turns} turns`] : []),
    ...(failedCommands > 0 ? [`${failedCommands} command${failedCommands === 1 ? '' : 's'}`] : []),
  ];
  return `${parts.join(' and ')} failed`;
}
