// Bundles src/ into dist/: one small entry file plus chunks loaded on demand
// (the SDK, YAML and the spinner are imported lazily), so `gpt --version` starts fast.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: { gpt: 'src/bin.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  chunkNames: 'chunks/[name]-[hash]',
  define: { __GPT_VERSION__: JSON.stringify(version) },
  // Bundled CommonJS dependencies use require() for Node built-ins, and __filename.
  banner: {
    js: [
      "import { createRequire as __gptRequire } from 'node:module';",
      "import { fileURLToPath as __gptPath } from 'node:url';",
      'const require = __gptRequire(import.meta.url);',
      'const __filename = __gptPath(import.meta.url);',
    ].join(' '),
  },
  logLevel: 'warning',
});
