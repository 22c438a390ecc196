import { ExitCode, GptError, usageError } from '../core/errors.js';
import { findInMessages, literalPattern } from '../core/search.js';
import type { StoredMessage } from '../core/types.js';
import { renderSearch, searchJson, type ThreadHits } from '../io/search.js';
import { listThreadFiles, newestFirst } from '../store/thread-folder.js';
import type { Deps } from './deps.js';

export interface ThreadSearchOptions {
  text: string;
  json: boolean;
}

/**
 * `gpt thread search TEXT`: the messages that contain TEXT (any case, literally), newest
 * thread first. Like grep, exits 1 when nothing matched, so scripts can test it.
 */
export async function runThreadSearch(options: ThreadSearchOptions, deps: Deps): Promise<number> {
  if (options.text === '') throw usageError('nothing to search for', 'give the text: gpt thread search "blue whale"');
  const pattern = literalPattern(options.text);
  const files = await listThreadFiles(deps.paths.threadsDir);
  files.sort(newestFirst);
  const results: ThreadHits[] = [];
  for (const { name, file, mtimeMs } of files) {
    let messages: StoredMessage[];
    try {
      messages = (await deps.store.load(file)).thread.messages;
    } catch (error) {
      if (!(error instanceof GptError)) throw error;
      deps.warn(`gpt: ${error.message}`); // one bad file does not hide the others
      continue;
    }
    const hits = findInMessages(messages, pattern);
    if (hits.length > 0) results.push({ name, file, updated: new Date(mtimeMs), hits });
  }
  if (options.json) deps.out(`${JSON.stringify(searchJson(results))}\n`);
  else deps.out(renderSearch(results, deps.terminal.stdoutIsTTY && deps.terminal.decorate ? literalPattern(options.text, true) : undefined));
  return results.length > 0 ? ExitCode.ok : ExitCode.noMatch;
}
