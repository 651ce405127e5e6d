// Retries only what is safe to retry: the caller says which failures qualify. Backoff is
// exponential with full jitter, never shorter than what a Retry-After header asks for, and
// never planned past the deadline or the step's bound; sleep is injectable so tests run instantly.

import { log } from '../output/log.ts';
import { BAD_ANSWER } from './answer.ts';
import { toApiError } from './errors.ts';
import { scaled, stepTimeLeft } from './timeout.ts';

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryOptions {
  /** Total tries, including the first. */
  attempts?: number;
  baseMs?: number;
  maxMs?: number;
  /** Give up once this much time has passed since the first try. */
  deadlineMs?: number;
  sleep?: Sleep;
  random?: () => number;
  now?: () => number;
  retryable?: (e: unknown) => boolean;
  /** Called before each wait, e.g. to log; `retryAfterMs` when the server asked for the wait. */
  onRetry?: (e: unknown, attempt: number, waitMs: number, retryAfterMs?: number) => void;
  /** A Retry-After longer than this is not waited for: the failure is reported instead. */
  maxRetryAfterMs?: number;
}

/** Transient for any call: throttled, unavailable, or no answer at all. */
export function isTransient(e: unknown): boolean {
  const err = toApiError(e);
  // An answer that did not decode (a proxy's page, a truncated body): asking again is safe for a
  // read, and a policy write is always retried from a fresh read. Writes of the job never use this.
  if (err.reason === BAD_ANSWER) return true;
  if (
    err.httpStatus === 429 ||
    err.httpStatus === 500 ||
    err.httpStatus === 502 ||
    err.httpStatus === 503 ||
    err.httpStatus === 504
  )
    return true;
  if (err.status === 'UNAVAILABLE' || err.status === 'RESOURCE_EXHAUSTED') return err.httpStatus !== 400;
  return (
    err.networkCode !== undefined &&
    ['ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNREFUSED'].includes(err.networkCode)
  );
}

export async function withRetry<T>(
  call: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 4;
  const baseMs = options.baseMs ?? scaled(250);
  const maxMs = options.maxMs ?? scaled(8_000);
  const maxRetryAfterMs = options.maxRetryAfterMs ?? scaled(60_000);
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const retryable = options.retryable ?? isTransient;
  const start = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (e) {
      if (attempt >= attempts || !retryable(e)) throw e;
      const cap = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
      const asked = toApiError(e).retryAfterMs;
      const retryAfter = asked === undefined ? undefined : scaled(asked);
      if (retryAfter !== undefined && retryAfter > maxRetryAfterMs) throw e;
      const waitMs = Math.max(Math.round(cap / 2 + (random() * cap) / 2), retryAfter ?? 0);
      if (options.deadlineMs !== undefined && now() - start + waitMs > options.deadlineMs) throw e;
      if (waitMs >= stepTimeLeft()) throw e;
      // One line per retry (the runner hides debug lines unless asked): what failed, how long we wait and why.
      log.debug(
        `Retry ${attempt} in ${waitMs} ms${retryAfter !== undefined ? ` (the server's Retry-After asked for ${retryAfter} ms)` : ''} after: ${e instanceof Error ? e.message : String(e)}`,
      );
      options.onRetry?.(e, attempt, waitMs, retryAfter);
      await sleep(waitMs);
    }
  }
}
