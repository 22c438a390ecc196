import { resolveEndpoint, validateProfileConfig, type EffectiveSettings, type EndpointFlags, type EndpointInputs, type RequestConfig } from './endpoints.js';
import { ExitCode, GptError } from './errors.js';
import { NUMBER_LIMITS, describeLimit, withinLimit, type NumberLimit } from './limits.js';

/** A current model that a new OpenAI account can use; it takes a temperature (its default effort is none). */
export const DEFAULT_MODEL = 'gpt-5.4-mini';
export const DEFAULT_TIMEOUT_SECONDS = 600;
export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_KEEP_CONVERSATIONS = 200;

/** What the config file may hold (snake_case, as a person writes YAML). */
export interface ConfigFile extends RequestConfig {
  timeout?: number;
  max_retries?: number;
  save_conversations?: boolean;
  keep_conversations?: number;
  /** How --schema asks the server: json_schema (default) or json_object (checked where used). */
  schema_mode?: string;
}

/** Options that a flag can set; undefined means "not given". */
export interface FlagSettings extends EndpointFlags {
  timeoutSeconds?: number;
  maxRetries?: number;
}

/** Where requests go: what the client needs, never printed (the key is in it). */
export interface Connection {
  apiKey?: string;
  /** The variable the key comes from (for the message when it is not set); undefined: no key is sent. */
  apiKeyEnv?: string;
  baseURL?: string;
  headers: Record<string, string>;
  timeoutMs: number;
  maxRetries: number;
  /** From HTTPS_PROXY, HTTP_PROXY and NO_PROXY (either case); undefined: no proxy variable is set. */
  proxy?: ProxySettings;
}

export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

export interface Settings {
  /** What the one merge (resolveEndpoint) starts from; a thread or a batch item adds its own layer. */
  inputs: EndpointInputs;
  /** The settings in force before any thread or item, traced to their source (`gpt endpoints`). */
  inForce: EffectiveSettings;
  connection: Connection;
  saveConversations: boolean;
  keepConversations: number;
  schemaMode?: string;
}

type Env = Record<string, string | undefined>;

/** Precedence (see resolveEndpoint): flags > thread > profile > environment > config file > built-in defaults. */
export function resolveSettings(flags: FlagSettings, env: Env, file: ConfigFile, configPath = 'the config file'): Settings {
  const inputs: EndpointInputs = { flags, env, config: file, defaultModel: DEFAULT_MODEL, file: configPath };
  const inForce = resolveEndpoint(inputs);
  return {
    inputs,
    inForce,
    connection: {
      apiKey: inForce.apiKey,
      apiKeyEnv: inForce.apiKeyEnv.value,
      baseURL: inForce.baseURL.value,
      headers: inForce.headers.value,
      timeoutMs: (flags.timeoutSeconds ?? file.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
      maxRetries: flags.maxRetries ?? file.max_retries ?? DEFAULT_MAX_RETRIES,
      proxy: proxySettings(env),
    },
    saveConversations: file.save_conversations ?? true,
    keepConversations: file.keep_conversations ?? DEFAULT_KEEP_CONVERSATIONS,
    schemaMode: file.schema_mode,
  };
}

/** The proxy variables, as curl reads them: the lower-case name first. */
function proxySettings(env: Env): ProxySettings | undefined {
  const read = (name: string) => nonEmpty(env[name.toLowerCase()]) ?? nonEmpty(env[name]);
  const proxy = { httpProxy: read('HTTP_PROXY'), httpsProxy: read('HTTPS_PROXY'), noProxy: read('NO_PROXY') ?? '' };
  return proxy.httpProxy || proxy.httpsProxy ? proxy : undefined;
}

const nonEmpty = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value);

const FIELD_TYPES: Record<keyof ConfigFile, 'string' | 'number' | 'boolean' | 'checked below'> = {
  model: 'string',
  system: 'string',
  base_url: 'string',
  temperature: 'number',
  max_tokens: 'number',
  timeout: 'number',
  max_retries: 'number',
  save_conversations: 'boolean',
  keep_conversations: 'number',
  endpoint: 'checked below',
  endpoints: 'checked below',
  models: 'checked below',
  reasoning_effort: 'checked below',
  schema_mode: 'string',
};

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
    if (expected === 'checked below') continue;
    if (typeof field !== expected) {
      throw new GptError(ExitCode.config, `setting '${key}' in ${file} must be a ${expected}`, fix);
    }
    const limit = (NUMBER_LIMITS as Record<string, NumberLimit>)[key];
    if (limit && !withinLimit(field, limit)) {
      throw new GptError(ExitCode.config, `setting '${key}' in ${file} must be ${describeLimit(limit)}`, fix);
    }
  }
  return { ...(value as ConfigFile), ...validateProfileConfig(value as Record<string, unknown>, file) };
}
