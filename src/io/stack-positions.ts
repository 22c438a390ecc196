import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';

/**
 * Rewrites a stack's positions in the bundles (`dist/runtime.cjs:182:12111`) as positions in the
 * sources (`src/llm/openai.ts:40:7`), read from the bundles' .map files. Node's own
 * --enable-source-maps does not reach code that bin/gpt.cjs runs through vm.Script (its code cache).
 */
export function sourcePositions(stack: string): string {
  return stack.replace(/(\/[^\s():]+\.cjs):(\d+):(\d+)/g, (whole, file: string, line: string, column: string) => {
    const map = sourceMap(file);
    const entry = map?.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry || !('originalSource' in entry) || !entry.originalSource) return whole;
    const source = resolve(dirname(file), entry.originalSource.replace(/^file:\/\//, ''));
    return `${relative(resolve(dirname(file), '..'), source)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

const maps = new Map<string, SourceMap | undefined>();

function sourceMap(file: string): SourceMap | undefined {
  if (!maps.has(file)) {
    let map: SourceMap | undefined;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      map = undefined; // no map beside it: leave the position as it is
    }
    maps.set(file, map);
  }
  return maps.get(file);
}
