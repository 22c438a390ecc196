import { ExitCode, GptError } from './errors.js';
import { checkFields, configError, isMapping, type FieldKind } from './fields.js';
import {
  EFFORTS,
  TOKEN_FIELDS,
  validateModelsMap,
  type CapabilityLayers,
  type Effort,
  type EndpointCapabilities,
  type KnobSources,
  type ModelsMap,
} from './models.js';
import type { Env, SettingSource } from './types.js';

/** One entry of the config's `endpoints:` map. Keys are never in it: `api_key_env` names the variable. */
export interface EndpointProfile extends EndpointCapabilities {
  base_url: string;
  api_key_env?: string;
  model?: string;
  headers?: Record<string, string>;
}

/** The config settings that pick an endpoint and describe models (part of ConfigFile). */
export interface ProfileConfig {
  endpoint?: string;
  endpoints?: Record<string, EndpointProfile>;
  models?: ModelsMap;
  reasoning_effort?: Effort;
}

const PROFILE_FIELDS: Record<keyof EndpointProfile, FieldKind> = {
  base_url: 'string',
  api_key_env: 'string',
  model: 'string',
  headers: 'stringMap',
  max_tokens_field: { oneOf: TOKEN_FIELDS },
  stream_options: 'boolean',
  models: 'mapping',
};
/** Keys a person might write a secret under; refused with a pointer to api_key_env. */
const SECRET_KEYS = /^(api_?key|key|token|secret|password|bearer)$/i;
/** Headers that carry credentials; the key goes in a variable named by api_key_env instead. */
const SECRET_HEADERS = /^(authorization|proxy-authorization|x-api-key|api-key)$/i;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Checks the settings of this issue in a parsed config document (`endpoint`, `endpoints`,
 * `models`, `reasoning_effort`); other keys are validateConfig's job and are ignored here.
 */
export function validateProfileConfig(doc: Record<string, unknown>, file: string): ProfileConfig {
  const out: ProfileConfig = {};
  if (doc.models !== undefined) out.models = validateModelsMap(doc.models, file);
  if (doc.reasoning_effort !== undefined) {
    checkFields({ reasoning_effort: doc.reasoning_effort }, { reasoning_effort: { oneOf: EFFORTS } }, '', file);
    out.reasoning_effort = doc.reasoning_effort as Effort;
  }
  if (doc.endpoints !== undefined) out.endpoints = validateEndpoints(doc.endpoints, file);
  if (doc.endpoint !== undefined) {
    const known = Object.keys(out.endpoints ?? {});
    if (typeof doc.endpoint !== 'string' || !known.includes(doc.endpoint)) {
      throw configError(`setting 'endpoint' in ${file} must name one of its endpoints`, knownHint(known, file));
    }
    out.endpoint = doc.endpoint;
  }
  return out;
}

function validateEndpoints(value: unknown, file: string): Record<string, EndpointProfile> {
  if (!isMapping(value)) throw configError(`'endpoints' in ${file} must map names to endpoint settings`, `fix it in ${file}`);
  for (const [name, profile] of Object.entries(value)) {
    const what = `of endpoint '${name}'`;
    if (!PROFILE_NAME.test(name)) {
      throw configError(`endpoint name '${name}' in ${file} must be letters, digits, '.', '_' or '-'`, `rename it in ${file}`);
    }
    for (const key of isMapping(profile) ? Object.keys(profile) : []) {
      if (SECRET_KEYS.test(key)) {
        throw configError(
          `setting '${key}' ${what} in ${file}: keys are never written in the config`,
          `remove it, put the key in a variable and name that with api_key_env: MY_KEY`,
        );
      }
    }
    const fields = checkFields(profile, PROFILE_FIELDS, what, file);
    if (fields.base_url === undefined) throw configError(`endpoint '${name}' in ${file} has no base_url`, `add base_url: https://.../v1`);
    checkBaseURL(fields.base_url as string, 'profile', `base_url ${what} in ${file}`);
    const envName = fields.api_key_env as string | undefined;
    if (envName !== undefined && !ENV_NAME.test(envName)) {
      throw configError(
        `setting 'api_key_env' ${what} in ${file} must be the NAME of a variable, like OPENAI_API_KEY`,
        'keys are never written in the config: remove it and export the key in a variable',
      );
    }
    for (const header of Object.keys((fields.headers as Record<string, string> | undefined) ?? {})) {
      if (SECRET_HEADERS.test(header)) {
        throw configError(
          `header '${header}' ${what} in ${file} would write a credential in the config`,
          'remove it; the key goes in a variable named by api_key_env',
        );
      }
    }
    if (fields.models !== undefined) validateModelsMap(fields.models, file, ` of endpoint '${name}'`);
  }
  return value as Record<string, EndpointProfile>;
}

/**
 * The one check of a base URL, wherever it comes from: an http(s) URL with a host, no
 * credentials, and not the full /chat/completions address. Returns it without surrounding
 * spaces. A flag is a usage error (exit 2); anything else a config error (exit 3).
 */
