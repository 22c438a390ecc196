import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseContextPolicy } from '../core/context.js';
import { DETAILS, type ContextPolicy } from '../core/types.js';
import { DEFAULT_MODEL, type FlagSettings } from '../core/config.js';
import { GptError } from '../core/errors.js';
import { NUMBER_LIMITS, describeLimit, withinLimit, type NumberLimit } from '../core/limits.js';
import { parseBytes } from '../core/sizes.js';
import { EFFORTS, checkModelName, parseEffort, type Effort } from '../core/models.js';

/** What every command that talks to the model shares; main turns it into Deps. */
export interface CommonOptions {
  flags: FlagSettings;
  quiet: boolean;
  verbose: boolean;
  json: boolean;
  /** --show-reasoning: a reasoning model's thinking on stderr, dimmed on a terminal. */
  showReasoning?: boolean;
  /** A line on stderr before each retry of a request (default: unless --quiet). */
  retryNotices?: boolean;
  /** The command saves replies (ask, chat, batch): a failed stdout's hint says where they went. */
  savesReplies?: boolean;
}

/** Runs a command with its dependencies; provided by main. */
export interface CliContext {
  /** A command may return an exit code other than 0 that is not an error (search: no match). */
  // biome-ignore lint/suspicious/noConfusingVoidType: most commands return nothing; search returns a code
  run(common: CommonOptions, command: (deps: import('../commands/deps.js').Deps) => Promise<void | number>): Promise<void>;
  /** For commands that read no config and make no request (`thread list`, `thread path`): FolderDeps, errors reported as run's. */
  runFolder(common: CommonOptions, command: (deps: import('../commands/deps.js').FolderDeps) => Promise<void>): Promise<void>;
  /** For commands that read no config and make no request (completion): no YAML, no SDK. */
  quick(command: (deps: import('../commands/complete.js').QuickDeps) => Promise<void>): Promise<void>;
}

export function numberIn(name: string, min: number, max: number, integer = false) {
  return limited(name, { min, max, integer });
}

/** A commander parser that accepts a number within `limit`. */
function limited(name: string, limit: NumberLimit) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !withinLimit(n, limit)) {
      throw new InvalidArgumentError(`${name} must be ${describeLimit(limit)}.`);
    }
    return n;
  };
}

/** A commander parser of a size in bytes, or with a k or M suffix (1024, 1024²). */
export function byteSize(name: string) {
  return (value: string): number => {
    const bytes = parseBytes(value);
    if (bytes === undefined || bytes === 0) throw new InvalidArgumentError(`${name} must be a size in bytes, or with k or M: 500k, 1.5M, 4M.`);
    return bytes;
  };
}

/** A commander parser that refuses an empty or multi-line model name (`-m ''` would be sent as is). */
function modelName(value: string): string {
  try {
    return checkModelName(value);
  } catch (error) {
    throw error instanceof GptError ? new InvalidArgumentError(`${error.message}.`) : error;
  }
}

function effort(value: string): Effort {
  const parsed = parseEffort(value);
  if (!parsed) throw new InvalidArgumentError(`--reasoning-effort must be one of ${EFFORTS.join(', ')}.`);
  return parsed;
}

const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
function endpointName(value: string): string {
  if (!PROFILE_NAME.test(value)) throw new InvalidArgumentError("--endpoint must name a profile of the config's endpoints: (gpt endpoints lists them).");
  return value;
}

/** Where requests go and how patiently: every command that talks to the endpoint. */
export function addEndpointOptions(command: Command): Command {
  return command
    .option('--endpoint <name>', 'an endpoint profile of the config (default: GPT_ENDPOINT, config endpoint)', endpointName)
    .option('--base-url <url>', 'OpenAI-compatible endpoint (default: the profile, OPENAI_BASE_URL, config)')
    .option('--timeout <seconds>', 'give up when the server is silent this long (default 600)', limited('--timeout', NUMBER_LIMITS.timeout))
    .option('--max-retries <n>', 'retries on 408, 409, 429, 5xx and connection errors (default 2)', limited('--max-retries', NUMBER_LIMITS.max_retries));
}

