// npm run bench: start-up, request overhead, memory and long-thread cost of the built
// gpt, each against a baseline measured in the same run. Runs are interleaved so that
// changes in machine load hit both sides alike; every figure is a median. Wall time is
// what a user waits; CPU time (user + system) is steadier when the machine is busy.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { startBenchServer } from './fake-chat.js';

const here = fileURLToPath(new URL('.', import.meta.url));
// BENCH_GPT: another gpt to measure (an installed package, an older build).
const GPT = process.env.BENCH_GPT || join(here, '..', '..', 'bin', 'gpt.cjs');
const BARE = join(here, 'bare-fetch.mjs');
const STATS = join(here, 'process-stats.cjs');
const RUNS = Number(process.env.BENCH_RUNS || 21);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One run: wall time, CPU time and peak RSS. Asynchronous, so the fake server here keeps answering. */
function runOnce(args, env) {
  const statsFile = join(mkdtempSync(join(tmpdir(), 'gpt-bench-stats-')), 'stats');
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--require', STATS, ...args], { env: { ...env, BENCH_STATS_FILE: statsFile }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`${args.join(' ')} failed (${code}): ${stderr}`));
      const [rssKiB, cpuMs] = readFileSync(statsFile, 'utf8').trim().split(' ').map(Number);
      rmSync(statsFile, { force: true });
      resolve({ wallMs, cpuMs, rssMiB: rssKiB / 1024 });
    });
  });
}

/** Medians of each command, run alternately; the first run of each is a warm-up. */
async function compare(commands, runs = RUNS) {
  const samples = commands.map(() => []);
  for (const c of commands) await runOnce(c.args(0), c.env);
  for (let i = 1; i <= runs; i++) {
    for (const [j, c] of commands.entries()) samples[j].push(await runOnce(c.args(i), c.env));
  }
  return samples.map((s) => ({
    wallMs: median(s.map((x) => x.wallMs)),
    cpuMs: median(s.map((x) => x.cpuMs)),
    rssMiB: median(s.map((x) => x.rssMiB)),
  }));
}

/** A thread of `turns` question/answer pairs (~470 bytes a turn), in the layout gpt writes. */
function writeLongThread(file, turns) {
  const messages = [];
  const time = new Date().toISOString();
  for (let i = 0; i < turns; i++) {
    messages.push({ role: 'user', content: `Question ${i}: what is the biggest animal in the world, and why is it so big?`, time });
    messages.push({
      role: 'assistant',
      content: `The biggest animal in the world is the blue whale.\nIt can grow up to 30 metres long and weigh as much as 200 tonnes (${i}).`,
      model: 'gpt-4o-mini',
      finish_reason: 'stop',
      usage: { prompt_tokens: 20, completion_tokens: 40, total_tokens: 60 },
      time,
    });
  }
  writeFileSync(file, YAML.stringify({ version: 1, model: 'gpt-4o-mini', created: time, updated: time, messages }, { lineWidth: 0 }), { mode: 0o600 });
}

const rows = [];
/** A row per figure: gpt's value, the baseline's, their ratio and the target ratio. */
function addRows(name, [base, gpt], targets) {
  rows.push({ name: `${name} (wall)`, value: gpt.wallMs, baseline: base.wallMs, target: targets.time, unit: 'ms' });
  rows.push({ name: `${name} (CPU)`, value: gpt.cpuMs, baseline: base.cpuMs, target: targets.time, unit: 'ms' });
  if (targets.rss) rows.push({ name: `${name} (peak RSS)`, value: gpt.rssMiB, baseline: base.rssMiB, target: targets.rss, unit: 'MiB' });
}

