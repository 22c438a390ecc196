// gpt batch throughput and memory, against the bench's fake chat server (run after `npm run build`).
//   node test/bench/batch.js          prints the figures
//   node test/bench/batch.js slow-item    only the slow-item row (also: throughput, memory)
//   benchBatch()                      returns rows for test/bench/run.js
//
// Throughput: 1,000 prompts answered after 100 ms each at -j 16, as a ratio of the ideal
// wall time (items x latency / concurrency).
// Memory: peak RSS of the whole process at 1,000 and at 20,000 items (answered after 10 ms,
// to keep the run short). A bare loop of the same requests through the OpenAI SDK, holding
// nothing, is measured the same way: V8 sizes its heap to the allocation rate over the
// first few thousand requests, so even that loop's peak RSS rises from 1,000 to 20,000.
// gpt batch should rise no more than it does.
// A slow item: 300 prompts answered after 50 ms, ten of them (every 30th) after 2 s, at
// -j 4, against the ideal (the total latency / 4, about 8.6 s). A slow item may hold back
// the output, never the sending.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startBenchServer } from './fake-chat.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const GPT = join(here, '..', '..', 'bin', 'gpt.cjs');
const STATS = join(here, 'process-stats.cjs');
const RUNS = Number(process.env.BENCH_BATCH_RUNS || 3);
const CONCURRENCY = 16;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function repeat(times, work) {
  const values = [];
  for (let i = 0; i < times; i++) values.push(await work());
  return values;
}

function writePrompts(file, count) {
  const lines = [];
  for (let i = 1; i <= count; i++) lines.push(JSON.stringify({ id: `q${i}`, prompt: `Question ${i}: what is the biggest animal in the world?` }));
  writeFileSync(file, `${lines.join('\n')}\n`);
}

const SLOW = { items: 300, fastMs: 50, slowMs: 2000, every: 30, concurrency: 4 };
const slowPrompt = (prompt) => Number(/^Question (\d+):/.exec(prompt)?.[1]) % SLOW.every === 1;

/** The same requests as gpt batch sends, through the SDK alone: 16 at a time, nothing kept. */
function writeSdkLoop(file) {
  const sdk = pathToFileURL(createRequire(import.meta.url).resolve('openai')).href;
  writeFileSync(
    file,
    `
    import OpenAI from ${JSON.stringify(sdk)};
    const [url, count] = [process.argv[2], Number(process.argv[3])];
    const client = new OpenAI({ apiKey: 'sk-bench', baseURL: url, logLevel: 'off' });
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const i = ++next;
        await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Question ' + i + ': what is the biggest animal in the world?' }] });
      }
    };
    await Promise.all(Array.from({ length: ${CONCURRENCY} }, worker));
  `,
  );
}

/**
 * Runs a node script; resolves to its wall time (ms) and peak RSS (MiB, from process-stats.cjs).
 * Asynchronous: the fake server answers from this process.
 */
function measure(args, env, dir) {
  const statsFile = join(dir, `stats-${Math.random().toString(36).slice(2)}`);
  const started = performance.now();
  const child = spawn(process.execPath, ['--require', STATS, ...args], { env: { ...env, BENCH_STATS_FILE: statsFile }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`${args.join(' ')} failed (${code}): ${stderr}`));
      const rssKiB = Number(readFileSync(statsFile, 'utf8').trim().split(' ')[0]);
      resolve({ ms, rssMiB: rssKiB / 1024 });
    });
  });
}

