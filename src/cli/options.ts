import { InvalidArgumentError, type Command } from 'commander';
import type { FlagSettings } from '../core/config.js';

/** What every command that talks to the model shares; main turns it into Deps. */
export interface CommonOptions {
  flags: FlagSettings;
  quiet: boolean;
  verbose: boolean;
  json: boolean;
}

/** Runs a command with its dependencies; provided by main. */
export interface CliContext {
  run(common: CommonOptions, command: (deps: import('../commands/deps.js').Deps) => Promise<void>): Promise<void>;
}

export function numberIn(name: string, min: number, max: number, integer = false) {
  return (value: string): number => {
    const n = Number(value);
    const kind = integer ? 'a whole number' : 'a number';
    if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be ${kind} from ${min} to ${max}.`);
    }
    return n;
  };
}

/** The options of every command that sends requests: model, prompt, endpoint, output. */
export function addRequestOptions(command: Command): Command {
  return command
    .option('-m, --model <name>', 'model to use (default: config, GPT_MODEL, or gpt-4o-mini)')
    .option('-s, --system <text>', 'system prompt')
    .option('-t, --temperature <number>', 'sampling temperature, 0 to 2', numberIn('temperature', 0, 2))
    .option('--max-tokens <n>', 'most tokens in the reply', numberIn('--max-tokens', 1, 10_000_000, true))
    .option('--base-url <url>', 'OpenAI-compatible endpoint (default: OPENAI_BASE_URL, config)')
    .option('--timeout <seconds>', 'give up when the server is silent this long (default 600)', numberIn('--timeout', 0.001, 86_400))
    .option('--max-retries <n>', 'retries on 429, 5xx and connection errors (default 2)', numberIn('--max-retries', 0, 20, true))
    .option('-q, --quiet', 'no spinner, progress or warnings on stderr')
    .option('--verbose', 'log requests and show stack traces on stderr');
}

interface RawRequestOptions {
  model?: string;
  system?: string;
  temperature?: number;
  maxTokens?: number;
  baseUrl?: string;
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
      timeoutSeconds: raw.timeout,
      maxRetries: raw.maxRetries,
    },
    quiet: raw.quiet ?? false,
    verbose: raw.verbose ?? false,
    json: raw.json ?? false,
  };
}
