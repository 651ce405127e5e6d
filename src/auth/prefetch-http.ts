// The one HTTP call of the entry point's prefetches (the OIDC token, the token exchange): one
// exchange on node:http(s) (gcp/node-request.ts), bounded in time, never following a redirect,
// never retried. A prefetch is only an optimisation: any failure is an undefined answer, and the
// library path behind it (oidc.ts, google-auth-library) asks again and reports what went wrong.
import { sendRequest } from '../gcp/node-request.ts';
import { retryAfterMs } from '../gcp/retry-after.ts';
import { scaled } from '../gcp/timeout.ts';

const PREFETCH_TIMEOUT_MS = scaled(15_000);

export interface PrefetchRequest {
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

export interface PrefetchHooks {
  /** The request is flushed to its socket (or failed before): the caller may block the thread. */
  onSent?: () => void;
  /** A refusal's Retry-After, in ms. */
  onRetryAfter?: (ms: number) => void;
}

/** An answer as it came: status, headers and body, for the library to read as if it had asked. */
export interface RecordedAnswer {
  method: string;
  url: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The whole answer, whatever its status; undefined when none came (network, timeout, refused header). */
export async function prefetchAnswer(
  url: string,
  init: PrefetchRequest,
  hooks: PrefetchHooks = {},
): Promise<RecordedAnswer | undefined> {
  const method = init.method ?? 'GET';
  try {
    const answer = await sendRequest(url, {
      method,
      headers: init.headers,
      ...(init.body !== undefined ? { body: init.body } : {}),
      signal: AbortSignal.timeout(PREFETCH_TIMEOUT_MS),
      ...(hooks.onSent ? { onSent: hooks.onSent } : {}),
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(answer.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    return { method, url, status: answer.status, headers, body: answer.body.toString('utf8') };
  } catch {
    return undefined;
  } finally {
    // Sent or failed: either way the caller may now block the thread.
    hooks.onSent?.();
  }
}

/** The parsed JSON body of a 200 answer; undefined for anything else (status, body, network). */
export async function prefetchJson(
  url: string,
  init: PrefetchRequest,
  hooks: PrefetchHooks = {},
): Promise<unknown> {
  const answer = await prefetchAnswer(url, init, hooks);
  if (!answer) return undefined;
  const after = retryAfterMs(answer.headers['retry-after']);
  if (answer.status !== 200 && after !== undefined) hooks.onRetryAfter?.(after);
  if (answer.status !== 200) return undefined;
  try {
    return JSON.parse(answer.body) as unknown;
  } catch {
    return undefined;
  }
}
