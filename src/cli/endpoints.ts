import { Command } from 'commander';
import { addRequestOptions, commonOptions, type CliContext } from './options.js';

export function endpointsCommand(context: CliContext): Command {
  return addRequestOptions(new Command('endpoints').description('show the endpoint profiles and the settings in force, with where each came from'))
    .option('--json', 'print one JSON object')
    .action(async (raw) => {
      const { runEndpoints } = await import('../commands/endpoints.js');
      await context.run(commonOptions(raw), (deps) => runEndpoints({ json: raw.json ?? false }, deps));
    });
}
