import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';
import { storageError } from '../core/errors.js';
import { PRIVATE_FILE, code } from '../store/fs.js';
import type { ResultRecord } from './record.js';

/** Where result lines go: stdout, or a file written line by line. */
export interface ResultSink {
  write(record: ResultRecord): void;
  close(): void;
}

export const resultLine = (record: ResultRecord) => `${JSON.stringify(record)}\n`;

export function streamSink(out: (text: string) => void): ResultSink {
  return { write: (record) => out(resultLine(record)), close() {} };
}

/**
 * `-o FILE`: private (0600), even if it existed before; each line is handed to the OS as soon as it is
 * written, so a run that is killed loses no finished result. `append` keeps what is there.
 */
export function fileSink(file: string, append: boolean): ResultSink {
  let fd: number;
  try {
    fd = openSync(file, append ? 'a' : 'w', PRIVATE_FILE);
    fchmodSync(fd, PRIVATE_FILE); // replies are private even in a file that existed before
  } catch (error) {
    throw storageError(`cannot write ${file} (${code(error)})`, 'check the folder exists and is writable', error);
  }
  return {
    write(record) {
      try {
        writeSync(fd, resultLine(record));
      } catch (error) {
        throw storageError(`cannot write ${file} (${code(error)})`, 'check the disk has room', error);
      }
    },
    close: () => closeSync(fd),
  };
}
