// cli/quick.ts answers a few command lines without commander. It must take only lines that
// commander reads the same way, with flags those commands really have: checked here against
// the commander program itself, so a flag renamed or added there cannot drift.
import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/options.js';
import { buildProgram } from '../../src/cli/program.js';
import { quickLine } from '../../src/cli/quick.js';

const unused = async () => {
  throw new Error('not run in this test');
};
const program = buildProgram({ run: unused, runFolder: unused, quick: unused } as CliContext, '0.0.0');
const command = (...path: string[]) => path.reduce<Command>((at, name) => at.commands.find((c) => c.name() === name || c.aliases().includes(name))!, program);
const spellings = (c: Command) => c.options.flatMap((o: Option) => [o.long, o.short]).filter(Boolean);

describe('the command lines answered without commander', () => {
  it.each([
    [['__complete', 'threads']],
    [['__complete', 'models']],
    [['thread', 'list']],
    [['thread', 'ls', '--json']],
    [['thread', 'list', '-q', '--verbose', '--json']],
    [['thread', 'path', 'whales']],
    [['thread', 'path', '--quiet', 'whales']],
  ])('takes %j', (argv) => {
    expect(quickLine(argv)).toBeTypeOf('function');
  });

  it.each([
    [[]],
    [['--version', '--verbose']],
    [['__complete']],
    [['__complete', 'nothing']],
    [['__complete', 'threads', 'more']],
    [['thread']],
    [['thread', 'show']],
    [['thread', 'list', '--help']],
    [['thread', 'list', 'extra']],
    [['thread', 'list', '--json=1']],
    [['thread', 'path']],
    [['thread', 'path', 'a', 'b']],
    [['thread', 'path', 'whales', '--json']],
    [['thread', 'path', '--', 'whales']],
    [['ask', 'thread', 'list']],
  ])('leaves %j to commander', (argv) => {
    expect(quickLine(argv)).toBeUndefined();
  });

  it('takes only flags that commander gives those commands', () => {
    const candidates = ['-q', '--quiet', '--verbose', '--json', '--last', '--raw', '-V', '-h', '--help'];
    for (const [path, args] of [
      [['thread', 'list'], []],
      [['thread', 'ls'], []],
      [['thread', 'path'], ['whales']],
    ] as const) {
      const taken = candidates.filter((flag) => quickLine([...path, flag, ...args]) !== undefined);
      expect(taken.length, path.join(' ')).toBeGreaterThan(0);
      for (const flag of taken) expect(spellings(command(...path)), `${path.join(' ')} ${flag}`).toContain(flag);
    }
  });
});
