import { Command, Option } from 'commander';
import { addContextOption, addEndpointOptions, addRequestOptions, byteSize, commonOptions, numberIn, type CliContext } from './options.js';
import { addSchemaOptions, shapeOptions } from './shape-options.js';

const EXAMPLES = `
Examples:
  gpt batch prompts.jsonl -o results.jsonl
  gpt batch questions.txt -j 16 -m gpt-4o-mini > answers.jsonl
  gpt batch words.txt --template 'Translate to French: {{prompt}}'
  gpt batch prompts.jsonl -o results.jsonl --resume     # after a stopped run: the rest, and network failures
  gpt batch prompts.jsonl --dry-run                     # check the file, count items and tokens
  gpt batch prompts.jsonl --remote -o results.jsonl     # OpenAI's Batch API: half the price, within 24h
  gpt batch status batch_abc123
  gpt batch results batch_abc123 -o results.jsonl
  gpt batch list                                        # the batches submitted from here

Input (by extension, or --format): JSON Lines, one object a line with "prompt" or
"messages" and optional "id", "system", "model", "temperature", "max_tokens", "thread",
"files" and "attachments" (lists of paths, as -f and -a take them; "detail");
YAML, a list of such objects or of strings; text, one prompt a line.
An item's "thread" is a thread name; a path there is refused unless --allow-paths.
Its "files" and "attachments" are relative to the input file's folder and must stay in it
unless --allow-paths.
Results: one JSON line per item, in input order:
  {"id", "reply", "model", "finish_reason", "usage"}, or with "error" when it failed.
Exit code 8 when any item failed (--resume sends again those that failed on the network);
5 when the server could not be reached and the run stopped early.`;

const POLL = ['--poll-interval <seconds>', 'seconds between checks of a --remote batch (default 10, growing)'] as const;
const pollSeconds = numberIn('--poll-interval', 0.01, 86_400);

/** Options of the commands that only talk to the Batch API. */
const apiOptions = (command: Command) =>
  addEndpointOptions(command).option('-q, --quiet', 'no progress or warnings on stderr').option('--verbose', 'show stack traces on stderr');

/**
 * `gpt batch FILE` runs a file of prompts; `status`, `results`, `cancel` and `list` (`ls`) are
 * subcommands. A first argument that is not one of their names is the input file (`./list` is a file).
 */
