// The first round trip of every federated run is the GitHub OIDC token. The entry point asks for
// it before the rest of the action is even loaded, so loading overlaps that request instead of
// preceding it. Only an optimisation: oidc.ts's bounded, retried request stays the authority, and is
// used whenever the prefetch does not apply (another audience, a proxy to honour) or fails.
import { scaled, stepTimeLeft } from '../gcp/timeout.ts';
import { providerName, UNIVERSE, WIF_PROVIDER } from '../inputs/patterns.ts';
import type { IdTokenSource } from './credentials.ts';
import type { Env } from './endpoints.ts';
import { prefetchJson } from './prefetch-http.ts';

/** At most this long before loading the rest even if the request is not flushed yet. */
const SEND_WAIT_MS = 20;

/**
 * The audience credentials.ts will ask for, from the raw inputs; undefined when not federated
 * or when either input is malformed (inputs.ts then refuses it, and nothing is sent anywhere).
 */
export function expectedAudience(env: Env): string | undefined {
  const provider = providerName(env.INPUT_WORKLOAD_IDENTITY_PROVIDER ?? '');
  const universe = env.INPUT_UNIVERSE?.trim() || 'googleapis.com';
  if (!WIF_PROVIDER.test(provider) || !UNIVERSE.test(universe)) return undefined;
  return `https://iam.${universe}/${provider}`;
}

type Sleep = (ms: number) => Promise<void>;

// Not retry.ts's: this module loads before the rest, and that one brings the writer with it.
const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The longest Retry-After of a refused prefetch that is waited for before the fallback asks again. */
const MAX_RETRY_AFTER_MS = scaled(60_000);

/**
 * GET a JSON document's `value` (the runner's OIDC token endpoint answers `{"value": "JWT"}`)
 * with node:http(s): global fetch costs ~40 ms more to start. A refusal's Retry-After goes to
 * `onRetryAfter`.
 */
export async function getJsonValue(
  url: string,
  headers: Record<string, string>,
  onSent: () => void = () => undefined,
  onRetryAfter: (ms: number) => void = () => undefined,
): Promise<string | undefined> {
  const body = await prefetchJson(url, { headers }, { onSent, onRetryAfter });
  const value = (body as { value?: unknown } | undefined)?.value;
  return typeof value === 'string' && value ? value : undefined;
}

/**
 * Starts the OIDC token request now (the runner's ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN, as
 * @actions/core calls it) and returns a source that answers the expected audience from it
 * once, delegating everything else to `fallback`. Undefined when nothing can be prefetched.
 */
export function prefetchIdToken(
  env: Env,
  fallback: () => Promise<IdTokenSource>,
  get: typeof getJsonValue = getJsonValue,
  sleep: Sleep = realSleep,
): { source: IdTokenSource; sent: Promise<void>; token: Promise<string | undefined> } | undefined {
  const audience = expectedAudience(env);
  const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  // This direct request ignores proxy variables; the library's client honours them.
  const proxied = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((k) => env[k]);
  if (!audience || !url || !bearer || proxied) return undefined;
  let sent: () => void = () => undefined;
  const flushed = new Promise<void>((resolve) => {
    sent = resolve;
  });
  // A throttled prefetch's Retry-After: the fallback's first request waits for it (within bounds).
  let waitMs = 0;
  const early = get(
    `${url}&audience=${encodeURIComponent(audience)}`,
    { authorization: `Bearer ${bearer}`, accept: 'application/json' },
    () => sent(),
    (ms) => {
      waitMs = scaled(ms);
    },
  );
  let used = false;
  const source: IdTokenSource = async (aud) => {
    const first = aud === audience && !used;
    const token = first ? await early : undefined;
    used = true;
    if (token) return token;
    if (first && waitMs > 0 && waitMs <= MAX_RETRY_AFTER_MS && waitMs < stepTimeLeft()) await sleep(waitMs);
    return (await fallback())(aud);
  };
  // Loading the rest compiles synchronously: wait (briefly) until the request is on the wire.
  return {
    source,
    sent: Promise.race([flushed, new Promise<void>((r) => setTimeout(r, SEND_WAIT_MS))]),
    // The exchange prefetch starts from it; reading it does not use up the one answer above.
    token: early,
  };
}
