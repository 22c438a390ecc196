import {
  chmod as chmodCb,
  constants,
  copyFile as copyFileCb,
  link as linkCb,
  lstat as lstatCb,
  mkdir as mkdirCb,
  readdir as readdirCb,
  readFile as readFileCb,
  realpath as realpathCb,
  rename as renameCb,
  rmdir as rmdirCb,
  stat as statCb,
  unlink as unlinkCb,
} from 'node:fs';
import { promisify } from 'node:util';

// The store's asynchronous file calls: node:fs's callback ones, promisified. node:fs/promises
// costs ~2 ms to load (it brings readline and the watchers), as much as the whole of a
// completion Tab's work (cli/quick.ts); only an atomic write, which needs a FileHandle, loads it.
// Named imports, not `import * as fs`: the bundle would copy every property of node:fs, which
// on Node 22 loads the lazy ones (opendir's module).

/** `promisify(call)`, made on the first call: twelve made at load cost every quick line ~0.3 ms. */
function onFirstCall<F extends (...args: never[]) => unknown>(make: () => F): F {
  let made: F | undefined;
  return ((...args: Parameters<F>) => {
    made ??= make();
    return made(...args);
  }) as F;
}

export { constants };
export const chmod = onFirstCall(() => promisify(chmodCb));
export const copyFile = onFirstCall(() => promisify(copyFileCb));
export const link = onFirstCall(() => promisify(linkCb));
export const lstat = onFirstCall(() => promisify(lstatCb));
export const mkdir = onFirstCall(() => promisify(mkdirCb));
export const readdir = onFirstCall(() => promisify(readdirCb));
export const readFile = onFirstCall(() => promisify(readFileCb));
export const realpath = onFirstCall(() => promisify(realpathCb));
export const rename = onFirstCall(() => promisify(renameCb));
export const rmdir = onFirstCall(() => promisify(rmdirCb));
export const stat = onFirstCall(() => promisify(statCb));
export const unlink = onFirstCall(() => promisify(unlinkCb));
