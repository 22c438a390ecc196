import * as fs from 'node:fs';
import { promisify } from 'node:util';

// The store's asynchronous file calls: node:fs's callback ones, promisified. node:fs/promises
// costs ~2 ms to load (it brings readline and the watchers), as much as the whole of a
// completion Tab's work (cli/quick.ts); only an atomic write, which needs a FileHandle, loads it.
export const { constants } = fs;
export const chmod = promisify(fs.chmod);
export const copyFile = promisify(fs.copyFile);
export const link = promisify(fs.link);
export const lstat = promisify(fs.lstat);
export const mkdir = promisify(fs.mkdir);
export const readdir = promisify(fs.readdir);
export const readFile = promisify(fs.readFile);
export const realpath = promisify(fs.realpath);
export const rename = promisify(fs.rename);
export const rmdir = promisify(fs.rmdir);
export const stat = promisify(fs.stat);
export const unlink = promisify(fs.unlink);
