// Bundles src/ into one CommonJS file, dist/gpt.cjs, that bin/gpt.cjs requires.
// Modules reached only by a dynamic import() (each command, the SDK, YAML, the spinner)
// are in the file but evaluated only when used, so `gpt --version` runs commander and
// no more, and `gpt thread list` never evaluates the SDK. Start-up speed comes from
// the compile cache that bin/gpt.cjs keeps on the user's machine, not from the build.
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: ['src/bin.ts'],
  outfile: 'dist/gpt.cjs',
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
  // import() of a builtin becomes require(): bin/gpt.cjs runs the bundle in a vm.Script on
  // Node 20, where a real import() has no loader to call.
  supported: { 'dynamic-import': false },
  alias: { 'node:child_process': './build/child-process-on-demand.cjs' },
  logLevel: 'warning',
  // undici (for HTTP(S)_PROXY only) would double the bundle, and every start-up would pay to
  // load it; it stays in node_modules (a dependency) and is required when a proxy is set.
  // The tokenizer's tables (megabytes) and the price data stay in node_modules (they are
  // dependencies): bundled, every start-up would parse them; only commands that count load them.
  external: ['undici', 'gpt-tokenizer', '@pydantic/genai-prices'],
});
