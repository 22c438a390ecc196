/**
 * Says on stderr when the SDK is about to retry (`gpt: retrying in 2 s (1 of 2): 429 rate limited`).
 *
 * It watches the SDK's requests through `fetch` (a public client option) and applies the SDK's
 * documented rules: it retries 408, 409, 429 and 5xx (or what `x-should-retry` says) and failed
 * connections while `x-stainless-retry-count` is below maxRetries, after `retry-after(-ms)` or its
 * back-off. The SDK's own log lines would also tell, but their wording is no contract and they
 * carry neither the status text nor the wait; a changed rule here costs a wrong notice, not a request.
 */
export function fetchWithRetryNotice(notice: (line: string) => void, maxRetries: number, timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const attempt = Number(new Headers(init?.headers).get('x-stainless-retry-count') ?? 0);
    const retriesLeft = attempt < maxRetries;
    const started = performance.now();
    let response: Response;
    try {
      response = await fetch(input, init);
    } catch (error) {
      // The SDK aborts a request at its timeout and retries it; an abort before then is the
      // caller's (Ctrl-C, the idle timer), which the SDK does not retry.
      const timedOut = init?.signal?.aborted === true && performance.now() - started >= timeoutMs - 20;
      if (retriesLeft && (timedOut || !init?.signal?.aborted)) {
        const what = timedOut ? `no answer within ${timeoutMs / 1000}s` : 'cannot connect';
        notice(`gpt: retrying in about ${seconds(backoffMs(attempt))} (${attempt + 1} of ${maxRetries}): ${what}`);
      }
      throw error;
    }
    if (retriesLeft && sdkRetries(response)) {
      const wait = retryAfterMs(response.headers);
      const when = wait === undefined ? `in about ${seconds(backoffMs(attempt))}` : `in ${seconds(wait)}`;
      notice(`gpt: retrying ${when} (${attempt + 1} of ${maxRetries}): ${response.status} ${statusText(response.status)}`);
    }
    return response;
  };
}

function sdkRetries(response: Response): boolean {
  const header = response.headers.get('x-should-retry');
  if (header === 'true') return true;
  if (header === 'false') return false;
  return [408, 409, 429].includes(response.status) || response.status >= 500;
}

function retryAfterMs(headers: Headers): number | undefined {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (!Number.isNaN(ms)) return ms;
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const secs = Number.parseFloat(value);
  return Number.isNaN(secs) ? Math.max(0, Date.parse(value) - Date.now()) : secs * 1000;
}

/** The SDK's back-off without its jitter (which shortens it by up to a quarter). */
function backoffMs(attempt: number): number {
  return Math.min(0.5 * 2 ** attempt, 8) * 1000;
}

const seconds = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(1))} s`);

function statusText(status: number): string {
  if (status === 429) return 'rate limited';
  if (status === 408) return 'request timeout';
  if (status === 409) return 'conflict';
  return status >= 500 ? 'server error' : 'error';
}
