import { requestSettings } from '../core/endpoints.js';
import { GptError, formatError } from '../core/errors.js';
import { describeSettings, formatSettingRows } from '../core/settings-report.js';
import { chatRequest } from '../llm/client.js';
import type { Deps } from './deps.js';

export interface EndpointsOptions {
  json: boolean;
}

/**
 * `gpt endpoints`: the profiles of the config, then each setting in force with where it came
 * from (flag, env, thread, profile, config, default). The key itself is never shown.
 */
export async function runEndpoints(options: EndpointsOptions, deps: Deps): Promise<void> {
  const { inputs, inForce } = deps.settings;
  const active = inForce.endpoint.value;
  const profiles = Object.entries(inputs.config.endpoints ?? {}).map(([name, p]) => ({
    name,
    base_url: p.base_url,
    api_key_env: p.api_key_env ?? null,
    model: p.model ?? null,
    in_force: name === active,
  }));
  const rows = describeSettings(inForce);
  const refused = refusal(deps);
  if (options.json) {
    deps.out(`${JSON.stringify({ config_file: inputs.file, endpoints: profiles, settings: rows, refused: refused ?? null })}\n`);
    return;
  }
  const lines = [`config: ${inputs.file}`];
  if (profiles.length === 0) lines.push('endpoints: none (add an endpoints: map to the config)');
  else {
    lines.push('endpoints:');
    const width = Math.max(...profiles.map((p) => p.name.length));
    for (const p of profiles) {
      const key = p.api_key_env ? `key from ${p.api_key_env}` : 'no key';
      lines.push(`${p.in_force ? '*' : ' '} ${p.name.padEnd(width)}  ${p.base_url}  ${key}${p.model ? `  model ${p.model}` : ''}`);
    }
  }
  lines.push('', 'settings in force:', formatSettingRows(rows));
  if (refused) lines.push('', `a request with these settings would be refused: ${refused}`);
  deps.out(`${lines.join('\n')}\n`);
}

/** What a request would be refused for (a temperature the model cannot take, say), or undefined. */
function refusal(deps: Deps): string | undefined {
  try {
    chatRequest(requestSettings(deps.settings.inForce), []);
    return undefined;
  } catch (error) {
    if (error instanceof GptError) return formatError(error).replace(/^gpt: /, '');
    throw error;
  }
}
