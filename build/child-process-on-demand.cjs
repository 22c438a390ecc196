'use strict';
// node:child_process, loaded when first used. commander requires it when it is loaded but
// uses it only to run executable subcommands (`gpt-foo` files), which gpt has none of;
// loading it (and net, dgram) costs every command a few ms. build.mjs aliases
// node:child_process to this file; the plain name below is not aliased.
let real;
const load = () => (real ??= require('child_process'));
module.exports = new Proxy(
  {},
  {
    get: (_, key) => load()[key],
    has: (_, key) => key in load(),
    ownKeys: () => Reflect.ownKeys(load()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
  },
);
