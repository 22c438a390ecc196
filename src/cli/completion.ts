import { Argument, Command, type Option } from 'commander';
import { DYNAMIC_KINDS, SHELLS, type CommandSpec, type Shell, type ValueKind } from '../core/completion-script.js';
import { EFFORTS } from '../core/model-table.js';
import type { CliContext } from './options.js';

/**
 * What completes a flag's value, by the flag's long name; flags not here complete nothing
 * (free text), unless commander knows their choices. The seam for what is still to come:
 * when endpoint profiles (`--endpoint NAME`) and templates get their flags, name them here
 * with { dynamic: 'profiles' } and { dynamic: 'templates' } (commands/complete.ts lists them).
 */
const FLAG_VALUES: Record<string, ValueKind> = {
  '--model': { dynamic: 'models' },
  '--thread': { dynamic: 'threads' },
  '--endpoint': { dynamic: 'profiles' },
  '--reasoning-effort': { choices: EFFORTS },
  '--output': 'files',
  '--template-file': 'files',
  '--template': { dynamic: 'templates' },
  '--schema': 'files',
  '--file': 'files',
  '--attach': 'files',
};

/** What completes the positional arguments of a command, by its path. */
const ARG_VALUES: Record<string, ValueKind> = {
  'thread show': { dynamic: 'threads' },
  'thread rm': { dynamic: 'threads' },
  'thread mv': { dynamic: 'threads' },
  'thread fork': { dynamic: 'threads' },
  'thread path': { dynamic: 'threads' },
  'thread export': { dynamic: 'threads' },
  'template show': { dynamic: 'templates' },
  'template edit': { dynamic: 'templates' },
  'template path': { dynamic: 'templates' },
  batch: 'files',
};

/** Every visible command (and alias) of the program, as completion sees it. */
export function describeProgram(root: Command): CommandSpec[] {
  const specs: CommandSpec[] = [];
  const visit = (command: Command, names: string[]) => {
    const visible = command.commands.filter((c) => !(c as unknown as { _hidden: boolean })._hidden);
    for (const path of names) {
      const argChoices = command.registeredArguments[0]?.argChoices;
      specs.push({
        path,
        subcommands: visible.flatMap((c) => [c.name(), ...c.aliases()]),
        flags: [...command.options.flatMap(spellings), '--help'],
        values: Object.fromEntries(command.options.filter(takesValue).flatMap((o) => spellings(o).map((s) => [s, valueKind(o)]))),
        args: ARG_VALUES[path] ?? (argChoices ? { choices: argChoices } : 'text'),
      });
    }
    for (const sub of visible) {
      const prefixes = names.map((n) => (n ? `${n} ` : ''));
      visit(
        sub,
        prefixes.flatMap((p) => [sub.name(), ...sub.aliases()].map((n) => `${p}${n}`)),
      );
    }
  };
  visit(root, ['']);
  return specs;
}

const spellings = (o: Option) => [o.long, o.short].filter((s): s is string => s !== undefined);
const takesValue = (o: Option) => o.required || o.optional;
const valueKind = (o: Option): ValueKind => (o.long && FLAG_VALUES[o.long]) || (o.argChoices ? { choices: o.argChoices } : 'text');

/** `gpt completion SHELL`, and the hidden `gpt __complete KIND` its scripts call on Tab. */
export function completionCommands(context: CliContext): { completion: Command; complete: Command } {
  const completion = new Command('completion')
    .description('print a shell completion script (see README: Shell completion)')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(SHELLS))
    .addHelpText(
      'after',
      `
Examples:
  source <(gpt completion bash)                          # in ~/.bashrc
  source <(gpt completion zsh)                           # in ~/.zshrc, after compinit
  gpt completion fish > ~/.config/fish/completions/gpt.fish`,
    )
    .action(async (shell: Shell, _raw: unknown, command: Command) => {
      const { SCRIPTS } = await import('../core/completion-script.js');
      const root = command.parent as Command;
      await context.quick(async (deps) => deps.out(SCRIPTS[shell](describeProgram(root))));
    });

  // Loads no SDK, no YAML and no config: each Tab waits for it.
  const complete = new Command('__complete').addArgument(new Argument('<kind>').choices(DYNAMIC_KINDS)).action(async (kind: (typeof DYNAMIC_KINDS)[number]) => {
    const { runComplete } = await import('../commands/complete.js');
    await context.quick((deps) => runComplete({ kind }, deps));
  });
  return { completion, complete };
}
