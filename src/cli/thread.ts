import { Command } from 'commander';
import type { CliContext } from './options.js';

export function threadCommand(_context: CliContext): Command {
  return new Command('thread').description('(not built yet)');
}