const server = await startBenchServer();
const home = mkdtempSync(join(tmpdir(), 'gpt-bench-'));
const env = {
  PATH: process.env.PATH,
  HOME: home,
  XDG_CONFIG_HOME: join(home, 'config'),
  XDG_DATA_HOME: join(home, 'data'),
  XDG_CACHE_HOME: join(home, 'cache'),
  OPENAI_API_KEY: 'sk-bench-not-a-real-key',
  OPENAI_BASE_URL: server.url,
};
const threads = join(home, 'data', 'gpt', 'threads');
mkdirSync(threads, { recursive: true, mode: 0o700 });
// BENCH_ONLY=startup measures start-up alone (the figures shell completion depends on).
const startupOnly = process.env.BENCH_ONLY === 'startup';
try {
  // 50 short threads: what `thread list` reads and shell completion's `__complete threads` lists.
  for (let i = 0; i < 50; i++) writeLongThread(join(threads, `thread-${i}.yaml`), 2);
  const [bare, version, list, path, complete] = await compare([
    { args: () => ['-e', '0'], env },
    { args: () => [GPT, '--version'], env },
    { args: () => [GPT, 'thread', 'list'], env },
    { args: () => [GPT, 'thread', 'path', 'thread-7'], env },
    // What a Tab on `gpt thread show <TAB>` waits for (flags and subcommands start no process).
    { args: () => [GPT, '__complete', 'threads'], env },
  ]);
  addRows('gpt --version vs node -e 0', [bare, version], { time: 1.15 });
  addRows('gpt thread list (50 threads) vs node -e 0', [bare, list], { time: 1.25 });
  addRows('gpt thread path NAME vs node -e 0', [bare, path], { time: 1.25 });
  addRows('gpt __complete threads (a Tab) vs node -e 0', [bare, complete], { time: 1.25 });
  if (!startupOnly) await benchRequests();
} finally {
  await server.close();
  rmSync(home, { recursive: true, force: true });
}

/** Request overhead, long threads and batch: each against its own baseline. */
async function benchRequests() {
  addRows(
    'gpt ask hi vs bare fetch',
    await compare([
      { args: () => [BARE], env },
      { args: () => [GPT, 'ask', '--no-stdin', 'hi'], env },
    ]),
    { time: 1.2, rss: 1.1 },
  );

  writeLongThread(join(threads, 'long.yaml'), 1000);
  const kib = Math.round(readFileSync(join(threads, 'long.yaml')).length / 1024);
  addRows(
    `ask --thread of 1,000 turns (${kib} KiB) vs new thread`,
    await compare([
      { args: (i) => [GPT, 'ask', '--no-stdin', '--thread', `fresh-${i}`, 'hi'], env },
      { args: () => [GPT, 'ask', '--no-stdin', '--thread', 'long', 'hi'], env },
    ]),
    { time: 1.3 },
  );

  // Counting the thread's tokens against a window it fits (so all are sent) vs sending it
  // uncounted (--context all: what ask --thread did before counting). The window must be the
  // thread's model's (gpt-4o-mini): for a model without one nothing is counted at all.
  const counting = { ...env, XDG_CONFIG_HOME: join(home, 'config-counting') };
  mkdirSync(join(counting.XDG_CONFIG_HOME, 'gpt'), { recursive: true });
  writeFileSync(
    join(counting.XDG_CONFIG_HOME, 'gpt', 'config.yaml'),
    'models:\n  gpt-4o-mini:\n    context_window: 200000\n  gpt-5.4-mini:\n    context_window: 200000\n',
    { mode: 0o600 },
  );
  addRows(
    'ask --thread of 1,000 turns: tokens counted vs not (--context all)',
    await compare([
      { args: () => [GPT, 'ask', '--no-stdin', '--context', 'all', '--thread', 'long', 'hi'], env: counting },
      { args: () => [GPT, 'ask', '--no-stdin', '--thread', 'long', 'hi'], env: counting },
    ]),
    { time: 1.1 },
  );

  const { benchMarkdown } = await import('./markdown.js');
  for (const r of await benchMarkdown()) rows.push(r);

  if (existsSync(join(here, 'batch.js'))) {
    const { benchBatch } = await import('./batch.js');
    for (const r of await benchBatch()) rows.push(r);
  }
}

const fmt = (n, unit) => (n === undefined ? '' : `${n.toFixed(unit === 'ms' ? 1 : unit === 'tok/s' ? 0 : 2)}${unit ? ` ${unit}` : ''}`);
console.log(`gpt benchmark: node ${process.version}, ${RUNS} interleaved runs a figure, medians\n`);
console.log('| measure | gpt | baseline | ratio | target |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  const ratio = r.ratio ?? (r.baseline === undefined ? undefined : r.value / r.baseline);
  const verdict = r.target === undefined || ratio === undefined ? '' : ratio <= r.target ? ' ok' : ' OVER';
  console.log(
    `| ${r.name} | ${fmt(r.value, r.unit)} | ${fmt(r.baseline, r.unit)} | ${ratio === undefined ? '' : ratio.toFixed(2)}${verdict} | ${r.target ?? ''} |`,
  );
}
