import { Command } from 'commander';
import { addContextOption, addCostOptions, addFileOptions, addRequestOptions, commonOptions, type CliContext } from './options.js';
import { addShapeOptions, shapeOptions } from './shape-options.js';

const EXAMPLES = `
Examples:
  gpt chat                                     # kept under a generated name
  gpt chat --thread whales                     # resumes the thread if it exists
  gpt chat -c                                  # continue the latest conversation
  printf 'q1\\nq2\\nnew\\nq3\\nquit\\n' | gpt chat    # one turn per line; replies on stdout

  gpt chat -f src/ -a screenshot.png            # files and an image with the first message

At the prompt: 'quit' or 'exit' (or Ctrl-D) leaves, 'new' begins a new conversation,
a line """ opens and closes a message of several lines. Ctrl-C stops a reply;
at an empty prompt a second one leaves. Up brings back earlier lines. Commands: /model NAME, /system TEXT, /retry, /save NAME,
/edit, /file PATH, /attach PATH|URL, /help; a message beginning with / is sent as //message.`;

export function chatCommand(context: CliContext): Command {
  return addFileOptions(
    addCostOptions(
      addContextOption(addShapeOptions(addRequestOptions(new Command('chat').description('talk back and forth; each completed turn is saved at once')))),
      'turn',
    ),
    'first message',
  )
    .option('--thread <name|path>', 'keep the conversation in a named thread or a YAML file (resumed if it exists)')
    .option('-c, --continue', 'continue the most recently updated conversation')
    .option('--no-stream', 'print each reply when complete, not as it arrives')
    .option('-T, --template <name>', 'use a saved template: its settings, and its prompt around each message')
    .option('-p, --param <name> <value>', 'fill {{name}} in the template (repeatable)', (pair: string, all: string[] = []) => [...all, pair])
    .option('--raw', 'print replies as written, not drawn as Markdown on a terminal')
    .addHelpText('after', EXAMPLES)
    .action(async (raw) => {
      const { runChat } = await import('../commands/chat.js');
      await context.run({ ...commonOptions(raw), savesReplies: true }, (deps) =>
        runChat(
          {
            thread: raw.thread,
            continueLatest: raw.continue ?? false,
            stream: raw.stream,
            shape: shapeOptions(raw),
            template: raw.template,
            params: raw.param ?? [],
            raw: raw.raw ?? false,
            context: raw.context,
            maxCost: raw.maxCost,
            usage: raw.usage ?? false,
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
