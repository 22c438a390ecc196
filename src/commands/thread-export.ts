import { resolve } from 'node:path';
import { exportThread, type ExportFormat } from '../io/export.js';
import { harmless } from '../core/text.js';
import { findThread } from '../store/thread-admin.js';
import { writePrivateFile } from '../store/fs.js';
import type { Deps } from './deps.js';

export interface ThreadExportOptions {
  thread: string;
  format: ExportFormat;
  /** A file to write (created 0600); stdout when absent. */
  output?: string;
}

/** `gpt thread export NAME`: the conversation as Markdown or JSON, to share. */
export async function runThreadExport(options: ThreadExportOptions, deps: Deps): Promise<void> {
  const ref = await findThread(options.thread, deps.paths.threadsDir, deps.cwd);
  const { thread } = await deps.store.load(ref.file);
  const text = exportThread(ref.name, thread, options.format);
  if (options.output !== undefined) {
    await writePrivateFile(resolve(deps.cwd, options.output), text);
    return;
  }
  // Exact to a pipe or file; on a terminal, stored control characters are shown, not obeyed.
  deps.out(deps.terminal.stdoutIsTTY && options.format === 'md' ? harmless(text) : text);
}
