import { Command } from 'commander';
import type { CliContext } from './options.js';

export function chatCommand(_context: CliContext): Command {
  return new Command('chat').description('(not built yet)');
}
