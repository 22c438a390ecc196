import { chmod as chmodCb, constants, copyFile as copyFileCb, link as linkCb, lstat as lstatCb, mkdir as mkdirCb, readdir as readdirCb, readFile as readFileCb, realpath as realpathCb, rename as renameCb, stat as statCb, unlink as unlinkCb } from 'node:fs';
import { promisify } from 'node:util';

// The store's asynchronous file calls: node:fs's callback ones, promisified. node:fs/promises
// costs ~2 ms to load (it brings readline and the watchers), as much as the whole of a
// completion Tab's work (cli/quick.ts); only an atomic write, which needs a FileHandle, loads it.
// Named imports, not `import * as fs`: the bundle would copy every property of node:fs, which
// on Node 22 loads the lazy ones (opendir's module).
export { constants };
export const chmod = promisify(chmodCb);
export const copyFile = promisify(copyFileCb);
export const link = promisify(linkCb);
export const lstat = promisify(lstatCb);
export const mkdir = promisify(mkdirCb);
export const readdir = promisify(readdirCb);
export const readFile = promisify(readFileCb);
export const realpath = promisify(realpathCb);
export const rename = promisify(renameCb);
export const stat = promisify(statCb);
export const unlink = promisify(unlinkCb);
