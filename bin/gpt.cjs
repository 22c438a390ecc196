#!/usr/bin/env node
'use strict';
// Runs dist/gpt.cjs through V8's code cache: compiling the bundle is a large part of
// gpt's start-up. The cache sits beside the bundle; V8 rejects a stale one (another
// bundle or Node version) and it is rebuilt. Where dist/ is read-only, nothing is cached.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { wrap } = require('node:module');

const bundle = path.join(__dirname, '..', 'dist', 'gpt.cjs');
const cacheFile = `${bundle}.${process.version}.cache`;
let cachedData;
try { cachedData = fs.readFileSync(cacheFile); } catch { /* first run */ }
const script = new vm.Script(wrap(fs.readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
if (cachedData === undefined || script.cachedDataRejected) {
  // Written at exit, so the functions this run compiled are in it too.
  process.once('exit', () => {
    try {
      const temp = `${cacheFile}.${process.pid}`;
      fs.writeFileSync(temp, script.createCachedData());
      fs.renameSync(temp, cacheFile);
    } catch { /* read-only install: run without a cache */ }
  });
}
const module_ = { exports: {} };
script.runInThisContext()(module_.exports, require, module_, bundle, path.dirname(bundle));