export function batchCommand(context: CliContext): Command {
  const load = () => import('../commands/batch.js');
  const loadAdmin = () => import('../commands/batch-admin.js');
  const batch = addContextOption(
    addSchemaOptions(
      addRequestOptions(
        new Command('batch')
          .description('run a file of prompts concurrently (or on the Batch API); results as JSON Lines')
          .argument('<file>', 'the prompts: .jsonl, .yaml or .txt, or - for stdin'),
      ),
    ),
  )
    .option('-o, --output <file>', 'write results to FILE (created private) instead of stdout')
    .option('--resume', 'skip items whose ids are already in -o FILE, and append the rest')
    .option('-j, --concurrency <n>', 'requests in flight at once (default 4)', numberIn('--concurrency', 1, 256, true))
    .addOption(new Option('--format <format>', 'input format (default: by extension; stdin: jsonl)').choices(['jsonl', 'yaml', 'text']))
    .option('-T, --template <name|text>', 'a saved template (gpt template list), or text wrapping each prompt: {{prompt}}, {{id}} and other fields')
    .option('-p, --param <name> <value>', "fill {{name}} in a saved template (repeatable; an item's own field wins)", (pair: string, all: string[] = []) => [
      ...all,
      pair,
    ])
    .option('--template-file <file>', 'the template, from a file')
    .option('--dry-run', 'check the input, print the number of items and estimated tokens; send nothing')
    .option('--json', 'with --dry-run: print the counts as one JSON object')
    .option(
      '--max-cost <usd>',
      'stop sending once spent + in flight would pass USD (exit 10; --resume goes on); --remote: refuse a batch estimated above it',
      numberIn('--max-cost', 0, 1_000_000),
    )
    .option('--remote', "run on OpenAI's Batch API instead of sending requests from here")
    .option(POLL[0], POLL[1], pollSeconds)
    .option('--no-wait', 'with --remote: print the batch ids and return (see gpt batch results)')
    .option('--new-batch', 'with --remote: submit anew, even when a batch of the same requests from an earlier run is open')
    .option('--thread-dir <dir>', 'keep the threads that items name in DIR (names only, never outside it)')
    .option('--allow-paths', "let items name files anywhere (a thread path, files and attachments outside the input's folder)")
    .option('--max-files-size <size>', "the most text an item's files may add, in bytes or with k/M (default 1M)", byteSize('--max-files-size'))
    .addHelpText('after', EXAMPLES)
    // Options after a subcommand's name belong to the subcommand (results -o FILE).
    .enablePositionalOptions()
    .action(async (file: string, raw) => {
      const { runBatch } = await load();
      // Items retry on their own; a line for each would bury the progress (the summary counts 429s).
      await context.run({ ...commonOptions(raw), retryNotices: false, savesReplies: true }, (deps) =>
        runBatch(
          {
            file,
            output: raw.output,
            resume: raw.resume ?? false,
            concurrency: raw.concurrency,
            format: raw.format,
            template: raw.template,
            templateFile: raw.templateFile,
            dryRun: raw.dryRun ?? false,
            json: raw.json ?? false,
            maxCost: raw.maxCost,
            remote: raw.remote ?? false,
            pollInterval: raw.pollInterval,
            wait: raw.wait,
            newBatch: raw.newBatch ?? false,
            threadDir: raw.threadDir,
            allowPaths: raw.allowPaths ?? false,
            maxFilesSize: raw.maxFilesSize,
            context: raw.context,
            shape: shapeOptions(raw),
            params: raw.param ?? [],
          },
          deps,
        ),
      );
    });

  batch.addCommand(
    apiOptions(new Command('status').description('show the state of Batch API batches').argument('<id...>', 'batch ids'))
      .option('--json', 'print one JSON object per batch')
      .action(async (ids: string[], raw) => {
        const { runBatchStatus } = await loadAdmin();
        await context.run(commonOptions(raw), (deps) => runBatchStatus({ ids, json: raw.json ?? false }, deps));
      }),
  );

  batch.addCommand(
    apiOptions(new Command('results').description('wait for Batch API batches to end, then write their results').argument('<id...>', 'batch ids'))
      .option('-o, --output <file>', 'write results to FILE instead of stdout')
      .option('--resume', 'append to -o FILE, leaving out ids already in it')
      .option(POLL[0], POLL[1], pollSeconds)
      .action(async (ids: string[], raw) => {
        const { runBatchResults } = await loadAdmin();
        await context.run(commonOptions(raw), (deps) =>
          runBatchResults({ ids, output: raw.output, resume: raw.resume ?? false, pollInterval: raw.pollInterval }, deps),
        );
      }),
  );

  batch.addCommand(
    apiOptions(new Command('cancel').description('cancel Batch API batches (what already ran keeps its results)').argument('<id...>', 'batch ids'))
      .option('--json', 'print one JSON object per batch')
      .action(async (ids: string[], raw) => {
        const { runBatchCancel } = await loadAdmin();
        await context.run(commonOptions(raw), (deps) => runBatchCancel({ ids, json: raw.json ?? false }, deps));
      }),
  );

  batch.addCommand(
    apiOptions(new Command('list').alias('ls').description('list the Batch API batches submitted from here (from the journal; no key needed)'))
      .option('--json', 'print one JSON object per batch')
      .option('--refresh', 'ask the API for the status of the batches that have not ended')
      .action(async (raw) => {
        const { runBatchList } = await loadAdmin();
        await context.run(commonOptions(raw), (deps) => runBatchList({ json: raw.json ?? false, refresh: raw.refresh ?? false }, deps));
      }),
  );

  return batch;
}
