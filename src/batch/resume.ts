import { createReadStream } from 'node:fs';
import { open, truncate } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { GptError, badInputError, storageError } from '../core/errors.js';
import { code } from '../store/fs.js';

export interface DoneIds {
  ids: Set<string>;
  /** A last line cut short by a killed run was removed (its item runs again). */
  repairedTail: boolean;
}

/**
 * The ids already in a results file, for `--resume`. A missing file has none. A last line
 * without its newline was being written when the run was killed: it is cut off.
 */
export async function readDoneIds(file: string): Promise<DoneIds> {
  const repairedTail = await cutUnfinishedLine(file);
  const ids = new Set<string>();
  const stream = createReadStream(file, { encoding: 'utf8' });
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
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ids, repairedTail };
    if (error instanceof GptError) throw error;
    throw storageError(`cannot read ${file} (${code(error)})`, 'check its permissions', error);
  } finally {
    lines.close();
    stream.destroy();
  }
  return { ids, repairedTail };
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

/** Truncates the file after its last newline; true when something was cut. */
async function cutUnfinishedLine(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
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
      if (newline >= 0) {
        end = start + newline + 1;
        break;
      }
      end = start;
    }
    if (end === size) return false;
    await truncate(file, end);
    return true;
  } finally {
    await handle.close();
  }
}
