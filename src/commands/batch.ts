import { ExitCode, GptError, badInputError, usageError } from '../core/errors.js';
import { namesSavedTemplate, savedItemTemplate, templateDefaults } from '../batch/saved-template.js';
import { paramsOf } from '../core/template.js';
import { loadTemplate as loadSavedTemplate } from '../store/templates.js';
import { scanItems } from '../batch/input.js';
import type { BatchItem } from '../batch/item.js';
import { ItemProblem } from '../batch/item-problem.js';
import { checkItemPaths, type ItemPathRules } from '../batch/item-paths.js';
import { openInput, type BatchInput } from '../batch/source.js';
import { batchShapes, runItemsLocally } from './batch-local.js';
import { printDryRun } from './batch-dry-run.js';
import { itemContextChecker } from './batch-context.js';
import { checkOptions, itemPathRules, loadTemplate, resumeCommand, type BatchOptions } from './batch-options.js';
import { openResults, readResults, resultsFile } from './batch-output.js';
import { runRemote } from './batch-remote.js';
import { RunReport } from './batch-report.js';
import { BudgetedRun, batchPricer, checkRemoteBudget, priceChecker } from './batch-budget.js';
import { Budget } from '../batch/budget.js';
import type { Deps } from './deps.js';
import { withTemplateSchema } from './shape.js';

// `gpt batch FILE`: the recipe. Options (batch-options.ts), where results go (batch-output.ts),
// the report and exit policy (batch-report.ts), sending here (batch-local.ts) or to the Batch API
// (batch-remote.ts).

export async function runBatch(given: BatchOptions, plainDeps: Deps): Promise<void> {
  checkOptions(given);
  // A saved template (--template NAME) gives every item its defaults, under the flags.
  const saved = given.template !== undefined && namesSavedTemplate(given.template) ? await loadSavedTemplate(plainDeps.paths, given.template) : undefined;
  if (!saved && given.params?.length) throw usageError("-p fills a saved template's {{NAME}}", 'add --template NAME');
  const deps = saved ? { ...plainDeps, settings: templateDefaults(saved.template, plainDeps.settings) } : plainDeps;
  const shaping = withTemplateSchema(given.shape ?? {}, saved, deps.cwd);
  const options = { ...given, shape: shaping.shape, schemaDir: shaping.cwd };
  const template = saved ? savedItemTemplate(saved.template, given.template!, paramsOf(given.params ?? [])) : await loadTemplate(options, deps.cwd);
  const input = await openInput(options.file, { format: options.format, template, cwd: deps.cwd, stdin: deps.stdin });
  try {
    const output = resultsFile(options.output, deps.cwd);
    const done = await readResults(output, options.resume);
    // Items without a line, and those whose line is an error worth retrying.
    const isPending = (item: BatchItem) => !done?.ids.has(item.id) || done.retry.has(item.id);
    const rules = itemPathRules(options, deps);
    const items = () => checkedItems(input, rules);
    // The first pass reads the files and attachments of each item to send too: a bad one stops the run before anything is sent.
    const checkContext = itemContextChecker(rules, options.maxFilesSize, deps);
    // --max-cost needs every item's model priced: checked with the input, before anything is written or sent.
    const price = await batchPricer(deps, options.remote);
    const checkPrice = options.maxCost === undefined ? undefined : priceChecker(price, deps, rules);
    const scan = await scanItems(
      checkedItems(input, rules, async (item, where) => {
        if (!isPending(item)) return;
        await checkContext(item, where);
        await checkPrice?.(item);
      }),
      input.name,
      isPending,
    );
    if (scan.count + scan.skipped === 0) {
      // Most likely the step that wrote it failed: saying so beats a silent success (and an emptied -o FILE).
      throw badInputError(`${input.name}: no items: the input is empty`, 'nothing was sent; give at least one prompt');
    }
    const pending = () => onlyPending(items(), isPending);
    if (options.dryRun) return await printDryRun(scan, pending, options, input, deps, rules);
    // Credentials, the schema and a --remote budget first: what refuses the run must do so before -o FILE is opened (and emptied).
    if (options.remote) await deps.batchClient();
    else await deps.client();
    const shapes = options.remote ? undefined : await batchShapes(options, deps);
    const budget = options.maxCost === undefined ? undefined : new Budget(options.maxCost);
    if (budget && options.remote) await checkRemoteBudget(pending(), budget, price, deps, rules, options.maxFilesSize);
    // The input is good: only now is -o FILE touched.
    const sink = await openResults(output, done, deps);
    if (scan.skipped > 0) deps.note(`gpt: resuming: ${scan.skipped} item${scan.skipped === 1 ? '' : 's'} already in ${options.output}`);
    if (done && done.retry.size > 0) {
      deps.note(
        `gpt: resuming: sending again ${done.retry.size} item${done.retry.size === 1 ? '' : 's'} that failed for a reason worth retrying (network, timeout, 5xx, 429); their error lines were removed`,
      );
    }
    const run = new RunReport(scan.count, resumeCommand(options), deps, !output);
    run.price = price;
    run.failedBefore = done?.failedKept ?? 0;
    try {
      if (options.remote) await runRemote(pending(), input, options, deps, sink, run);
      else {
        const budgeted = budget && new BudgetedRun(budget, price);
        const items = budgeted ? budgeted.items(pending(), deps, rules, options.maxFilesSize, options.context) : pending();
        await runItemsLocally(items, options, deps, sink, run, rules, shapes!, budgeted);
      }
    } finally {
      sink.close();
    }
  } finally {
    await input.close();
  }
}

/**
 * The input's items, each checked against the rules for what it may point at: on every
 * reading, so the first pass refuses a file before anything is sent, and what runs (here
 * or uploaded) is what was checked.
 */
async function* checkedItems(
  input: BatchInput,
  rules: ItemPathRules,
  checkContext?: (item: BatchItem, where: string) => Promise<void>,
): AsyncGenerator<BatchItem> {
  for await (const item of input.items()) {
    const where = `${input.name}:${item.line}`;
    try {
      checkItemPaths(item, rules);
    } catch (error) {
      if (error instanceof ItemProblem) throw badInputError(`${input.name}:${item.line}: ${error.message}`, error.hint);
      if (!(error instanceof GptError)) throw error;
      // An invalid thread name is a usage error for --thread; in a file it is bad input.
      const exitCode = error.exitCode === ExitCode.usage && !rules.remote ? ExitCode.badInput : error.exitCode;
      throw new GptError(exitCode, `${where}: ${error.message}`, error.hint);
    }
    if (checkContext) {
      try {
        await checkContext(item, where);
      } catch (error) {
        if (error instanceof ItemProblem) throw badInputError(`${where}: ${error.message}`, error.hint);
        if (!(error instanceof GptError)) throw error;
        throw new GptError(error.exitCode, `${where}: ${error.message}`, error.hint);
      }
    }
    yield item;
  }
}

async function* onlyPending(items: AsyncIterable<BatchItem> | Iterable<BatchItem>, isPending: (item: BatchItem) => boolean) {
  for await (const item of items) if (isPending(item)) yield item;
}
