// The GitHub OIDC token, fetched the way @actions/core's getIDToken does (GET
// ACTIONS_ID_TOKEN_REQUEST_URL&audience=..., Bearer ACTIONS_ID_TOKEN_REQUEST_TOKEN, answer
// {"value": jwt}) but bounded: each request has a timeout that really closes its socket, and
// 429, 5xx and broken connections are retried with backoff and Retry-After, because the token
// service is shared by every job on GitHub and throttles.
import { shapeOf } from '../gcp/answer.ts';
import { isTransient, withRetry } from '../gcp/retry.ts';
import { scaled } from '../gcp/timeout.ts';
import { originOf } from '../gcp/transport.ts';
import type { Env } from './endpoints.ts';

const REQUEST_TIMEOUT_MS = 10_000;

/** Shaped like a failed HTTP call (response.status/data/headers, config.url/timeout) so toApiError reads it. */
export class GithubRequestError extends Error {
  readonly service = 'GitHub';
  readonly response: { status: number; data: unknown; headers: Headers } | undefined;
  readonly config: { url: string; timeout: number };
  readonly code: string | undefined;
  constructor(
    message: string,
    url: string,
    timeout: number,
    response?: Response,
    data?: unknown,
    cause?: unknown,
  ) {
    super(message, { cause });
    this.name = 'GithubRequestError';
    this.config = { url, timeout };
    this.response = response ? { status: response.status, data, headers: response.headers } : undefined;
    const code = (cause as { name?: string; cause?: { code?: string } } | undefined)?.cause?.code;
    this.code = (cause as { name?: string } | undefined)?.name === 'TimeoutError' ? 'ETIMEDOUT' : code;
  }
}

export async function githubIdToken(audience: string, env: Env = process.env): Promise<string> {
  const base = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!base || !bearer)
    throw new Error(
      'Unable to get the ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN env variables: the job needs permissions: id-token: write',
    );
  const url = `${base}${base.includes('?') ? '&' : '?'}audience=${encodeURIComponent(audience)}`;
  const timeout = scaled(REQUEST_TIMEOUT_MS);
  return withRetry(
    async () => {
      let res: Response;
      try {
        res = await fetch(url, {
          headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' },
          signal: AbortSignal.timeout(timeout),
          // The request carries the runner's bearer token: never re-sent to where a redirect points.
          redirect: 'manual',
        });
      } catch (e) {
        throw new GithubRequestError(
          'the GitHub OIDC token request got no answer',
          url,
          timeout,
          undefined,
          undefined,
          e,
        );
      }
      if (res.status >= 300 && res.status < 400) {
        await res.body?.cancel().catch(() => undefined);
        throw new GithubRequestError(
          `GitHub's OIDC token service answered HTTP ${res.status} with a redirect to ${originOf(res.headers.get('location'), url)}; the action never follows it (the request carries the runner's token)`,
          url,
          timeout,
          res,
        );
      }
      const text = await res.text().catch(() => '');
      let data: unknown = text;
      try {
        data = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      const value = (data as { value?: unknown } | undefined)?.value;
      if (!res.ok || typeof value !== 'string' || !value) {
        const message = (data as { message?: unknown } | undefined)?.message;
        // Never the body itself: a truncated answer can hold the token.
        const what =
          typeof message === 'string'
            ? `: ${message}`
            : res.ok
              ? ` with a body that is not a token answer: ${typeof data === 'string' ? shapeOf(text) : 'no value'}`
              : '';
        throw new GithubRequestError(
          `GitHub's OIDC token service answered HTTP ${res.status}${what}`,
          url,
          timeout,
          res,
          typeof message === 'string' ? message : undefined,
        );
      }
      return value;
    },
    { attempts: 4, retryable: isTransient },
  );
}
