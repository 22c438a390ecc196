import { CommanderError, type Command } from 'commander';
import { pairParams } from './cli/params.js';
import { buildProgram } from './cli/program.js';
import type { CliContext } from './cli/options.js';
import { ExitCode, usageError } from './core/errors.js';
import { redact } from './core/secrets.js';
import { VERSION } from './core/version.js';
import { reportError } from './io/report-error.js';
import type { Process } from './process.js';

/** The composition root: parses the command line, runs the command, returns the exit code. */
export async function main(proc: Process): Promise<number> {
  const writeErr = (text: string) => proc.stderr.write(redact(text, proc.env.OPENAI_API_KEY));
  let exitCode: number = ExitCode.ok;
  let usageProblem = '';
  let usageHint = '';

  const context: CliContext = {
    async run(common, command) {
      const { runCommand } = await import('./run.js');
      exitCode = await runCommand(proc, common, command);
    },
    async runFolder(common, command) {
      const { runFolderCommand } = await import('./run-folder.js');
      exitCode = await runFolderCommand(proc, common, command);
    },
    async quick(command) {
      const { quickDeps } = await import('./commands/complete.js');
      await command(await quickDeps(proc.env, proc.stdout));
    },
  };

  const program = buildProgram(context, VERSION);
  // addCommand() does not pass these settings down, so every command gets them.
  const configure = (command: Command): void => {
    command.exitOverride().configureOutput({
      writeOut: (text) => proc.stdout.write(text),
      writeErr,
      // Commander's "error: ..." becomes our one-line form, printed below as every error is.
      outputError: (text) => {
        usageProblem = text
          .replace(/^error: /, '')
          .trim()
          .replace(/\s*\n\s*/g, ' ');
        usageHint = `see ${commandPath(command)} --help`;
      },
    });
    command.commands.forEach(configure);
  };
  configure(program);
  try {
    await program.parseAsync(pairParams(proc.argv), { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      const done = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
      if (done) return ExitCode.ok;
      // --json promises one object on stdout, even when the command line itself is wrong.
      // No stack: it would show commander's parser, not a cause.
      return reportError(usageError(usageProblem, usageHint), {
        stdout: (text) => void proc.stdout.write(text),
        stderr: writeErr,
        secret: proc.env.OPENAI_API_KEY,
        json: proc.argv.includes('--json'),
        verbose: false,
      });
    }
    throw error;
  }
  return exitCode;
}

/** `gpt`, `gpt ask`, `gpt thread rm`: what to put before --help. */
function commandPath(command: Command): string {
  return command.parent ? `${commandPath(command.parent)} ${command.name()}` : command.name();
}
