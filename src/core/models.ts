import { checkFields, configError, isMapping, type FieldKind } from './fields.js';
import { usageError, type GptError } from './errors.js';
import {
  BUILT_IN_MODELS,
  EFFORTS,
  SAMPLING,
  TOKEN_FIELDS,
  type Effort,
  type ModelEntry,
  type ModelsMap,
  type Sampling,
  type TokenField,
} from './model-table.js';
import type { SettingSource } from './types.js';

export { EFFORTS, SAMPLING, TOKEN_FIELDS } from './model-table.js';
export type { Effort, ModelEntry, ModelsMap, Sampling, TokenField } from './model-table.js';

/** What an endpoint profile may correct for every model it serves, or for some. */
export interface EndpointCapabilities {
  max_tokens_field?: TokenField;
  /** false: the server refuses `stream_options`, so streamed replies come without usage. */
  stream_options?: boolean;
  models?: ModelsMap;
}

/** The layers over the built-in table, weakest first: the config's `models:`, then the profile. */
export interface CapabilityLayers {
  config?: ModelsMap;
  endpoint?: EndpointCapabilities;
}

const PRICE = { number: { min: 0, max: 1_000_000, integer: false } } as const;
const MODEL_FIELDS: Record<keyof ModelEntry, FieldKind> = {
  max_tokens_field: { oneOf: TOKEN_FIELDS },
  sampling: { oneOf: SAMPLING },
  reasoning_efforts: { listOf: EFFORTS },
  default_reasoning_effort: { oneOf: EFFORTS },
  images: 'boolean',
  files: 'boolean',
  responses_only: 'boolean',
  input_price: PRICE,
  output_price: PRICE,
  cached_input_price: PRICE,
  context_window: { number: { min: 1, max: 100_000_000, integer: true } },
};

/** Checks a `models:` map from the config (or from a profile, named by `where`). */
export function validateModelsMap(value: unknown, file: string, where = ''): ModelsMap {
  if (!isMapping(value)) throw configError(`'models'${where} in ${file} must map model names to settings`, `fix it in ${file}`);
  for (const [name, entry] of Object.entries(value)) {
    if (name.trim() === '') throw configError(`an empty model name in 'models'${where} in ${file}`, `fix it in ${file}`);
    checkFields(entry, MODEL_FIELDS, `of model '${name}'${where}`, file);
  }
  return value as ModelsMap;
}

/** A model's entry with every layer applied, and the names of the layers that said something. */
export interface ResolvedModel {
  entry: ModelEntry;
  from: string[];
}

export function resolveModel(model: string, layers: CapabilityLayers = {}): ResolvedModel {
  const from: string[] = [];
  let entry: ModelEntry = {};
  const apply = (found: [string, ModelEntry] | undefined, label: (key: string) => string) => {
    if (!found) return;
    entry = { ...entry, ...found[1] };
    from.push(label(found[0]));
  };
  apply(firstMatch(model, BUILT_IN_MODELS), (key) => `built-in ${key}`);
  apply(mapMatch(model, layers.config), (key) => `models.${key}`);
  const endpointTokenField = layers.endpoint?.max_tokens_field;
  if (endpointTokenField) apply(['max_tokens_field', { max_tokens_field: endpointTokenField }], (key) => `endpoint ${key}`);
  apply(mapMatch(model, layers.endpoint?.models), (key) => `endpoint models.${key}`);
  return { entry, from };
}

