#!/usr/bin/env node
'use strict';
// Runs dist/gpt.cjs (and, when a command runs, dist/runtime.cjs) through V8's code
// cache: compiling the bundles is a large part of gpt's start-up. Each cache sits
// beside its bundle; V8 rejects a stale one (another bundle or Node version) and it is
// rebuilt at exit. Where dist/ is read-only, nothing is cached and nothing breaks.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { wrap } = require('node:module');

const dist = path.join(__dirname, '..', 'dist');
const loaded = new Map();

function load(name) {
  if (loaded.has(name)) return loaded.get(name).exports;
  const file = path.join(dist, name);
  const cacheFile = `${file}.${process.version}.cache`;
  let cachedData;
  try { cachedData = fs.readFileSync(cacheFile); } catch { /* not cached yet */ }
  const script = new vm.Script(wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    // Written at exit, so the functions this run compiled are in it too.
    process.once('exit', () => {
      try {
        const temp = `${cacheFile}.${process.pid}`;
        fs.writeFileSync(temp, script.createCachedData());
        fs.renameSync(temp, cacheFile);
      } catch { /* read-only install */ }
    });
  }
  const module_ = { exports: {} };
  loaded.set(name, module_);
  // The bundles require each other by './name.cjs'; everything else is Node's.
  const localRequire = (id) => (id.startsWith('./') ? load(id.slice(2)) : require(id));
  script.runInThisContext()(module_.exports, localRequire, module_, file, dist);
  return module_.exports;
}

load('gpt.cjs');
