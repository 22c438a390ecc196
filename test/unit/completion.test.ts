// The completion script's tables come from the commander program: a flag named here gets
// its values (reasoning efforts) wherever it appears. Driven by bash itself.
import { Command } from 'commander';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { describeProgram } from '../../src/cli/completion.js';
import { bashScript } from '../../src/core/completion-script.js';

const program = new Command('gpt').addCommand(new Command('ask').option('--reasoning-effort <effort>').option('-o, --output <file>').option('--json'));

async function complete(words: string[]): Promise<string[]> {
  const script = `${bashScript(describeProgram(program))}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _gpt; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = await execa('bash', ['--norc', '-c', script], { input: '' });
  return r.stdout.split('\n').filter(Boolean);
}

describe('completion tables from the program', () => {
  it('offers the reasoning efforts for --reasoning-effort', async () => {
    expect(await complete(['gpt', 'ask', '--reasoning-effort', ''])).toEqual(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']);
    expect(await complete(['gpt', 'ask', '--reasoning-effort', 'm'])).toEqual(['minimal', 'medium']);
  });

  it('skips a flag value when finding the command, and completes every spelling of a flag', async () => {
    expect(await complete(['gpt', 'ask', '--reasoning-effort', 'high', '-'])).toEqual(['--reasoning-effort', '--output', '-o', '--json', '--help']);
  });

  it('describes each command with its flags, the flags that take values, and its arguments', () => {
    const [root, ask] = describeProgram(program);
    expect(root).toMatchObject({ path: '', subcommands: ['ask'] });
    expect(ask).toMatchObject({ path: 'ask', subcommands: [], args: 'text' });
    expect(Object.keys(ask!.values)).toEqual(['--reasoning-effort', '--output', '-o']);
  });
});