/** The exact name wins over patterns; patterns are tried in the order they were written. */
function mapMatch(model: string, map: ModelsMap | undefined): [string, ModelEntry] | undefined {
  if (!map) return undefined;
  const exact = Object.keys(map).find((key) => key.toLowerCase() === model.toLowerCase());
  if (exact !== undefined) return [exact, map[exact]!];
  return firstMatch(
    model,
    Object.entries(map).filter(([key]) => /[*?[]/.test(key)),
  );
}

function firstMatch(model: string, entries: ReadonlyArray<readonly [string, ModelEntry]>): [string, ModelEntry] | undefined {
  // Routers and gateways prefix the vendor ("openai/gpt-5-mini"); the table knows the bare name.
  const bare = model.slice(model.lastIndexOf('/') + 1);
  const found = entries.find(([pattern]) => matchesPattern(pattern, model) || matchesPattern(pattern, bare));
  return found && [found[0], found[1]];
}

/** A name pattern: `*` any text, `?` one character, `[a-z]` a class; case is ignored. */
export function matchesPattern(pattern: string, name: string): boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const close = c === '[' ? pattern.indexOf(']', i + 2) : -1;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (close > 0) {
      source += `[${pattern.slice(i + 1, close).replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'i').test(name);
}

/** The request settings that depend on what the model takes. */
export interface Knobs {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  reasoningEffort?: Effort;
}
type Knob = keyof Knobs;

/** The body fields for these knobs, ready to spread into a Chat Completions request. */
export interface BodyFields {
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  reasoning_effort?: Effort;
}

export interface RequestShape {
  fields: BodyFields;
  /** Whether to ask for usage in a stream (`stream_options`). */
  streamUsage: boolean;
  /** Config defaults left out because this model cannot take them (say so with --verbose). */
  dropped: { setting: string; reason: string }[];
  entry: ModelEntry;
}

/** A setting the model cannot take: refuse before sending (exit 2). */
export interface Refusal {
  refused: Knob;
  flag: string;
  message: string;
  hint: string;
}

const FLAGS: Record<Knob, string> = {
  maxTokens: '--max-tokens',
  temperature: '--temperature',
  topP: '--top-p',
  reasoningEffort: '--reasoning-effort',
};
const CONFIG_KEYS: Record<Knob, string> = {
  maxTokens: 'max_tokens',
  temperature: 'temperature',
  topP: 'top_p',
  reasoningEffort: 'reasoning_effort',
};

/** Where a knob came from; a default (config, built-in) that does not fit the model is dropped, not refused. */
export type KnobSources = Partial<Record<Knob, SettingSource>>;
const isDefault = (source: SettingSource | undefined) => source === 'config' || source === 'default';

/**
 * Decides the body fields for a model: the name of the token limit, and whether temperature,
 * top_p and the reasoning effort may be sent with the other settings in force. A knob the
 * user set that the model cannot take is a Refusal naming the model and the flag.
 */
export function shapeRequest(model: string, knobs: Knobs, layers: CapabilityLayers = {}, sources: KnobSources = {}): RequestShape | Refusal {
  const { entry } = resolveModel(model, layers);
  const fields: BodyFields = {};
  const dropped: RequestShape['dropped'] = [];
  const refuse = (knob: Knob, what: string, hint: string): Refusal => {
    const flag = FLAGS[knob];
    const source = sources[knob];
    const byFlag = source === undefined || source === 'flag';
    const setBy = byFlag ? '' : `, set by the ${source === 'item' ? 'batch item' : source}`;
    return { refused: knob, flag, message: `${model} takes no ${byFlag ? flag : CONFIG_KEYS[knob]}${what}${setBy}`, hint };
  };
  const modelFix = (field: string, value: string) => `or, if this server's ${model} does take it, set models: {${model}: {${field}: ${value}}} in the config`;

  let effort = knobs.reasoningEffort;
  const efforts = entry.reasoning_efforts;
  if (effort !== undefined && efforts && !efforts.includes(effort)) {
    const what = efforts.length === 0 ? ' (it is not a reasoning model)' : ` ${effort} (it takes ${efforts.join(', ')})`;
    if (!isDefault(sources.reasoningEffort)) {
      const valueFix = efforts.length === 0 ? 'drop --reasoning-effort' : `use --reasoning-effort ${efforts.join('|')}`;
      return refuse('reasoningEffort', what, `${valueFix}, ${modelFix('reasoning_efforts', `[${effort}]`)}`);
    }
    dropped.push({ setting: 'reasoning_effort', reason: `${model} takes no reasoning_effort ${effort}` });
    effort = undefined;
  }
  if (effort !== undefined) fields.reasoning_effort = effort;

  const inForce = effort ?? entry.default_reasoning_effort;
  for (const knob of ['temperature', 'topP'] as const) {
    const value = knobs[knob];
    if (value === undefined) continue;
    const why = samplingRefused(entry.sampling, inForce, value);
    if (why === undefined) {
      fields[knob === 'topP' ? 'top_p' : 'temperature'] = value;
    } else if (why === 'default value' || isDefault(sources[knob])) {
      // 1 is what reasoning models use anyway; a config default is not aimed at this model.
      if (why !== 'default value') dropped.push({ setting: CONFIG_KEYS[knob], reason: `${model} takes no ${CONFIG_KEYS[knob]}${why}` });
    } else {
      const fix = why.startsWith(' with') ? `drop ${FLAGS[knob]}, or use --reasoning-effort none` : `drop ${FLAGS[knob]}`;
      return refuse(knob, why, `${fix}, ${modelFix('sampling', 'always')}`);
    }
  }

  if (knobs.maxTokens !== undefined) fields[entry.max_tokens_field ?? 'max_tokens'] = knobs.maxTokens;
  return { fields, streamUsage: layers.endpoint?.stream_options ?? true, dropped, entry };
}

/** Why a temperature/top_p value cannot be sent (a phrase to append), or undefined when it can. */
function samplingRefused(sampling: Sampling | undefined, effort: Effort | undefined, value: number): string | undefined {
  if (sampling === undefined || sampling === 'always') return undefined;
  if (sampling === 'effort_none' && (effort === undefined || effort === 'none')) return undefined;
  if (value === 1) return 'default value';
  if (sampling === 'never') return ' (reasoning models use 1)';
  return ` with reasoning effort ${effort} (only with none)`;
}

export function isRefusal(shape: RequestShape | Refusal): shape is Refusal {
  return 'refused' in shape;
}

/** The shape, or the refusal as a usage error (exit 2) for the caller to throw. */
export function shapeOrError(...args: Parameters<typeof shapeRequest>): RequestShape | GptError {
  const shape = shapeRequest(...args);
  return isRefusal(shape) ? usageError(shape.message, shape.hint) : shape;
}

/** Parses a --reasoning-effort value (commander parser, config, batch items). */
export function parseEffort(value: string): Effort | undefined {
  return (EFFORTS as readonly string[]).includes(value) ? (value as Effort) : undefined;
}

/** A model name from a flag, the environment or a file: not empty, one line. Returns it trimmed. */
export function checkModelName(value: string, name = '--model'): string {
  const text = value.trim();
  if (text === '' || /\p{Cc}/u.test(text)) {
    throw usageError(`${name} needs a model name${text === '' ? '' : ' on one line'}`, 'gpt models lists the names this endpoint serves');
  }
  return text;
}
