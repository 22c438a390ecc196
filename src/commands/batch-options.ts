import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { badInputError, usageError } from '../core/errors.js';
import type { ItemPathRules } from '../batch/item-paths.js';
import type { ContextPolicy } from '../core/types.js';
import { parseTemplate, type Template } from '../batch/template.js';
import type { Deps } from './deps.js';
import type { ShapeOptions } from './shape.js';

/** Safe for local servers (Ollama runs up to 4 requests at once) and for low API rate limits. */
export const DEFAULT_CONCURRENCY = 4;
/** Batch API jobs take minutes to hours; the wait grows from here (see waitForBatches). */
export const DEFAULT_POLL_SECONDS = 10;

export interface BatchOptions {
  /** A path, or `-` for stdin. */
  file: string;
  output?: string;
  resume: boolean;
  concurrency?: number;
  format?: string;
  template?: string;
  templateFile?: string;
  dryRun: boolean;
  /** --json with --dry-run: the counts as one JSON object (results are JSON Lines already). */
  json?: boolean;
  /** --max-cost USD: stop sending once spent + in flight would pass it; --remote: refuse a batch estimated above it. */
  maxCost?: number;
  remote: boolean;
  pollInterval?: number;
  wait: boolean;
  /** --remote: submit anew even when the journal has an open batch of these requests. */
  newBatch?: boolean;
  /** --thread-dir: item threads are kept in this folder instead of the threads folder. */
  threadDir?: string;
  /** --allow-paths: items may name files anywhere (thread paths, files and attachments outside the input's folder). */
  allowPaths?: boolean;
  /** --max-files-size: the most bytes one item's `files` may hold together. */
  maxFilesSize?: number;
  /** --context: what to do when an item's thread outgrows the model's window (default: the thread's, else trim). */
  context?: ContextPolicy;
  /** --schema for every item (an item's own `schema` wins); local runs only. */
  shape?: ShapeOptions;
  /** -p NAME VALUE for a saved template's placeholders. */
  params?: string[];
  /** Where a saved template's schema file is found (beside the template). */
  schemaDir?: string;
}

/** Flags that make no sense together, refused before anything is read. */
export function checkOptions(options: BatchOptions): void {
  checkResumeHasOutput(options);
  if (options.json && !options.dryRun) throw usageError('--json applies to --dry-run', 'results are JSON Lines already; drop --json');
  if (!options.remote) {
    if (!options.wait) throw usageError('--no-wait applies to --remote runs');
    if (options.pollInterval !== undefined) throw usageError('--poll-interval applies to --remote runs');
    if (options.newBatch) throw usageError('--new-batch applies to --remote runs');
  } else if (options.concurrency !== undefined) {
    throw usageError('-j/--concurrency applies to local runs', 'the Batch API decides how fast a --remote batch runs');
  }
  if (options.remote && options.shape?.schema !== undefined) {
    throw usageError('--schema applies to local runs for now', "run without --remote; the Batch API's replies are not checked yet");
  }
  if (options.template !== undefined && options.templateFile !== undefined) {
    throw usageError('--template and --template-file cannot be used together', 'choose one');
  }
}

/** `gpt batch FILE --resume` and `gpt batch results ID --resume` continue the results in -o FILE. */
export function checkResumeHasOutput(options: { resume?: boolean; output?: string }): void {
  if (options.resume && options.output === undefined) throw usageError('--resume needs -o FILE', 'it continues the results in that file');
}

/** `gpt batch FILE -o OUT --resume`: how to send what is left. */
export function resumeCommand({ file, output, remote }: BatchOptions): string {
  return output === undefined
    ? 'with -o FILE, --resume could send the rest'
    : `gpt batch ${file} -o ${output} --resume${remote ? ' --remote' : ''} sends the rest`;
}

export async function loadTemplate(options: BatchOptions, cwd: string): Promise<Template | undefined> {
  if (options.template !== undefined) return parseTemplate(options.template, '--template');
  if (options.templateFile === undefined) return undefined;
  const text = await readFile(resolve(cwd, options.templateFile), 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw badInputError(`cannot read template ${options.templateFile} (${error.code ?? error.message})`, 'check the path');
  });
  // An editor's final newline is not part of the prompt.
  return parseTemplate(text.replace(/\r?\n$/, ''), options.templateFile);
}

/** Relative paths in items are taken from the input file's folder (the working folder for stdin). */
export function itemPathRules(options: BatchOptions, deps: Deps): ItemPathRules {
  return {
    base: options.file === '-' ? deps.cwd : dirname(resolve(deps.cwd, options.file)),
    threadsDir: deps.paths.threadsDir,
    threadDir: options.threadDir === undefined ? undefined : resolve(deps.cwd, options.threadDir),
    allowPaths: options.allowPaths ?? false,
    remote: options.remote,
  };
}
