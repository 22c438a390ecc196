// Bundles src/ into two CommonJS files that bin/gpt.cjs requires: dist/gpt.cjs, small, from
// src/bin.ts, which answers the command lines start-up time matters most for (--version,
// `thread list`, `thread path`, shell completion) and loads no more; and dist/cli.cjs, from
// src/main.ts, commander and every command, required only for the other lines. Reading and
// compiling a 2 MB file is most of a short command's time, even from a cache. In each file,
// modules reached only by a dynamic import() (each command, the SDK, YAML, the spinner) are
// evaluated only when used. The large file's compile cache is kept on the user's machine by
// bin/gpt.cjs; nothing of the build depends on it.
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

rmSync('dist', { recursive: true, force: true });
const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  // The SDK builds its User-Agent from a class name: minified names would change it.
  keepNames: true,
  sourcemap: 'linked',
  legalComments: 'none',
  define: { __GPT_VERSION__: JSON.stringify(version) },
  // import() of a builtin becomes require(): bin/gpt.cjs runs the large bundle in a vm.Script
  // on Node 20, where a real import() has no loader to call.
  supported: { 'dynamic-import': false },
  logLevel: 'warning',
};
// Two bundles, not chunks: esbuild splits only ESM, and Node takes milliseconds longer to
// start an ES module than a CommonJS file. The few modules both need are in both.
await build({
  ...common,
  entryPoints: ['src/bin.ts'],
  outfile: 'dist/gpt.cjs',
  // gpt's own code only: V8 compiles a bundled package's wrapper function eagerly, so YAML alone
  // (120 KB) would cost every start ~7 ms. The packages the quick lines may need (YAML for a
  // thread the list cache does not know yet) are required from node_modules (dependencies) then.
  packages: 'external',
});
await build({
  ...common,
  entryPoints: ['src/main.ts'],
  outfile: 'dist/cli.cjs',
  alias: { 'node:child_process': './build/child-process-on-demand.cjs' },
  // undici (for HTTP(S)_PROXY only) would double the bundle, and every start-up would pay to
  // load it; it stays in node_modules (a dependency) and is required when a proxy is set.
  // The tokenizer's tables (megabytes) and the price data stay in node_modules (they are
  // dependencies): bundled, every start-up would parse them; only commands that count load them.
  external: ['undici', 'gpt-tokenizer', '@pydantic/genai-prices'],
});
