import { resolve } from 'node:path';
import { fileSink, streamSink, type ResultSink } from '../batch/output.js';
import { prepareForResume, readDoneIds, type DoneIds } from '../batch/resume.js';
import type { Deps } from './deps.js';

// Where the result lines of `gpt batch FILE` and `gpt batch results ID` go, opened one way
// for both: stdout, or -o FILE, which --resume continues.

/** -o FILE: its path, and its name as the user gave it (for messages). */
export interface ResultsFile {
  path: string;
  shown: string;
}

export function resultsFile(output: string | undefined, cwd: string): ResultsFile | undefined {
  return output === undefined ? undefined : { path: resolve(cwd, output), shown: output };
}

/**
 * --resume: the ids the file already has results for. Read before anything is sent or
 * checked further; the file is left as it is until `openResults`, so a run refused in
 * between changes nothing.
 */
export async function readResults(file: ResultsFile | undefined, resume: boolean | undefined): Promise<DoneIds | undefined> {
  return resume && file ? readDoneIds(file.path) : undefined;
}

/**
 * Opens where result lines go. With `done` (--resume), the file is first made ready to
 * append to: a last line cut short by a killed run is removed (and said), and so are the
 * lines of the items in `done.retry`, which the run sends again.
 */
export async function openResults(file: ResultsFile | undefined, done: DoneIds | undefined, deps: Deps): Promise<ResultSink> {
  if (!file) return stdoutSink(deps);
  if (done) {
    await prepareForResume(file.path, done);
    if (done.unfinishedAt !== undefined) {
      deps.warn(`gpt: the last line of ${file.shown} was cut short when a run stopped; it was removed, and that item's result is written again`);
    }
  }
  return fileSink(file.path, done !== undefined);
}

/** Result lines to stdout; like -o FILE, the run stops at the first line that cannot be written. */
function stdoutSink(deps: Deps): ResultSink {
  return streamSink((text) => {
    const failed = deps.outFailed();
    if (failed) throw failed;
    deps.out(text);
  });
}
