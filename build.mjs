// Bundles src/ into one CommonJS file, dist/gpt.cjs. Modules reached by a dynamic
// import() (the SDK, YAML, the spinner, each command) are only evaluated when used,
// so `gpt --version` does not pay for them. bin/gpt.cjs loads it with V8's code cache.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

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
  sourcemap: 'linked',
  legalComments: 'none',
  define: { __GPT_VERSION__: JSON.stringify(version) },
  logLevel: 'warning',
});
