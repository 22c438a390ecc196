// Tokens per second through the terminal Markdown renderer (src/io/markdown.ts) against
// the raw path, in-process: a long reply fed in token-sized pieces, as a fast local model
// streams it. The renderer must stay far above what any model streams (~50-300 tokens/s).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A reply of every kind of block, about 4,000 tokens. */
function longReply() {
  const section = (i) =>
    [
      `## Part ${i}`,
      '',
      `The *blue* whale is the **biggest** animal (${i}); see [the notes](https://example.org/${i}).`,
      '',
      '| Whale | Length | Notes |',
      '|---|---|---|',
      '| Blue | 30 m | the largest known |',
      '| Fin | 26 m | fast |',
      '',
      '```python',
      `def length(whale): return {"blue": 30, "fin": 26}[whale] * ${i}`,
      '```',
      '',
      '- krill',
      '- small fish',
      '',
    ].join('\n');
  return Array.from({ length: 40 }, (_, i) => section(i)).join('\n');
}

/** ~4 characters a token, as OpenAI's tokenizers average on English. */
const tokens = (text) => text.match(/[\s\S]{1,4}/g);

export async function benchMarkdown() {
  const dir = mkdtempSync(join(tmpdir(), 'gpt-bench-md-'));
  try {
    const outfile = join(dir, 'markdown.mjs');
    await build({
      entryPoints: [join(root, 'src/io/markdown.ts')],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      logLevel: 'warning',
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    });
    process.env.FORCE_COLOR ??= '3'; // colours and highlighting as on a terminal
    const { loadMarkdown } = await import(outfile);
    const makeFilter = await loadMarkdown(80);
    const pieces = tokens(longReply());
    const rate = (run) => {
      const rates = [];
      for (let i = 0; i < 7; i++) {
        const started = performance.now();
        run();
        rates.push(pieces.length / ((performance.now() - started) / 1000));
      }
      return rates.sort((a, b) => a - b)[3];
    };
    let sink = 0;
    const drawn = rate(() => {
      const filter = makeFilter();
      for (const piece of pieces) sink += filter.push(piece).length;
      sink += filter.end().length;
    });
    const raw = rate(() => {
      for (const piece of pieces) sink += piece.length;
    });
    if (sink < 0) console.log(sink); // keeps the work from being optimised away
    return [{ name: `Markdown drawn vs raw (${pieces.length} tokens, tokens/s)`, value: drawn, baseline: raw, unit: 'tok/s' }];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Alone: node test/bench/markdown.js
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await benchMarkdown()) console.log(`${r.name}: ${Math.round(r.value)} drawn, ${Math.round(r.baseline)} raw`);
}
