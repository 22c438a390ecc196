import { Command } from 'commander';
import { commonOptions, type CliContext } from './options.js';

const EXAMPLES = `
Examples:
  gpt template edit summary          # opens $EDITOR on a new template
  gpt ask -T summary < notes.txt
  gpt ask -T translate -p lang French "Good morning"

Templates are $XDG_CONFIG_HOME/gpt/templates/NAME.yaml (README "Saved templates").`;

interface Raw {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

export function templateCommand(context: CliContext): Command {
  const load = () => import('../commands/template.js');
  const run = (raw: Raw, command: Parameters<CliContext['run']>[1]) => context.run(commonOptions(raw), command);
  const list = new Command('list')
    .alias('ls')
    .description('list saved templates')
    .option('--json', 'print a JSON array of names')
    .action(async (raw: Raw) => {
      const { runTemplateList } = await load();
      await run(raw, (deps) => runTemplateList({ json: raw.json ?? false }, deps));
    });
  const show = new Command('show')
    .description('print a template')
    .argument('<name>', 'the template')
    .action(async (name: string, raw: Raw) => {
      const { runTemplateShow } = await load();
      await run(raw, (deps) => runTemplateShow({ name }, deps));
    });
  const edit = new Command('edit')
    .description('edit a template in $VISUAL or $EDITOR (made if new)')
    .argument('<name>', 'the template')
    .action(async (name: string, raw: Raw) => {
      const { runTemplateEdit } = await load();
      await run(raw, (deps) => runTemplateEdit({ name }, deps));
    });
  const path = new Command('path')
    .description("print a template's file path")
    .argument('<name>', 'the template')
    .action(async (name: string, raw: Raw) => {
      const { runTemplatePath } = await load();
      await run(raw, (deps) => runTemplatePath({ name }, deps));
    });
  return new Command('template')
    .description('saved prompt templates: list, show, edit, path')
    .addHelpText('after', EXAMPLES)
    .addCommand(list)
    .addCommand(show)
    .addCommand(edit)
    .addCommand(path);
}