/** The options of every command that sends prompts: model, prompt, endpoint, output. */
export function addRequestOptions(command: Command): Command {
  return addEndpointOptions(
    command
      .option('-m, --model <name>', `model to use (default: the profile, GPT_MODEL, config, or ${DEFAULT_MODEL})`, modelName)
      .option('-s, --system <text>', 'system prompt')
      .option('-t, --temperature <number>', 'sampling temperature, 0 to 2', limited('temperature', NUMBER_LIMITS.temperature))
      .option('--max-tokens <n>', 'most tokens in the reply (sent as the field the model takes)', limited('--max-tokens', NUMBER_LIMITS.max_tokens))
      .option('--reasoning-effort <level>', `how hard a reasoning model thinks: ${EFFORTS.join(', ')}`, effort)
      .option('--show-reasoning', "show a reasoning model's thinking on stderr"),
  )
    .option('-q, --quiet', 'no spinner, progress or warnings on stderr')
    .option('--verbose', 'log requests and show stack traces on stderr');
}

interface RawRequestOptions {
  model?: string;
  system?: string;
  temperature?: number;
  maxTokens?: number;
  baseUrl?: string;
  endpoint?: string;
  reasoningEffort?: Effort;
  showReasoning?: boolean;
  timeout?: number;
  maxRetries?: number;
  quiet?: boolean;
  verbose?: boolean;
  json?: boolean;
}

export function commonOptions(raw: RawRequestOptions): CommonOptions {
  return {
    flags: {
      model: raw.model,
      system: raw.system,
      temperature: raw.temperature,
      maxTokens: raw.maxTokens,
      baseURL: raw.baseUrl,
      endpoint: raw.endpoint,
      reasoningEffort: raw.reasoningEffort,
      timeoutSeconds: raw.timeout,
      maxRetries: raw.maxRetries,
    },
    quiet: raw.quiet ?? false,
    verbose: raw.verbose ?? false,
    json: raw.json ?? false,
    showReasoning: raw.showReasoning ?? false,
  };
}

/** --context trim|fail|all: ask and chat (README "Long threads"). */
export function addContextOption(command: Command): Command {
  return command.option(
    '--context <policy>',
    "when a thread outgrows the model's window: trim (send the recent turns that fit; default), fail, or all",
    (value: string): ContextPolicy => {
      const policy = parseContextPolicy(value);
      if (!policy) throw new InvalidArgumentError('--context must be trim, fail or all.');
      return policy;
    },
  );
}

/**
 * --max-cost USD and -u/--usage: ask and chat (README "Costs"). `unit` is what one is
 * checked and reported for: ask's one request, or each of chat's turns.
 */
export function addCostOptions(command: Command, unit: 'request' | 'turn'): Command {
  const [refused, reported] =
    unit === 'request'
      ? ['refuse a request whose input alone would cost more (exit 10)', 'the call']
      : ['refuse a turn whose input alone would cost more (nothing sent; the chat goes on)', 'each turn'];
  return command
    .option('--max-cost <usd>', refused, numberIn('--max-cost', 0, 1_000_000))
    .option('-u, --usage', `print the tokens and cost of ${reported} on stderr after the reply`);
}

/**
 * -f, --max-files-size, -a and --detail (README "Context: files, images and PDFs"): ask's
 * prompt, or chat's first message (its later ones take /file and /attach; stdin is its input).
 */
export function addFileOptions(command: Command, target: 'prompt' | 'first message'): Command {
  const repeat = (value: string, all: string[] = []) => [...all, value];
  const chat = target === 'first message';
  return command
    .option('-f, --file <path>', `put a text file before the ${target} (repeatable; a folder: its text files${chat ? '' : '; - is stdin'})`, repeat)
    .option(
      '--max-files-size <size>',
      `the most text ${chat ? "one message's files" : '-f'} may add, in bytes or with k/M (default 1M)`,
      byteSize('--max-files-size'),
    )
    .option(
      '-a, --attach <path|url>',
      `attach an image (png, jpeg, gif, webp) or PDF file, or an image URL${chat ? ', to the first message' : ''} (repeatable)`,
      repeat,
    )
    .addOption(new Option('--detail <level>', `how closely the model looks at the attached images${chat ? ' (-a and /attach)' : ''}`).choices(DETAILS));
}
