import { GptError, ExitCode } from './errors.js';

export const DEFAULT_MODEL = 'gpt-4o-mini';
export const DEFAULT_TIMEOUT_SECONDS = 600;
export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_KEEP_CONVERSATIONS = 200;

/** What the config file may hold (snake_case, as a person writes YAML). */
export interface ConfigFile {
  model?: string;
  system?: string;
  base_url?: string;
  temperature?: number;
  max_tokens?: number;
  timeout?: number;
  max_retries?: number;
  save_conversations?: boolean;
  keep_conversations?: number;
  /** How --schema asks the server: json_schema (default) or json_object (checked where used). */
  schema_mode?: string;
}

/** Options that a flag can set; undefined means "not given". */
export interface FlagSettings {
  model?: string;
  system?: string;
  temperature?: number;
  maxTokens?: number;
  baseURL?: string;
  timeoutSeconds?: number;
  maxRetries?: number;
}

export interface Settings {
  model: string;
  system?: string;
  temperature?: number;
  maxTokens?: number;
  baseURL?: string;
  /** Where baseURL came from, for its error messages: '--base-url', 'OPENAI_BASE_URL' or the config file. */
  baseURLSource?: BaseURLSource;
  apiKey?: string;
  timeoutMs: number;
  maxRetries: number;
  saveConversations: boolean;
  keepConversations: number;
  schemaMode?: string;
}

type Env = Record<string, string | undefined>;

const nonEmpty = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

/** Precedence: flags > environment > config file > built-in defaults. */
export function resolveSettings(flags: FlagSettings, env: Env, file: ConfigFile): Settings {
  const baseURLSource: BaseURLSource | undefined = flags.baseURL !== undefined ? '--base-url'
    : nonEmpty(env.OPENAI_BASE_URL) !== undefined ? 'OPENAI_BASE_URL'
      : file.base_url !== undefined ? 'base_url' : undefined;
  return {
    model: flags.model ?? nonEmpty(env.GPT_MODEL) ?? file.model ?? DEFAULT_MODEL,
    system: flags.system ?? file.system,
    temperature: flags.temperature ?? file.temperature,
    maxTokens: flags.maxTokens ?? file.max_tokens,
    baseURL: flags.baseURL ?? nonEmpty(env.OPENAI_BASE_URL) ?? file.base_url,
    baseURLSource,
    apiKey: nonEmpty(env.OPENAI_API_KEY),
    timeoutMs: (flags.timeoutSeconds ?? file.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
    maxRetries: flags.maxRetries ?? file.max_retries ?? DEFAULT_MAX_RETRIES,
    saveConversations: file.save_conversations ?? true,
    keepConversations: file.keep_conversations ?? DEFAULT_KEEP_CONVERSATIONS,
    schemaMode: file.schema_mode,
  };
}

export type BaseURLSource = '--base-url' | 'OPENAI_BASE_URL' | 'base_url';

/**
 * A base URL must be http(s) with its scheme: `127.0.0.1:8080/v1` parses as a URL of scheme
 * "127.0.0.1:", and would fail as a network error after every retry. Checked before anything is sent.
 */
export function checkBaseURL(value: string, source: BaseURLSource): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(value).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol === 'http:' || protocol === 'https:') return;
  const where = source === 'base_url' ? 'base_url in the config file' : source;
  const fixed = value.trim() === '' || /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? 'http://HOST:PORT/v1' : `http://${value}`;
  const exitCode = source === 'base_url' ? ExitCode.config : ExitCode.usage;
  throw new GptError(exitCode, `${where} '${value}' is not a URL starting with http:// or https://`, `write it as ${fixed}`);
}

const FIELD_TYPES: Record<keyof ConfigFile, 'string' | 'number' | 'boolean'> = {
  model: 'string',
  system: 'string',
  base_url: 'string',
  temperature: 'number',
  max_tokens: 'number',
  timeout: 'number',
  max_retries: 'number',
  save_conversations: 'boolean',
  keep_conversations: 'number',
  schema_mode: 'string',
};

export interface NumberLimit {
  min: number;
  max: number;
  integer: boolean;
}

/** Ranges of the numeric settings, shared by the config file and the flags. */
export const NUMBER_LIMITS = {
  temperature: { min: 0, max: 2, integer: false },
  max_tokens: { min: 1, max: 10_000_000, integer: true },
  timeout: { min: 0.001, max: 86_400, integer: false },
  max_retries: { min: 0, max: 20, integer: true },
  keep_conversations: { min: 1, max: 1_000_000, integer: true },
} satisfies Partial<Record<keyof ConfigFile, NumberLimit>>;

export function withinLimit(n: number, limit: NumberLimit): boolean {
  return Number.isFinite(n) && (!limit.integer || Number.isInteger(n)) && n >= limit.min && n <= limit.max;
}

export function describeLimit(limit: NumberLimit): string {
  return `${limit.integer ? 'a whole number' : 'a number'} from ${limit.min} to ${limit.max}`;
}

/** Checks a parsed config document; unknown keys and wrong types are refused, naming the file. */
export function validateConfig(value: unknown, file: string): ConfigFile {
  if (value === null || value === undefined) return {};
  const fix = `fix or remove ${file}`;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new GptError(ExitCode.config, `config file ${file} is not a mapping of settings`, fix);
  }
  for (const [key, field] of Object.entries(value)) {
    const expected = FIELD_TYPES[key as keyof ConfigFile];
    if (!expected) {
      const known = Object.keys(FIELD_TYPES).join(', ');
      throw new GptError(ExitCode.config, `unknown setting '${key}' in ${file}`, `known settings: ${known}`);
    }
    if (typeof field !== expected) {
      throw new GptError(ExitCode.config, `setting '${key}' in ${file} must be a ${expected}`, fix);
    }
    const limit = (NUMBER_LIMITS as Record<string, NumberLimit>)[key];
    if (limit && !withinLimit(field as number, limit)) {
      throw new GptError(ExitCode.config, `setting '${key}' in ${file} must be ${describeLimit(limit)}`, fix);
    }
  }
  return value as ConfigFile;
}
