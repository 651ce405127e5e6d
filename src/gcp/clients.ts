// The per-call options every Google call uses (rest.ts sends them all): a bounded timeout and
// gaxios' own retry turned off, so withRetry (reads, transient errors only) is the single retry
// policy.
import type { AuthClient } from 'google-auth-library';
import type { Env } from '../auth/endpoints.ts';
import { attempt, toApiError } from './errors.ts';
import { isTransient, type RetryOptions, withRetry } from './retry.ts';
import { scaled } from './timeout.ts';

/** Per-request bound; long waits (operations) loop over bounded requests instead. */
export const CALL_TIMEOUT_MS = scaled(30_000);

/** Never follow a redirect (transport.ts turns a 3xx into an error naming the endpoint). */
export const callOptions = { timeout: CALL_TIMEOUT_MS, retry: false, redirect: 'manual' } as const;

/** What every thin API module needs to make calls. */
export interface ApiContext {
  auth: AuthClient;
  universe: string;
  env: Env;
  /** Retry knobs (tests make sleep instant). */
  retry?: RetryOptions;
}

/** A read: retried on transient failures, wrapped with what was being attempted. */
export function read<T>(ctx: ApiContext, what: string, call: () => Promise<T>): Promise<T> {
  return attempt(what, () => withRetry(call, { retryable: isTransient, ...ctx.retry }));
}

/**
 * A write that is not safe to repeat blindly: one try, wrapped; except a 429, which refused the
 * request before it did anything (a quota: many jobs in one step), retried with backoff.
 */
export function write<T>(what: string, call: () => Promise<T>, retry?: RetryOptions): Promise<T> {
  return attempt(what, () =>
    withRetry(call, { attempts: 6, baseMs: 1_000, maxMs: 30_000, ...retry, retryable: isQuotaRefusal }),
  );
}

function isQuotaRefusal(e: unknown): boolean {
  return toApiError(e).httpStatus === 429;
}
