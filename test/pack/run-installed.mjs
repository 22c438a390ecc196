// Runs an installed gpt (argv[2]) with a fresh HOME (argv[3]): `gpt --version`, then
// `gpt ask` against the bench's fake chat server on 127.0.0.1, then `gpt thread list`.
// Exits non-zero on any surprise.
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startBenchServer } from '../bench/fake-chat.js';

const [gpt, home] = process.argv.slice(2);
mkdirSync(home, { recursive: true });
const run = promisify(execFile);
const server = await startBenchServer();
try {
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CACHE_HOME: join(home, 'cache'),
    OPENAI_API_KEY: 'sk-pack-check',
    OPENAI_BASE_URL: server.url,
  };
  const { version } = await import('../../package.json', { with: { type: 'json' } }).then((m) => m.default);
  const shown = (await run(gpt, ['--version'], { env })).stdout.trim();
  if (shown !== version) throw new Error(`gpt --version printed "${shown}", expected "${version}"`);
  const reply = (await run(gpt, ['ask', '--no-stdin', 'What is the biggest animal?'], { env })).stdout;
  if (!reply.includes('blue whale')) throw new Error(`gpt ask printed "${reply}"`);
  // The small bundle lists threads; a thread it has not listed before needs YAML, required
  // from the installed package's dependencies.
  const list = (await run(gpt, ['thread', 'list'], { env })).stdout;
  if (!list.includes('What is the biggest animal?')) throw new Error(`gpt thread list printed "${list}"`);
} finally {
  await server.close();
}
