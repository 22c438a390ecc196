import { Command } from 'commander';
import { addEndpointOptions, commonOptions, type CliContext } from './options.js';

export function modelsCommand(context: CliContext): Command {
  return addEndpointOptions(new Command('models').description('list the models the endpoint serves'))
    .option('--json', 'print a JSON array')
    .option('--verbose', 'log requests and show stack traces on stderr')
    .action(async (raw) => {
      const { runModels } = await import('../commands/models.js');
      await context.run(commonOptions(raw), (deps) => runModels({ json: raw.json ?? false }, deps));
    });
}
