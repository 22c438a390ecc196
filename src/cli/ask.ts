import { Command } from 'commander';
import { addContextOption, addCostOptions, addFileOptions, addRequestOptions, commonOptions, type CliContext } from './options.js';
import { addShapeOptions, shapeOptions } from './shape-options.js';

const EXAMPLES = `
Examples:
  echo "What is the biggest animal in the world?" | gpt ask
  gpt ask "Explain CRDTs in two sentences"
  git diff | gpt ask "Write a commit message for this diff"
  gpt ask -f src/ "Review this code"           # a folder's text files, then the question
  gpt ask --thread whales "Tell me more about blue whales"
  gpt ask -c "And in French?"                  # continue the latest conversation
  git diff | gpt ask -e "Review this diff"     # edit the prompt in $EDITOR first
  gpt ask --json "Name three primes" | jq -r .reply
  gpt ask --schema 'name, age int' "Ada Lovelace, born 1815" | jq .age
  gpt ask -x "a bash one-liner to count lines in *.ts" > count.sh
  gpt ask -a screenshot.png "What does this error dialog say?"
  gpt ask -a report.pdf "Summarise this in five bullet points"
  OPENAI_BASE_URL=http://localhost:11434/v1 gpt ask -m llama3.2 "hi"

The prompt is the -f files (each fenced, labelled with its path), then stdin (when
piped), then a blank line, then the arguments.
With arguments, a pipe that sends nothing within 1s is not waited for (--stdin waits).`;

export function askCommand(context: CliContext): Command {
  return addFileOptions(
    addCostOptions(
      addContextOption(
        addShapeOptions(
          addRequestOptions(
            new Command('ask').description('ask one question; the reply goes to stdout').argument('[prompt...]', 'the prompt (appended after piped stdin)'),
          ),
        ),
      ),
      'request',
    ),
    'prompt',
  )
    .option('--thread <name|path>', 'keep the conversation in a named thread or a YAML file')
    .option('-c, --continue', 'continue the most recently updated conversation')
    .option('-T, --template <name>', 'use a saved template (gpt template list)')
    .option('-p, --param <name> <value>', 'fill {{name}} in the template (repeatable)', (pair: string, all: string[] = []) => [...all, pair])
    .option('--json', 'print one JSON object instead of text')
    .option('--no-stream', 'print the reply when complete, not as it arrives')
    .option('--stdin', 'wait for piped stdin even when arguments are given')
    .option('--no-stdin', 'never read stdin')
    .option('--dry-run', 'count the input tokens exactly and estimate the cost; send nothing')
    .option('-e, --edit', 'compose the prompt in $VISUAL or $EDITOR (prefilled with stdin and arguments)')
    .option('--raw', 'print the reply as written, not drawn as Markdown on a terminal')
    .addHelpText('after', EXAMPLES)
    .action(async (args: string[], raw) => {
      const { runAsk } = await import('../commands/ask.js');
      await context.run({ ...commonOptions(raw), savesReplies: true }, (deps) =>
        runAsk(
          {
            args,
            thread: raw.thread,
            continueLatest: raw.continue ?? false,
            json: raw.json ?? false,
            stream: raw.stream,
            stdin: raw.stdin,
            shape: shapeOptions(raw),
            template: raw.template,
            params: raw.param ?? [],
            edit: raw.edit ?? false,
            usage: raw.usage ?? false,
            context: raw.context,
            dryRun: raw.dryRun ?? false,
            maxCost: raw.maxCost,
            raw: raw.raw ?? false,
            files: raw.file ?? [],
            maxFilesSize: raw.maxFilesSize,
            attach: raw.attach ?? [],
            detail: raw.detail,
          },
          deps,
        ),
      );
    });
}
