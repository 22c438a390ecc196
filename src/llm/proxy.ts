import type { ProxySettings } from '../core/config.js';

/**
 * Node's fetch ignores HTTP(S)_PROXY and NO_PROXY; undici's EnvHttpProxyAgent honours them as
 * curl does (NO_PROXY hosts, domains and ports, `*`). Loaded only when a proxy is set. undici 6:
 * 7.x needs Node 20.18.1, above our floor.
 */
export function proxyDispatcher(proxy: ProxySettings | undefined): object | undefined {
  if (!proxy) return undefined;
  // Outside the bundle (build.mjs), and the bundle is CommonJS run from a vm script, where
  // import() of another file fails: so require.
  const { EnvHttpProxyAgent } = require('undici') as typeof import('undici');
  // Its one "experimental" process warning would be a line on stderr in every run behind a proxy.
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: never[]) => {
    const code = rest[0] as { code?: string } | string | undefined;
    if (typeof code === 'object' && code?.code === 'UNDICI-EHPA') return;
    emitWarning.call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return new EnvHttpProxyAgent(proxy);
  } finally {
    process.emitWarning = emitWarning;
  }
}