export function checkBaseURL(value: string, source: SettingSource, name = BASE_URL_NAMES[source]): string {
  const text = value.trim();
  // A flag or a variable is set on the command line (README: exit 2); a file is configuration (exit 3).
  const fail = (why: string, hint: string) => new GptError(source === 'flag' || source === 'env' ? ExitCode.usage : ExitCode.config, `${name} ${why}`, hint);
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  // `127.0.0.1:8080/v1` parses as a URL of scheme "127.0.0.1:", and would fail as a network error after every retry.
  if (!url || !/^https?:$/.test(url.protocol) || url.hostname === '') {
    const schemeless = text !== '' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(text);
    throw fail(`'${text}' is not a URL starting with http:// or https://`, `write it as http://${schemeless ? text : 'HOST:PORT/v1'}`);
  }
  if (url.username || url.password) {
    throw fail('holds a user name or password', 'remove them; the key goes in OPENAI_API_KEY or the variable named by api_key_env');
  }
  if (/\/chat\/completions\/?$/.test(url.pathname)) {
    throw fail(`'${text}' is a full request address`, `give the base, without /chat/completions: ${text.replace(/\/chat\/completions\/?$/, '')}`);
  }
  return text;
}

const BASE_URL_NAMES: Record<SettingSource, string> = {
  flag: '--base-url',
  env: 'OPENAI_BASE_URL',
  config: 'base_url in the config file',
  profile: 'base_url of the endpoint',
  thread: 'base_url of the thread',
  item: 'base_url of the batch item',
  default: 'the default base URL',
};

/** A setting in force and where it came from: the answer to "why is it sending the wrong model?". */
export interface Traced<T> {
  value: T;
  source: SettingSource;
  /** The flag, variable or config key it was read from. */
  from: string;
}

export interface EffectiveSettings {
  /** The profile in force, if any. */
  endpoint: Traced<string | undefined>;
  /** undefined: the OpenAI API. */
  baseURL: Traced<string | undefined>;
  /** The variable the key is read from; undefined when the profile takes no key. */
  apiKeyEnv: Traced<string | undefined>;
  /** The key itself: pass it to the client, never print it. */
  apiKey: string | undefined;
  model: Traced<string>;
  system: Traced<string | undefined>;
  /** undefined: none sent, the model's default applies. */
  reasoningEffort: Traced<Effort | undefined>;
  temperature: Traced<number | undefined>;
  maxTokens: Traced<number | undefined>;
  headers: Traced<Record<string, string>>;
  streamOptions: Traced<boolean>;
  /** For shapeRequest. */
  capabilities: CapabilityLayers;
}

/**
 * The request settings a layer may set: the ONE shape shared by flags, batch items and
 * (in their own words) the config file and thread headers. undefined means "not set here".
 */
export interface RequestLayer {
  model?: string;
  system?: string;
  temperature?: number;
  maxTokens?: number;
  reasoningEffort?: Effort;
}

/** What flags may set: the request settings, plus which endpoint to talk to. */
export interface EndpointFlags extends RequestLayer {
  endpoint?: string;
  baseURL?: string;
}

/** What a thread remembers: its model counts only on the endpoint it was made with. */
export interface ThreadSettings {
  endpoint?: string;
  model?: string;
  system?: string;
  reasoning_effort?: Effort;
}

/** The part of the config file the merge reads (ConfigFile extends it). */
export interface RequestConfig extends ProfileConfig {
  model?: string;
  system?: string;
  base_url?: string;
  temperature?: number;
  max_tokens?: number;
}

export interface EndpointInputs {
  flags: EndpointFlags;
  env: Env;
  config: RequestConfig;
  /** A batch item's own fields: they win over flags, which are defaults for every item. */
  item?: RequestLayer;
  thread?: ThreadSettings;
  defaultModel: string;
  /** The config file, for messages. */
  file: string;
}

type Candidate<T> = [value: T | undefined, source: SettingSource, from: string];

/** The first candidate that has a value; a default always has one. */
function first<T>(...candidates: [...Candidate<T>[], [T, 'default', string]]): Traced<T>;
function first<T>(...candidates: Candidate<T>[]): Traced<T | undefined>;
function first<T>(...candidates: Candidate<T>[]): Traced<T | undefined> {
  for (const [value, source, from] of candidates) if (value !== undefined) return { value, source, from };
  return { value: undefined, source: 'default', from: 'none' };
}

const nonEmpty = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

/**
 * THE merge of request settings, used by ask, chat, batch, models and `gpt endpoints`.
 * Picks the profile (--endpoint, GPT_ENDPOINT, the config's `endpoint:`) and merges the
 * settings in force. Precedence: batch item > flag > thread > profile > environment > config
 * > default. A chosen profile outranks the environment so that its key and its base URL
 * always travel together; a profile without api_key_env sends no key at all.
 */
