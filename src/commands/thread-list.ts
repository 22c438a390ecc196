import { harmlessLine } from '../core/text.js';
import { renderThreadList, threadSummaryJson } from '../io/transcript.js';
import { findThread, listThreads } from '../store/thread-admin.js';
import type { FolderDeps } from './deps.js';

// `gpt thread list` and `gpt thread path`: shell completion runs them on every Tab, so they
// read only the threads folder (no config) and load nothing else (cli/quick.ts).

export async function runThreadList(options: { json: boolean }, deps: FolderDeps): Promise<void> {
  const threads = await listThreads(deps.store);
  // A file name or a parser's quote of the file may hold control characters: shown, never obeyed.
  for (const t of threads) if (t.problem !== undefined) deps.warn(`gpt: ${harmlessLine(t.problem)}`);
  if (options.json) deps.out(`${JSON.stringify(threads.map(threadSummaryJson))}\n`);
  // None, to a person: a header alone reads as a fault; a pipe gets nothing, as from ls.
  else if (threads.length === 0) {
    if (deps.terminal.stdoutIsTTY) deps.note('gpt: no threads yet — start one with gpt ask "question"');
  } else deps.out(renderThreadList(threads, deps.terminal.stdoutIsTTY));
}

export async function runThreadPath(options: { thread: string }, deps: FolderDeps): Promise<void> {
  deps.out(`${(await findThread(options.thread, deps.paths.threadsDir, deps.cwd)).file}\n`);
}
