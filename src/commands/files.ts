import { usageError } from '../core/errors.js';
import { attachWith, DEFAULT_MAX_FILES_BYTES, skippedNotice, type PromptFile } from '../core/file-prompt.js';
import { STDIN_PATH, readTextFiles } from '../io/text-files.js';
import type { Deps } from './deps.js';

/** Whether -f takes stdin as a file (`-f -`), so it is not also the piped prompt. */
export const filesReadStdin = (paths: readonly string[]) => paths.includes(STDIN_PATH);

/**
 * The text files of -f PATH... (README "Text files: -f"), read and checked before anything
 * is sent; the files left out of folders because they are not text are one line on stderr.
 * `source`: how the files were named (`-f`, or chat's `/file`), for the messages.
 */
export async function promptFiles(paths: readonly string[], maxBytes: number | undefined, deps: Deps, source = '-f'): Promise<PromptFile[]> {
  if (paths.length === 0) return [];
  if (paths.filter((path) => path === STDIN_PATH).length > 1) throw usageError('-f - is given twice', 'stdin can be read once');
  const { files, skipped } = await readTextFiles(paths, {
    cwd: deps.cwd,
    maxBytes: maxBytes ?? DEFAULT_MAX_FILES_BYTES,
    stdin: deps.stdin,
    signal: deps.signal,
    source,
  });
  const notice = skippedNotice(skipped, source, `go with ${attachWith(source)}`);
  if (notice) deps.warn(notice);
  return files;
}