export function resolveEndpoint(inputs: EndpointInputs): EffectiveSettings {
  const { flags, env, config, thread, file } = inputs;
  const item = inputs.item ?? {};
  const endpoint = first<string>(
    [flags.endpoint, 'flag', '--endpoint'],
    [nonEmpty(env.GPT_ENDPOINT), 'env', 'GPT_ENDPOINT'],
    [config.endpoint, 'config', 'endpoint'],
  );
  const name = endpoint.value;
  const profile = name === undefined ? undefined : config.endpoints?.[name];
  if (name !== undefined && !profile) {
    const known = Object.keys(config.endpoints ?? {});
    const message = `no endpoint '${name}' (from ${endpoint.from}) in ${file}`;
    throw new GptError(endpoint.source === 'flag' ? ExitCode.usage : ExitCode.config, message, knownHint(known, file));
  }
  const at = (key: string) => `endpoints.${name}.${key}`;
  const sameEndpoint = thread !== undefined && thread.endpoint === name;

  const baseURL = first<string>(
    [flags.baseURL, 'flag', '--base-url'],
    [profile?.base_url, 'profile', at('base_url')],
    [nonEmpty(env.OPENAI_BASE_URL), 'env', 'OPENAI_BASE_URL'],
    [config.base_url, 'config', 'base_url'],
  );
  if (baseURL.value !== undefined) baseURL.value = checkBaseURL(baseURL.value, baseURL.source, BASE_URL_NAMES[baseURL.source]);
  const apiKeyEnv: Traced<string | undefined> = profile
    ? { value: profile.api_key_env, source: 'profile', from: profile.api_key_env ? at('api_key_env') : `${at('api_key_env')} (none: no key sent)` }
    : { value: 'OPENAI_API_KEY', source: 'default', from: 'OPENAI_API_KEY' };

  return {
    endpoint,
    baseURL,
    apiKeyEnv,
    apiKey: apiKeyEnv.value === undefined ? undefined : nonEmpty(env[apiKeyEnv.value]),
    model: first<string>(
      [item.model, 'item', 'the batch item'],
      [flags.model, 'flag', '--model'],
      [sameEndpoint ? thread.model : undefined, 'thread', 'the thread'],
      [profile?.model, 'profile', at('model')],
      [nonEmpty(env.GPT_MODEL), 'env', 'GPT_MODEL'],
      [config.model, 'config', 'model'],
      [inputs.defaultModel, 'default', 'built-in default'],
    ),
    system: first<string>(
      [item.system, 'item', 'the batch item'],
      [flags.system, 'flag', '--system'],
      [thread?.system, 'thread', 'the thread'],
      [config.system, 'config', 'system'],
    ),
    reasoningEffort: first<Effort>(
      [item.reasoningEffort, 'item', 'the batch item'],
      [flags.reasoningEffort, 'flag', '--reasoning-effort'],
      [sameEndpoint ? thread.reasoning_effort : undefined, 'thread', 'the thread'],
      [config.reasoning_effort, 'config', 'reasoning_effort'],
    ),
    temperature: first<number>(
      [item.temperature, 'item', 'the batch item'],
      [flags.temperature, 'flag', '--temperature'],
      [config.temperature, 'config', 'temperature'],
    ),
    maxTokens: first<number>(
      [item.maxTokens, 'item', 'the batch item'],
      [flags.maxTokens, 'flag', '--max-tokens'],
      [config.max_tokens, 'config', 'max_tokens'],
    ),
    headers: first<Record<string, string>>([profile?.headers, 'profile', at('headers')], [{}, 'default', 'none']),
    streamOptions: first<boolean>([profile?.stream_options, 'profile', at('stream_options')], [true, 'default', 'built-in default']),
    capabilities: { config: config.models, endpoint: profile },
  };
}

/** One request's settings after the merge: the values, and what shaping the body needs. */
export interface RequestSettings {
  model: string;
  system?: string;
  temperature?: number;
  maxTokens?: number;
  reasoningEffort?: Effort;
  /** The profile in force, recorded in new threads (their model counts only there). */
  endpoint?: string;
  /** The profile's stream_options is in capabilities.endpoint too, where shapeRequest reads it. */
  capabilities: CapabilityLayers;
  sources: KnobSources;
}

export function requestSettings(settings: EffectiveSettings): RequestSettings {
  return {
    model: settings.model.value,
    system: settings.system.value,
    temperature: settings.temperature.value,
    maxTokens: settings.maxTokens.value,
    reasoningEffort: settings.reasoningEffort.value,
    endpoint: settings.endpoint.value,
    capabilities: settings.capabilities,
    sources: knobSources(settings),
  };
}

/** Where the knobs of shapeRequest came from, so config defaults that do not fit are dropped, not refused. */
export function knobSources(settings: EffectiveSettings): KnobSources {
  return {
    temperature: settings.temperature.source,
    maxTokens: settings.maxTokens.source,
    reasoningEffort: settings.reasoningEffort.source,
  };
}

function knownHint(known: readonly string[], file: string): string {
  return known.length > 0 ? `known endpoints: ${known.join(', ')}` : `add an endpoints: map to ${file}`;
}
