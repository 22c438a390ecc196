import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeFs, type AtomicWriteFs, type WritableFile } from '../../src/store/atomic-write.js';
import { writePrivateFile } from '../../src/store/fs.js';
import { GptError } from '../../src/core/errors.js';

/** The real file system, except that `write` goes through `fault` (a disk that fills up). */
function faultyFs(fault: (length: number, call: number) => number | Error): AtomicWriteFs {
  let call = 0;
  return {
    ...nodeFs,
    async open(path, flags, mode) {
      const real = await nodeFs.open(path, flags, mode);
      const file: WritableFile = {
        write: async (buffer, offset, length, position) => {
          const allowed = fault(length, call++);
          if (allowed instanceof Error) throw allowed;
          return real.write(buffer, offset, Math.min(allowed, length), position);
        },
        sync: () => real.sync(),
        stat: () => real.stat(),
        chown: (uid, gid) => real.chown(uid, gid),
        close: () => real.close(),
      };
      return file;
    },
  };
}

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

describe('writePrivateFile: all of the data, or the old file untouched', () => {
  let dir: string;
  let file: string;
  const OLD = 'old content\n'.repeat(100);
  const NEW = 'new content, longer than the old one\n'.repeat(1000);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gpt-atomic-'));
    file = join(dir, 't.yaml');
    await writeFile(file, OLD, { mode: 0o600 });
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('keeps writing after short writes until every byte is there', async () => {
    const fs = faultyFs((length) => Math.min(length, 1000)); // at most 1000 bytes per call
    await writePrivateFile(file, NEW, { fsync: true, fs });
    expect(await readFile(file, 'utf8')).toBe(NEW);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['t.yaml']);
  });

  it.each([
    ['a short write, then ENOSPC', (length: number, call: number) => (call === 0 ? Math.floor(length / 3) : enospc())],
    ['ENOSPC on the first write', () => enospc()],
    ['a write that makes no progress', (_length: number, call: number) => (call === 0 ? 100 : 0)],
  ])('%s: exit 7 naming the full disk, the old file untouched, no temp file left', async (_name, fault) => {
    const error = await writePrivateFile(file, NEW, { fsync: true, fs: faultyFs(fault) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GptError);
    expect((error as GptError).exitCode).toBe(7);
    expect((error as GptError).message).toBe(`cannot write ${file}: the disk is full (ENOSPC)`);
    expect((error as GptError).hint).toMatch(/free some space.*left as it was/);
    expect(await readFile(file, 'utf8')).toBe(OLD);
    expect(await readdir(dir)).toEqual(['t.yaml']);
  });

  it('a file whose size does not match what was written is not renamed into place', async () => {
    const fs: AtomicWriteFs = {
      ...nodeFs,
      async open(path, flags, mode) {
        const real = await nodeFs.open(path, flags, mode);
        // Claims every byte, writes a tenth: the size check catches what a count cannot.
        return Object.assign(Object.create(real) as WritableFile, {
          write: async (buffer: Uint8Array, offset: number, length: number, position: number) => {
            await real.write(buffer, offset, Math.ceil(length / 10), position);
            return { bytesWritten: length };
          },
          stat: () => real.stat(),
          sync: () => real.sync(),
          close: () => real.close(),
        });
      },
    };
    const error = await writePrivateFile(file, NEW, { fsync: true, fs }).catch((e: unknown) => e);
    expect((error as GptError).exitCode).toBe(7);
    expect((error as GptError).message).toMatch(/an input\/output error \(EIO: \d+ of \d+ bytes reached the file\)/);
    expect(await readFile(file, 'utf8')).toBe(OLD);
    expect(await readdir(dir)).toEqual(['t.yaml']);
  });

  it('a failed rename leaves the old file and removes the temp file', async () => {
    const fs: AtomicWriteFs = {
      ...nodeFs,
      rename: async () => {
        throw Object.assign(new Error('EXDEV'), { code: 'EXDEV' });
      },
    };
    const error = await writePrivateFile(file, NEW, { fsync: true, fs }).catch((e: unknown) => e);
    expect((error as GptError).message).toBe(`cannot write ${file}: EXDEV`);
    expect(await readFile(file, 'utf8')).toBe(OLD);
    expect(await readdir(dir)).toEqual(['t.yaml']);
  });
});
