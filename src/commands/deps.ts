import type { GptError } from '../core/errors.js';
import type { Settings } from '../core/config.js';
import type { Paths } from '../core/paths.js';
import type { Env } from '../core/types.js';
import type { BatchClient } from '../llm/batch-client.js';
import type { ChatClient } from '../llm/client.js';
import type { Terminal } from '../io/terminal.js';
import type { ThreadStore } from '../store/threads.js';

/** Everything a command needs from the outside world, passed in so tests can fake it. */
export interface Deps {
  /** Flags, environment and config, merged once (threads and batch items add theirs per turn). */
  settings: Settings;
  paths: Paths;
  store: ThreadStore;
  /** Created on first use: loading the SDK costs start-up time. */
  client(): Promise<ChatClient>;
  /** The Batch API (--remote, gpt batch status|results|cancel|list --refresh); created on first use too. */
  batchClient(): Promise<BatchClient>;
  terminal: Terminal;
  stdin: NodeJS.ReadStream;
  /** stdout: the product. A write that fails (a full disk) is reported when the command ends (exit 7). */
  out(text: string): void;
  /** The error a failed stdout write ends with, as soon as it is known (a batch stops there). */
  outFailed(): GptError | undefined;
  /** stderr: one line about something that may be wrong (a newline is added); silenced by --quiet. */
  warn(line: string): void;
  /** stderr: one line saying what gpt did or is doing (a batch created, a run's summary); silenced by --quiet. */
  note(line: string): void;
  /** stderr, as is and never silenced by --quiet: prompts, and errors a command survives. */
  err(text: string): void;
  /** An error the command survives (a failed chat turn): printed as every error is (io/report-error.ts). */
  report(error: GptError): void;
  cwd: string;
  /** The environment, for what a command reads of it itself ($VISUAL, $EDITOR). */
  env: Env;
  now(): Date;
  /** Aborted by SIGINT/SIGTERM; its reason is the GptError to exit with. */
  signal: AbortSignal;
  quiet: boolean;
  /** --show-reasoning: a reasoning model's thinking on stderr. */
  showReasoning: boolean;
}

/**
 * What a command that reads no config and makes no request gets (`gpt thread list` and
 * `thread path`, which shell completion runs on every Tab): no YAML is loaded for the config.
 */
export type FolderDeps = Pick<
  Deps,
  'paths' | 'store' | 'terminal' | 'out' | 'outFailed' | 'warn' | 'note' | 'err' | 'cwd' | 'env' | 'now' | 'signal' | 'quiet'
>;
