// Bundles src/ into two CommonJS files:
//   dist/gpt.cjs      the entry: the command line's definition (commander, flags, help)
//   dist/runtime.cjs  everything a command runs (src/run.ts), loaded only then
// so `gpt --version` and `gpt --help` do not load the SDK, YAML or the commands.
// Inside the runtime, modules reached by a dynamic import() (the SDK, YAML, the
// spinner) are evaluated only when used. bin/gpt.cjs loads both through V8's code cache.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { startBenchServer } from './test/bench/fake-chat.js';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const src = resolve('src');

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  keepNames: true, // the SDK builds its User-Agent from its class name; stacks keep function names
  sourcemap: 'linked',
  legalComments: 'none',
  define: { __GPT_VERSION__: JSON.stringify(version) },
  logLevel: 'warning',
};

/**
 * In the entry, the commands and src/run.ts are the runtime bundle, required on first
 * use (a plain require(), which bin/gpt.cjs serves from its code cache; an external
 * import() would bypass it).
 */
const runtimeIsSeparate = {
  name: 'runtime-is-separate',
  setup(builder) {
    builder.onResolve({ filter: /^\./ }, (args) => {
      const target = resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
      const inRuntime = target === join(src, 'run.ts') || target.startsWith(join(src, 'commands') + '/');
      return inRuntime ? { path: 'runtime', namespace: 'gpt-runtime' } : undefined;
    });
    builder.onLoad({ filter: /.*/, namespace: 'gpt-runtime' }, () => ({
      contents: "module.exports = require('./runtime.cjs');",
      loader: 'js',
    }));
  },
};

/**
 * commander loads node:child_process at start-up only to spawn executable subcommands,
 * which gpt does not have; loading it on first use saves that cost on every start.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(builder) {
    builder.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes(`${join('node_modules', 'commander')}`) ? { path: 'child_process', namespace: 'lazy-child-process' } : undefined);
    builder.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents: "module.exports = { spawn: (...args) => require('node:child_process').spawn(...args) };",
      loader: 'js',
    }));
  },
};

rmSync('dist', { recursive: true, force: true });
await Promise.all([
  build({ ...common, entryPoints: ['src/run.ts'], outfile: 'dist/runtime.cjs' }),
  build({ ...common, entryPoints: ['src/bin.ts'], outfile: 'dist/gpt.cjs', plugins: [runtimeIsSeparate, lazyChildProcess], external: ['./runtime.cjs'] }),
]);

// Train the code caches with one real `gpt ask` against a local fake server, so they
// hold the functions a request runs, not only the start-up path. A failure costs speed only.
const server = await startBenchServer();
const home = mkdtempSync(join(tmpdir(), 'gpt-build-'));
try {
  await promisify(execFile)(process.execPath, ['bin/gpt.cjs', 'ask', '--no-stdin', 'hi'], {
    env: { PATH: process.env.PATH, HOME: home, OPENAI_API_KEY: 'training-run', OPENAI_BASE_URL: server.url },
  });
} catch (error) {
  console.warn(`build: no code cache (${error.message.split('\n')[0]}); gpt works, only starts slower`);
} finally {
  await server.close();
  rmSync(home, { recursive: true, force: true });
}
