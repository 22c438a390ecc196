import { resolveModel, type CapabilityLayers } from './models.js';

/** What a server said when it refused a request (400, 404...). */
export interface Rejection {
  status: number;
  message: string;
  /** The request field it names, when the server says (OpenAI does; most compatible servers do not). */
  param?: string | null;
}

export interface RejectionContext {
  model: string;
  /** The endpoint profile in force, if any. */
  endpoint?: string;
  capabilities?: CapabilityLayers;
}

/**
 * When a server refuses a field that a profile or the `models:` map can change, the setting
 * that fixes it, as a hint ("set ..."); undefined when there is nothing to suggest.
 */
export function fixForRejection(rejection: Rejection, context: RejectionContext): string | undefined {
  const { model, endpoint } = context;
  if (rejection.status === 404 && resolveModel(model, context.capabilities).entry.responses_only) {
    return `${model} is served only by the Responses API, which gpt does not speak; pick another model`;
  }
  if (rejection.status !== 400) return undefined;
  const text = rejection.message;
  const about = (field: string) => rejection.param === field || new RegExp(`\\b${field}\\b`).test(text);
  const forServer = (setting: string) =>
    endpoint ? `set ${setting} in endpoints.${endpoint} of the config` : `give this server an endpoint profile with ${setting} and use --endpoint`;
  const forModel = (setting: string) => `set models: {${model}: {${setting}}} in the config${endpoint ? ` (or under endpoints.${endpoint})` : ''}`;

  if (about('stream_options')) return forServer('stream_options: false');
  if (/use 'max_completion_tokens'/i.test(text)) return forServer('max_tokens_field: max_completion_tokens');
  if (about('max_completion_tokens')) return forServer('max_tokens_field: max_tokens');
  if (about('max_tokens')) return forServer('max_tokens_field: max_completion_tokens');
  if (about('temperature') || about('top_p')) return `drop --temperature/--top-p, or ${forModel('sampling: never')}`;
  if (about('reasoning_effort')) return `use another --reasoning-effort, or ${forModel('reasoning_efforts: [...]')} to have gpt check it`;
  return undefined;
}
