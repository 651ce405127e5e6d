// The one HTTP call of the entry point's prefetches (the OIDC token, the token exchange): node:http
// or node:https as the URL says, bounded in time, never following a redirect (node:http does not),
// never retried. A prefetch is only an optimisation: any failure is an undefined answer, and the
// library path behind it (oidc.ts, google-auth-library) asks again and reports what went wrong.
import type { request as httpRequest } from 'node:http';
import { scaled } from '../gcp/timeout.ts';

/**
 * node:https loads TLS (~10 ms at start): taken when the URL needs it, not at every start (the
 * runner's OIDC endpoint is https; an emulator's, or a proxy-less test's, may be plain http).
 */
const requestFor = (url: string): typeof httpRequest =>
  url.startsWith('https:')
    ? process.getBuiltinModule('node:https').request
    : process.getBuiltinModule('node:http').request;

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

/**
 * Retry-After as delta-seconds or an HTTP date (RFC 9110 10.2.3), in ms. Parsed here rather than
 * imported from gcp/errors.ts, which would load the error model before the entry point needs it.
 */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
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
export function prefetchAnswer(
  url: string,
  init: PrefetchRequest,
  hooks: PrefetchHooks = {},
): Promise<RecordedAnswer | undefined> {
  const onSent = hooks.onSent ?? (() => undefined);
  const method = init.method ?? 'GET';
  return new Promise((resolve) => {
    const done = (v: RecordedAnswer | undefined) => {
      onSent();
      resolve(v);
    };
    const request = requestFor(url);
    let req: ReturnType<typeof httpRequest>;
    try {
      req = request(url, { method, headers: init.headers, timeout: PREFETCH_TIMEOUT_MS }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          done({ method, url, status: res.statusCode ?? 0, headers, body });
        });
        res.on('error', () => done(undefined));
      });
    } catch {
      // A header node:http refuses (it validates names and values): no request was made.
      return done(undefined);
    }
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(undefined));
    req.on('finish', onSent);
    req.end(init.body);
  });
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
