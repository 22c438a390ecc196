import { Command, Option } from 'commander';
import { commonOptions, type CliContext } from './options.js';

const EXAMPLES = `
Examples:
  gpt thread list                     # newest first
  gpt thread show whales              # the conversation, for reading
  gpt thread show --last | pbcopy     # the latest reply of the latest conversation
  gpt thread search "blue whale"      # the messages that contain it, newest thread first
  gpt thread export whales -o whales.md
  gpt thread show whales --last -x > fix.sh   # the first code block of that reply
  gpt thread fork whales whales-b     # branch: continue with gpt ask --thread whales-b
  gpt thread mv 20261127-164012-what-is-the whales   # keep a saved conversation for good
  $EDITOR "$(gpt thread path whales)"

NAME is a thread in the threads folder; a value with a "/" or ending in .yaml or .json is a file path.`;

interface Raw {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

const adminOptions = (command: Command) => command.option('-q, --quiet', 'no warnings on stderr').option('--verbose', 'show stack traces on stderr');

export function threadCommand(context: CliContext): Command {
  const load = () => import('../commands/thread.js');
  const run = (raw: Raw, command: Parameters<CliContext['run']>[1]) => context.run(commonOptions(raw), command);
  // list and path read no config (cli/quick.ts runs them without commander too).
  const runFolder = (raw: Raw, command: Parameters<CliContext['runFolder']>[1]) => context.runFolder(commonOptions(raw), command);

  const list = adminOptions(new Command('list').alias('ls').description('list saved threads, newest first'))
    .option('--json', 'print a JSON array of objects')
    .action(async (raw: Raw) => {
      const { runThreadList } = await import('../commands/thread-list.js');
      await runFolder(raw, (deps) => runThreadList({ json: raw.json ?? false }, deps));
    });

  const show = adminOptions(new Command('show').description('print a thread for reading (default: the latest)'))
    .argument('[name|path]', 'the thread')
    .option('--json', 'print the messages as a JSON array')
    .option('--last', 'only the last reply')
    .option('-x, --extract', 'only the first fenced code block of the last reply')
    .option('--extract-last', 'only the last fenced code block of the last reply')
    .option('--raw', 'replies as written, not drawn as Markdown on a terminal')
    .action(async (thread: string | undefined, raw: Raw & { last?: boolean; extract?: boolean; extractLast?: boolean; raw?: boolean }) => {
      const { runThreadShow } = await load();
      const extract = raw.extractLast ? 'last' : raw.extract ? 'first' : undefined;
      await run(raw, (deps) => runThreadShow({ thread, json: raw.json ?? false, last: raw.last ?? false, extract, raw: raw.raw ?? false }, deps));
    });

  const search = adminOptions(
    new Command('search').alias('grep').description('find the messages that contain TEXT (any case, literally), newest thread first; exit 1 when none'),
  )
    .argument('<text>', 'the text to look for')
    .option('--json', 'print a JSON array: one object per message that matched')
    .action(async (text: string, raw: Raw) => {
      const { runThreadSearch } = await import('../commands/thread-search.js');
      await run(raw, (deps) => runThreadSearch({ text, json: raw.json ?? false }, deps));
    });

  const exportCommand = adminOptions(new Command('export').description('write a conversation to share, as Markdown or JSON'))
    .argument('<name|path>', 'the thread')
    .addOption(new Option('--format <format>', 'md or json').choices(['md', 'json']).default('md'))
    .option('-o, --output <file>', 'write to FILE (created private) instead of stdout')
    .action(async (thread: string, raw: Raw & { format: 'md' | 'json'; output?: string }) => {
      const { runThreadExport } = await import('../commands/thread-export.js');
      await run(raw, (deps) => runThreadExport({ thread, format: raw.format, output: raw.output }, deps));
    });

  const rm = adminOptions(new Command('rm').description('remove threads'))
    .argument('<name|path...>', 'the threads')
    .action(async (threads: string[], raw: Raw) => {
      const { runThreadRm } = await load();
      await run(raw, (deps) => runThreadRm({ threads }, deps));
    });

  const mv = adminOptions(new Command('mv').description('rename a thread (never replaces one)'))
    .argument('<old>', 'the thread')
    .argument('<new>', 'its new name or path')
    .action(async (from: string, to: string, raw: Raw) => {
      const { runThreadMv } = await load();
      await run(raw, (deps) => runThreadMv({ from, to }, deps));
    });

  const fork = adminOptions(new Command('fork').description('copy a thread, to branch the conversation'))
    .argument('<src>', 'the thread')
    .argument('<new>', 'the name or path of the copy')
    .action(async (from: string, to: string, raw: Raw) => {
      const { runThreadFork } = await load();
      await run(raw, (deps) => runThreadFork({ from, to }, deps));
    });

  const path = adminOptions(new Command('path').description("print a thread's file path"))
    .argument('<name>', 'the thread')
    .action(async (thread: string, raw: Raw) => {
      const { runThreadPath } = await import('../commands/thread-list.js');
      await runFolder(raw, (deps) => runThreadPath({ thread }, deps));
    });

  return new Command('thread')
    .description('list, search, show, export, rename, fork and remove saved conversations')
    .addHelpText('after', EXAMPLES)
    .addCommand(list)
    .addCommand(search)
    .addCommand(show)
    .addCommand(exportCommand)
    .addCommand(rm)
    .addCommand(mv)
    .addCommand(fork)
    .addCommand(path);
}
