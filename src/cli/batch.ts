import { Command } from 'commander';
import type { CliContext } from './options.js';

export function batchCommand(_context: CliContext): Command {
  return new Command('batch').description('(not built yet)');
}