export async function benchBatch({ only } = {}) {
  const want = (part) => only === undefined || only === part;
  const dir = mkdtempSync(join(tmpdir(), 'gpt-bench-batch-'));
  const env = (url) => ({
    PATH: process.env.PATH,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_CACHE_HOME: join(dir, 'cache'),
    OPENAI_API_KEY: 'sk-bench-not-a-real-key',
    OPENAI_BASE_URL: url,
  });
  const rows = [];
  const slow = await startBenchServer({ latencyMs: 100 });
  const quick = await startBenchServer({ latencyMs: 10 });
  const stalls = await startBenchServer({ latencyMs: (prompt) => (slowPrompt(prompt) ? SLOW.slowMs : SLOW.fastMs) });
  const inputs = { 300: join(dir, 'prompts-300.jsonl'), 1000: join(dir, 'prompts-1000.jsonl'), 20000: join(dir, 'prompts-20000.jsonl') };
  const sdkLoop = join(dir, 'sdk-loop.mjs');
  const out = join(dir, 'out.jsonl');
  const gptBatch = async (url, count, concurrency = CONCURRENCY) => {
    rmSync(out, { force: true });
    const run = await measure([GPT, 'batch', inputs[count], '-j', String(concurrency), '-o', out, '-q'], env(url), dir);
    const lines = readFileSync(out, 'utf8').trim().split('\n').length;
    if (lines !== count) throw new Error(`expected ${count} results, got ${lines}`);
    return run;
  };
  try {
    writePrompts(inputs[300], 300);
    writePrompts(inputs[1000], 1000);
    writePrompts(inputs[20000], 20000);
    writeSdkLoop(sdkLoop);

    await gptBatch(slow.url, 1000); // warm-up (and the code cache)
    if (want('throughput')) {
      const ideal = (1000 * 100) / CONCURRENCY;
      const wall = median((await repeat(RUNS, () => gptBatch(slow.url, 1000))).map((r) => r.ms));
      rows.push({
        name: 'gpt batch: 1,000 prompts at 100 ms, -j 16  vs  ideal (items x latency / j)',
        value: wall,
        baseline: ideal,
        ratio: wall / ideal,
        target: 1.2,
        unit: 'ms',
        note: `median of ${RUNS} runs, the whole process including start-up`,
      });
    }

    if (want('slow-item')) {
      const slowCount = SLOW.items / SLOW.every;
      const slowIdeal = ((SLOW.items - slowCount) * SLOW.fastMs + slowCount * SLOW.slowMs) / SLOW.concurrency;
      const stalled = median((await repeat(RUNS, () => gptBatch(stalls.url, SLOW.items, SLOW.concurrency))).map((r) => r.ms));
      rows.push({
        name: `gpt batch: ${SLOW.items} prompts at ${SLOW.fastMs} ms, ${slowCount} of them at ${SLOW.slowMs} ms, -j ${SLOW.concurrency}  vs  ideal`,
        value: stalled,
        baseline: slowIdeal,
        ratio: stalled / slowIdeal,
        target: 1.2,
        unit: 'ms',
        note: `median of ${RUNS} runs: slow items hold back the output, not the sending`,
      });
    }

    if (want('memory')) {
      const rss = async (run) => median((await repeat(RUNS, run)).map((r) => r.rssMiB));
      const gptSmall = await rss(() => gptBatch(quick.url, 1000));
      const gptLarge = (await gptBatch(quick.url, 20000)).rssMiB;
      const sdkSmall = await rss(() => measure([sdkLoop, quick.url, '1000'], env(quick.url), dir));
      const sdkLarge = (await measure([sdkLoop, quick.url, '20000'], env(quick.url), dir)).rssMiB;
      const sdkGrowth = sdkLarge / sdkSmall;
      rows.push({
        name: 'peak RSS: gpt batch 20,000 items  vs  1,000 items',
        value: gptLarge,
        baseline: gptSmall,
        ratio: gptLarge / gptSmall,
        target: Number(sdkGrowth.toFixed(2)),
        unit: 'MiB',
        note: 'target: no more growth than the bare SDK loop below',
      });
      rows.push({
        name: 'peak RSS: bare SDK loop 20,000 requests  vs  1,000 (reference)',
        value: sdkLarge,
        baseline: sdkSmall,
        ratio: sdkGrowth,
        unit: 'MiB',
        note: 'the same requests, 16 at a time, nothing kept: V8 heap sizing alone',
      });
    }
  } finally {
    await slow.close();
    await quick.close();
    await stalls.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const fmt = (n, unit) => (unit === 'MiB' ? `${n.toFixed(1)} MiB` : `${n.toFixed(0)} ms`);
  for (const r of await benchBatch({ only: process.argv[2] })) {
    const verdict = r.target === undefined ? '' : ` (target ≤ ${r.target}) ${r.ratio <= r.target ? '✓' : '✗'}`;
    console.log(`${r.name}: ${fmt(r.value, r.unit)} vs ${fmt(r.baseline, r.unit)} = ${r.ratio.toFixed(2)}${verdict}\n  ${r.note}`);
  }
}
