import { createReadStream } from 'node:fs';
import { open, truncate } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { GptError, badInputError, storageError } from '../core/errors.js';
import { code } from '../store/fs.js';

export interface DoneIds {
  ids: Set<string>;
  /** Where a last line cut short by a killed run begins (its item runs again); cut it there before appending. */
  unfinishedAt?: number;
}

/**
 * The ids already in a results file, for `--resume`. A missing file has none. A last line
 * without its newline was being written when the run was killed: it is not read, and the
 * file is left as it is until `cutUnfinishedLine`, so a run refused later changes nothing.
 */
export async function readDoneIds(file: string): Promise<DoneIds> {
  const ids = new Set<string>();
  const ends = await lineEnds(file);
  if (ends === undefined || ends.complete === 0) return { ids, unfinishedAt: unfinished(ends) };
  const stream = createReadStream(file, { encoding: 'utf8', end: ends.complete - 1 });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      if (text.trim() === '') continue;
      const id = idOf(text);
      if (id === undefined) {
        throw badInputError(`${file}:${line}: not a result line (JSON with an "id")`, 'resume into the file gpt batch wrote, or remove the line');
      }
      ids.add(id);
    }
  } catch (error) {
    if (error instanceof GptError) throw error;
    throw storageError(`cannot read ${file} (${code(error)})`, 'check its permissions', error);
  } finally {
    lines.close();
    stream.destroy();
  }
  return { ids, unfinishedAt: unfinished(ends) };
}

/** Removes the unfinished last line `readDoneIds` found. */
export async function cutUnfinishedLine(file: string, at: number): Promise<void> {
  await truncate(file, at).catch((error: unknown) => {
    throw storageError(`cannot write ${file} (${code(error)})`, 'check the file is writable', error);
  });
}

function idOf(text: string): string | undefined {
  try {
    const value = JSON.parse(text) as { id?: unknown };
    return typeof value?.id === 'string' || typeof value?.id === 'number' ? String(value.id) : undefined;
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
  let handle;
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
