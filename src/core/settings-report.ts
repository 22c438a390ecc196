import type { EffectiveSettings, Traced } from './endpoints.js';
import { resolveModel, type ModelEntry } from './models.js';
import type { SettingSource } from './types.js';

export interface SettingRow {
  setting: string;
  value: string;
  source: SettingSource;
  from: string;
}

/** The settings in force as rows for `gpt endpoints` (text or --json). Never the key itself. */
export function describeSettings(settings: EffectiveSettings): SettingRow[] {
  const row = (setting: string, traced: Traced<unknown>, value: string): SettingRow => ({ setting, value, source: traced.source, from: traced.from });
  const show = (value: unknown, none: string) => (value === undefined ? none : String(value));
  const keyEnv = settings.apiKeyEnv.value;
  const { entry, from } = resolveModel(settings.model.value, settings.capabilities);
  return [
    row('endpoint', settings.endpoint, show(settings.endpoint.value, '(none)')),
    row('base_url', settings.baseURL, show(settings.baseURL.value, 'https://api.openai.com/v1')),
    row('api_key', settings.apiKeyEnv, keyEnv === undefined ? '(none)' : `${keyEnv} (${settings.apiKey ? 'set' : 'not set'})`),
    row('model', settings.model, settings.model.value),
    { setting: 'model table', value: describeEntry(entry), source: tableSource(from), from: from.join(', ') || 'unknown model: sent as given' },
    row('reasoning_effort', settings.reasoningEffort, show(settings.reasoningEffort.value, "(the model's default)")),
    row('temperature', settings.temperature, show(settings.temperature.value, "(the model's default)")),
    row('max_tokens', settings.maxTokens, show(settings.maxTokens.value, '(no limit)')),
    row('headers', settings.headers, Object.keys(settings.headers.value).join(', ') || '(none)'),
    row('stream_options', settings.streamOptions, String(settings.streamOptions.value)),
  ];
}

function tableSource(from: readonly string[]): SettingSource {
  if (from.some((f) => f.startsWith('endpoint'))) return 'profile';
  return from.some((f) => f.startsWith('models.')) ? 'config' : 'default';
}

function describeEntry(entry: ModelEntry): string {
  const parts = [
    entry.max_tokens_field ?? 'max_tokens',
    `temperature ${entry.sampling === 'effort_none' ? 'only with effort none' : (entry.sampling ?? 'always')}`,
  ];
  if (entry.reasoning_efforts) parts.push(`efforts ${entry.reasoning_efforts.join(',') || 'none taken'}`);
  return parts.join('; ');
}

/** Rows as aligned text: setting, value, then where it came from. */
export function formatSettingRows(rows: readonly SettingRow[]): string {
  const width = (pick: (r: SettingRow) => string) => Math.max(...rows.map((r) => pick(r).length));
  const w1 = width((r) => r.setting);
  const w2 = width((r) => r.value);
  return rows.map((r) => `${r.setting.padEnd(w1)}  ${r.value.padEnd(w2)}  ${r.source}: ${r.from}`.trimEnd()).join('\n');
}
