import { createReadStream } from 'node:fs';
import { type FileHandle, open, rename, rm, truncate } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { ExitCode, GptError, badInputError, storageError } from '../core/errors.js';
import { PRIVATE_FILE, code } from '../store/fs.js';

export interface DoneIds {
  /** Every id with a line in the file. */
  ids: Set<string>;
  /**
   * Of those, the ids whose only lines are errors worth retrying (exit_code 5: network,
   * timeout, 5xx, 429): --resume sends them again, after removing those lines.
   */
  retry: Set<string>;
  /** Error lines that stay (not worth retrying as they are): the run still exits 8. */
  failedKept: number;
  /** Where a last line cut short by a killed run begins (its item runs again); cut it there before appending. */
  unfinishedAt?: number;
}

/** An error that may well go away by itself: the server was down, busy or slow. */
const worthRetrying = (line: ResultLine) => line.error?.exit_code === ExitCode.network;

/**
 * The ids already in a results file, for `--resume`. A missing file has none. A last line
 * without its newline was being written when the run was killed: it is not read, and the
 * file is left as it is until `prepareForResume`, so a run refused later changes nothing.
 */
export async function readDoneIds(file: string): Promise<DoneIds> {
  const ids = new Set<string>();
  const retry = new Set<string>();
  const done = new Set<string>();
  let failedKept = 0;
  const ends = await lineEnds(file);
  if (ends === undefined || ends.complete === 0) return { ids, retry, failedKept: 0, unfinishedAt: unfinished(ends) };
  const stream = createReadStream(file, { encoding: 'utf8', end: ends.complete - 1 });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      if (text.trim() === '') continue;
      const result = resultLine(text);
      if (result === undefined) {
        throw badInputError(`${file}:${line}: not a result line (JSON with an "id")`, 'resume into the file gpt batch wrote, or remove the line');
      }
      const id = String(result.id);
      ids.add(id);
      if (worthRetrying(result)) retry.add(id);
      else done.add(id);
      if (result.error && !worthRetrying(result)) failedKept++;
    }
  } catch (error) {
    if (error instanceof GptError) throw error;
    throw storageError(`cannot read ${file} (${code(error)})`, 'check its permissions', error);
  } finally {
    lines.close();
    stream.destroy();
  }
  for (const id of done) retry.delete(id); // a later success (or a lasting failure) settles it
  return { ids, retry, failedKept, unfinishedAt: unfinished(ends) };
}

/**
 * Makes the file ready for a resumed run to append to: without the lines of the items it
 * retries, so that every id keeps one line (`jq` sees each item once), and without a last
 * line cut short. Lines are removed by writing the rest to a private file beside it, then
 * renaming it over the file: a crash leaves the old file or the new one.
 */
export async function prepareForResume(file: string, done: DoneIds): Promise<void> {
  if (done.retry.size === 0) {
    if (done.unfinishedAt !== undefined) await cutUnfinishedLine(file, done.unfinishedAt);
    return;
  }
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.resume`);
  const cannotWrite = (error: unknown) => storageError(`cannot write ${file} (${code(error)})`, 'check the folder is writable and the disk has room', error);
  const ends = await lineEnds(file);
  const complete = ends?.complete ?? 0;
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, 'wx', PRIVATE_FILE);
  } catch (error) {
    throw cannotWrite(error);
  }
  const stream = complete === 0 ? undefined : createReadStream(file, { encoding: 'utf8', end: complete - 1 });
  try {
    if (stream) {
      for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
        const result = text.trim() === '' ? undefined : resultLine(text);
        if (result && done.retry.has(String(result.id)) && worthRetrying(result)) continue;
        await handle.write(`${text}\n`);
      }
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, file);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error instanceof GptError ? error : cannotWrite(error);
  } finally {
    stream?.destroy();
  }
}

/** Removes the unfinished last line `readDoneIds` found. */
export async function cutUnfinishedLine(file: string, at: number): Promise<void> {
  await truncate(file, at).catch((error: unknown) => {
    throw storageError(`cannot write ${file} (${code(error)})`, 'check the file is writable', error);
  });
}

interface ResultLine {
  id: string | number;
  error?: { exit_code?: unknown } | null;
}

function resultLine(text: string): ResultLine | undefined {
  try {
    const value = JSON.parse(text) as ResultLine;
    return typeof value?.id === 'string' || typeof value?.id === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}

const TAIL_CHUNK = 64 * 1024;

interface LineEnds {
  size: number;
  /** Bytes up to and including the last newline. */
  complete: number;
}

const unfinished = (ends: LineEnds | undefined) => (ends && ends.complete < ends.size ? ends.complete : undefined);

/** The file's size and where its last whole line ends; undefined when there is no file. */
async function lineEnds(file: string): Promise<LineEnds | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw storageError(`cannot read ${file} (${code(error)})`, 'check its permissions', error);
  }
  try {
    const { size } = await handle.stat();
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - TAIL_CHUNK);
      const buffer = Buffer.alloc(end - start);
      await handle.read(buffer, 0, buffer.length, start);
      const newline = buffer.lastIndexOf(0x0a);
      if (newline >= 0) return { size, complete: start + newline + 1 };
      end = start;
    }
    return { size, complete: 0 };
  } finally {
    await handle.close();
  }
}
