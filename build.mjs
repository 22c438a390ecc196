// Bundles src/ into one CommonJS file, dist/gpt.cjs. Modules reached by a dynamic
// import() (the SDK, YAML, the spinner, each command) are only evaluated when used,
// so `gpt --version` does not pay for them. bin/gpt.cjs loads it with V8's code cache.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { startBenchServer } from './test/bench/fake-chat.js';

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

// Train the code cache with one real `gpt ask` against a local fake server, so it holds
// the functions a request runs, not only the start-up path. A failure costs speed only.
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
