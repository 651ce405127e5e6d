// Every request the action makes through gaxios (the auth client's transport, STS's own) goes
// through http-fetch.ts, and a redirect is never followed: a 3xx comes back as the answer (as
// with `redirect: 'manual'`, also set here for any other fetch) and is turned here into one error
// naming the endpoint and the origin it pointed to, never re-sent, form body included, to
// wherever the Location says.
import type { AuthClient } from 'google-auth-library';
import { BadAnswer, isRecord, REDIRECT_REFUSED } from './answer.ts';
import { httpFetch } from './http-fetch.ts';
import { serviceOfUrl } from './services.ts';

type Transporter = AuthClient['transporter'];

const guarded = new WeakSet<object>();

/** The origin (scheme, host, port) of a Location, resolved against the request; never its path or query. */
export function originOf(location: string | null | undefined, base: string): string {
  try {
    return new URL(location ?? '', base).origin;
  } catch {
    return 'an unreadable location';
  }
}

/** A 3xx answer as the error the action reports, or undefined for any other failure. */
export function redirectRefusal(e: unknown): BadAnswer | undefined {
  if (!isRecord(e) || !isRecord(e.response)) return undefined;
  const status = e.response.status;
  if (typeof status !== 'number' || status < 300 || status > 399) return undefined;
  const config = isRecord(e.config) ? e.config : {};
  const url = String(config.url ?? '');
  const headers = e.response.headers as { get?: (n: string) => string | null } | undefined;
  const location = typeof headers?.get === 'function' ? headers.get('location') : undefined;
  const service = serviceOfUrl(url) ?? 'the server';
  const err = new BadAnswer(
    service,
    `${service} answered HTTP ${status} with a redirect to ${originOf(location, url)}; the action never follows a redirect (a proxy or portal may be in the way), so nothing was sent there`,
    status,
    REDIRECT_REFUSED,
  );
  Object.assign(err, { config: { url, ...(config.timeout ? { timeout: config.timeout } : {}) } });
  return err;
}

/** Make `transporter` refuse redirects (idempotent). */
export function guardTransport(transporter: Transporter | undefined): void {
  if (!transporter || guarded.has(transporter)) return;
  guarded.add(transporter);
  transporter.interceptors.request.add({
    resolved: async (config) => {
      config.redirect = 'manual';
      // gaxios' fetch of our own (http-fetch.ts) rather than node-fetch, its default.
      config.fetchImplementation ??= httpFetch;
      return config;
    },
  });
  transporter.interceptors.response.add({
    rejected: async (e: unknown) => {
      throw redirectRefusal(e) ?? e;
    },
  });
}

/** Guard the transport of an auth client (all googleapis and REST calls go through it). */
export function guardClient(auth: AuthClient): void {
  guardTransport((auth as { transporter?: Transporter }).transporter);
}
