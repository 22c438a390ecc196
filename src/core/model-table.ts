// The vocabulary of the table; src/core/models.ts applies it.
export const EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;
export type Effort = (typeof EFFORTS)[number];
export const TOKEN_FIELDS = ['max_tokens', 'max_completion_tokens'] as const;
export type TokenField = (typeof TOKEN_FIELDS)[number];
/** Whether the model takes temperature and top_p: always, never, or only with reasoning effort `none`. */
export const SAMPLING = ['always', 'never', 'effort_none'] as const;
export type Sampling = (typeof SAMPLING)[number];

/**
 * What we know of one model, in the words of the config's `models:` map (and of the
 * built-in table). Every field is optional: an absent one means "not known", and the
 * request is then sent as given.
 */
export interface ModelEntry {
  max_tokens_field?: TokenField;
  sampling?: Sampling;
  /** The efforts it takes; [] means it takes no `reasoning_effort` at all. */
  reasoning_efforts?: Effort[];
  /** What the server uses when no effort is sent (decides `sampling: effort_none`). */
  default_reasoning_effort?: Effort;
  images?: boolean;
  files?: boolean;
  /** Served by the Responses API only: Chat Completions answers 404. */
  responses_only?: boolean;
  /** US dollars per million tokens. */
  input_price?: number;
  output_price?: number;
  cached_input_price?: number;
  /** Tokens of prompt and reply together. */
  context_window?: number;
}

/** Model name (or pattern with `*`, `?`, `[..]`) → what to change in the table. */
export type ModelsMap = Record<string, ModelEntry>;

/**
 * What we know of OpenAI's models, as data. Keys are name patterns (`*` any text, `?` one
 * character, `[1-9]` a class), tried top to bottom: the FIRST match wins, so put the narrow
 * patterns above the broad ones. A model that matches nothing keeps the behaviour of a plain
 * Chat Completions model (`max_tokens`, any temperature, no check of reasoning efforts).
 *
 * The entries use the same fields as the config's `models:` map, so a user who needs to
 * correct one copies it into the config. Sources: the OpenAI API reference and its 400s
 * (checked late 2026). Update when models change.
 */
export const BUILT_IN_MODELS: ReadonlyArray<readonly [pattern: string, entry: ModelEntry]> = [
  // Pro and Codex models are served by the Responses API only; Chat Completions answers 404.
  ['gpt-5-pro*', { ...reasoning(), reasoning_efforts: ['high'], default_reasoning_effort: 'high', responses_only: true }],
  ['gpt-5.*-pro*', { ...reasoning(), reasoning_efforts: ['medium', 'high', 'xhigh'], default_reasoning_effort: 'high', responses_only: true }],
  ['gpt-5*codex*', { ...reasoning(), responses_only: true }],
  // The ChatGPT snapshots: gpt-5-chat takes a temperature; the later ones take only effort medium.
  ['gpt-5-chat*', { max_tokens_field: 'max_completion_tokens', sampling: 'always', images: true }],
  ['gpt-5.*-chat*', { max_tokens_field: 'max_completion_tokens', reasoning_efforts: ['medium'], default_reasoning_effort: 'medium', images: true }],
  // gpt-5.1 and later take a temperature with effort `none`, which is the default up to
  // gpt-5.4; from gpt-5.5 the default is medium, so -t needs --reasoning-effort none.
  ['gpt-5.1*', { ...reasoning(), sampling: 'effort_none', reasoning_efforts: ['none', 'low', 'medium', 'high'], default_reasoning_effort: 'none' }],
  [
    'gpt-5.[2-4]*',
    { ...reasoning(), sampling: 'effort_none', reasoning_efforts: ['none', 'low', 'medium', 'high', 'xhigh'], default_reasoning_effort: 'none' },
  ],
  ['gpt-5.*', { ...reasoning(), sampling: 'effort_none', reasoning_efforts: ['none', 'low', 'medium', 'high', 'xhigh'], default_reasoning_effort: 'medium' }],
  // gpt-5, gpt-5-mini, gpt-5-nano (and their dated snapshots): never a temperature.
  ['gpt-5*', { ...reasoning(), reasoning_efforts: ['minimal', 'low', 'medium', 'high'], default_reasoning_effort: 'medium' }],
  // The first o1 previews took no reasoning_effort, no images and no system prompt.
  ['o1-mini*', { ...reasoning(), reasoning_efforts: [], images: false, files: false }],
  ['o1-preview*', { ...reasoning(), reasoning_efforts: [], images: false, files: false }],
  ['o[1-9]*-pro*', { ...reasoning(), responses_only: true }],
  ['o[1-9]*deep-research*', { ...reasoning(), responses_only: true }],
  ['o[1-9]*', { ...reasoning(), reasoning_efforts: ['low', 'medium', 'high'], default_reasoning_effort: 'medium' }],
  // Plain chat models: today's request shape, and no reasoning effort.
  ['gpt-4.1*', { max_tokens_field: 'max_tokens', sampling: 'always', reasoning_efforts: [], images: true, files: true }],
  ['gpt-4o*', { max_tokens_field: 'max_tokens', sampling: 'always', reasoning_efforts: [], images: true, files: true }],
  ['gpt-4*', { max_tokens_field: 'max_tokens', sampling: 'always', reasoning_efforts: [] }],
  ['gpt-3.5*', { max_tokens_field: 'max_tokens', sampling: 'always', reasoning_efforts: [], images: false, files: false }],
];

/** What every OpenAI reasoning model shares. */
function reasoning(): ModelEntry {
  return { max_tokens_field: 'max_completion_tokens', sampling: 'never', images: true, files: true };
}
