// Attribution on every Google call, as the google-github-actions family does: a User-Agent
// naming this action and its version, and the user's request reason (X-Goog-Request-Reason),
// which Cloud Audit Logs record beside each change. Added by a request interceptor on every
// transport the credentials own, so googleapis clients, raw auth.request() calls and the
// library's own token requests (STS, impersonation, refresh) all carry it.
import type { AuthClient } from 'google-auth-library';

// __ACTION_VERSION__ is replaced at build time from package.json (src/globals.d.ts): never read at run time.
export const ACTION_NAME = 'cloud-run-job-deploy';
export const ACTION_VERSION: string = __ACTION_VERSION__;
export const USER_AGENT = `${ACTION_NAME}/${ACTION_VERSION}`;

/** Just what interceptors need of a gaxios transport (GaxiosInterceptorManager's add). */
export interface Transport {
  interceptors: {
    request: { add(i: { resolved?: (c: Prepared) => Promise<Prepared> }): unknown };
  };
}
/** The part of a prepared GaxiosOptions the interceptors read or set. */
export interface Prepared {
  headers: Headers;
  url?: string | URL;
  method?: string;
  adapter?: unknown;
}

/** The headers a Google request gets, given the User-Agent it already has. */
export function attributionHeaders(
  existingUserAgent: string | null,
  reason?: string,
): Record<string, string> {
  const ua = existingUserAgent?.includes(USER_AGENT)
    ? existingUserAgent
    : [USER_AGENT, existingUserAgent].filter(Boolean).join(' ');
  return { 'User-Agent': ua, ...(reason ? { 'X-Goog-Request-Reason': reason } : {}) };
}

/** Transports a credentials object makes requests with: its own, its STS exchange's, its source's. */
export function transportsOf(client: unknown, seen = new Set<unknown>()): Transport[] {
  if (!client || typeof client !== 'object' || seen.has(client)) return [];
  seen.add(client);
  const c = client as { transporter?: unknown; stsCredential?: unknown; sourceClient?: unknown };
  const own = isTransport(c.transporter) ? [c.transporter] : [];
  return [...own, ...transportsOf(c.stsCredential, seen), ...transportsOf(c.sourceClient, seen)];
}

function isTransport(t: unknown): t is Transport {
  return typeof (t as Transport | undefined)?.interceptors?.request?.add === 'function';
}

/** Make every request `client` sends carry the attribution headers. */
export function attribute(client: AuthClient, reason?: string): void {
  const transports = new Set(transportsOf(client));
  for (const t of transports)
    t.interceptors.request.add({
      resolved: async (config) => {
        for (const [k, v] of Object.entries(attributionHeaders(config.headers.get('User-Agent'), reason)))
          config.headers.set(k, v);
        return config;
      },
    });
}
