import { Command } from 'commander';
import { askCommand } from './ask.js';
import { modelsCommand } from './models.js';
import { batchCommand } from './batch.js';
import { chatCommand } from './chat.js';
import { completionCommands } from './completion.js';
import { endpointsCommand } from './endpoints.js';
import type { CliContext } from './options.js';
import { templateCommand } from './template.js';
import { threadCommand } from './thread.js';

const EXAMPLES = `
Examples:
  echo "What is the biggest animal in the world?" | gpt ask
  gpt ask --thread notes "Summarise our plan"
  gpt chat
  gpt batch prompts.jsonl -o results.jsonl
  source <(gpt completion bash)                # Tab completion (zsh and fish too)

Environment: OPENAI_API_KEY, OPENAI_BASE_URL, GPT_MODEL, GPT_ENDPOINT, HTTPS_PROXY, NO_COLOR.
Config: $XDG_CONFIG_HOME/gpt/config.yaml. Exit codes: see README.`;

/** Commander wiring only: each command turns flags into options and hands them to context.run. */
export function buildProgram(context: CliContext, version: string): Command {
  const { completion, complete } = completionCommands(context);
  return (
    new Command('gpt')
      .description('talk to OpenAI-compatible chat models from the shell and from scripts')
      .version(version, '-V, --version')
      .addHelpText('after', EXAMPLES)
      // Options after a command's name are that command's: needed by `gpt batch results ID -o FILE`,
      // whose parent `gpt batch FILE` has an -o too.
      .enablePositionalOptions()
      .addCommand(askCommand(context))
      .addCommand(chatCommand(context))
      .addCommand(threadCommand(context))
      .addCommand(batchCommand(context))
      .addCommand(modelsCommand(context))
      .addCommand(endpointsCommand(context))
      .addCommand(templateCommand(context))
      .addCommand(completion)
      .addCommand(complete, { hidden: true })
  );
}
