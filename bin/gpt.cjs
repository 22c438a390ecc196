#!/usr/bin/env node
'use strict';
// dist/gpt.cjs (small) starts every run and answers the quickest command lines itself;
// dist/cli.cjs (commander and every command, ~2 MB) is required only for the others.
// Compiling is a large part of start-up, so the compiled code of both is cached on the
// user's machine, under $XDG_CACHE_HOME/gpt/, never inside the installed package, as V8
// code caches written at the end of a run. Node 22's module.enableCompileCache() was slower
// (thread path 46 -> 39 ms, thread show 98 -> 71 ms CPU with ours): it caches what was
// compiled when the file loaded, and V8 compiles most functions later, on first call.
// A cache that cannot be read or written costs speed only.
const fs = require('node:fs');
const path = require('node:path');

const dist = path.join(__dirname, '..', 'dist');
if (!fs.existsSync(path.join(dist, 'cli.cjs'))) {
  process.stderr.write('gpt: not built yet — run npm run build\n');
  process.exit(1);
}
// Everything gpt writes holds conversations or what was made from them: private unless a
// command says otherwise.
process.umask(0o077);
const cacheDir = path.join(process.env.XDG_CACHE_HOME || path.join(process.env.HOME || require('node:os').homedir(), '.cache'), 'gpt');
// The commands with subcommands (cli/thread.ts, cli/template.ts).
const GROUPS = new Set(['thread', 'template']);
const load = (name) => requireWithCodeCache(path.join(dist, name));
load('gpt.cjs').start(async () => load('cli.cjs'));

/**
 * require(file) through a V8 code cache kept in dir: one cache for each command, so each
 * holds the functions its command runs and no more. A cache made by one command leaves the
 * functions of another to be compiled on every run: `thread list` with the cache a `thread
 * path` made took ~1.5 ms more CPU.
 */
function requireWithCodeCache(file) {
  const dir = path.join(cacheDir, 'code-cache');
  const vm = require('node:vm');
  const source = fs.readFileSync(file, 'utf8');
  const { size, mtimeMs } = fs.statSync(file);
  // V8 checks only the source's length: the name tells one build from another.
  const bundle = `${path.basename(file)}-`;
  // Another build's caches are removed: of this Node version at once; of another (a version
  // manager switches back and forth) only when made over a month ago, to be made again.
  const sameNode = `${bundle}${process.version}-`;
  const build = `${sameNode}${size}-${Math.trunc(mtimeMs)}-`;
  const name = build + commandOf(process.argv.slice(2));
  let cachedData;
  try {
    cachedData = fs.readFileSync(path.join(dir, name));
  } catch {
    /* not cached yet */
  }
  // Node's CommonJS wrapper, written out: node:module costs ~0.5 ms to load.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n});`, { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    // Written at the exit of a run that succeeded, so it holds the functions that run compiled
    // (an `ask` that failed before its request would leave the SDK's out).
    process.once('exit', (code) => {
      if (code !== 0) return;
      try {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        const kept = [];
        for (const old of fs.readdirSync(dir)) {
          if (old.endsWith('.tmp')) continue; // another run's write, or one a kill cut short
          if (old.startsWith(build)) kept.push(old);
          else if (old.startsWith(bundle) && (old.startsWith(sameNode) || isOld(path.join(dir, old)))) fs.rmSync(path.join(dir, old), { force: true });
        }
        // A bound on what mistyped commands can leave behind.
        if (kept.length >= 32) return;
        writeChecked(path.join(dir, name), script.createCachedData());
      } catch {
        /* a read-only or full disk: no cache */
      }
    });
  }
  const module_ = { exports: {} };
  // This file's require: dist/ is beside bin/, so both find the same builtins and packages.
  script.runInThisContext()(module_.exports, require, module_, file, path.dirname(file));
  return module_.exports;
}

/** The command a line runs, as a file name: its first word, and a group's subcommand (`thread-list`). */
function commandOf([word = '', sub = '']) {
  if (!/^-{0,2}[a-zA-Z_][\w-]{0,24}$/.test(word)) return 'other';
  const command = word.replace(/^-+/, '');
  return GROUPS.has(command) && /^[a-z]{1,16}$/.test(sub) ? `${command}-${sub}` : command;
}

/** Written more than 30 days ago (a cache is written once, so that is when it was made). */
function isOld(file) {
  return Date.now() - fs.statSync(file).mtimeMs > 30 * 24 * 3600 * 1000;
}

/**
 * Writes `bytes` to a temp file, reads them back, and only then renames it to `file`: V8 checks
 * a cache's header, not its bytes, and runs a damaged one (a crash, or wrong behaviour). A temp
 * file that fails (a full disk) is removed.
 */
function writeChecked(file, bytes) {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temp, bytes, { mode: 0o600 });
    if (!fs.readFileSync(temp).equals(bytes)) throw new Error('the cache read back differs');
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
