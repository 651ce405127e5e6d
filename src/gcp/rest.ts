// Plain JSON calls through the auth client's request(), for APIs whose googleapis package
// would weigh far more in the bundle than the few methods the action needs (compute,
// storage, KMS, Cloud SQL Admin, Serverless VPC Access, Service Usage, Logging, Artifact
// Registry, Policy Troubleshooter, Cloud Run v1). Same bound and no-retry policy as every other
// call; the caller wraps reads with read(). Every answer is decoded before it is returned.
import { apiRoot, type GoogleApi } from '../auth/endpoints.ts';
import { type Decoder, decodeAnswer } from './answer.ts';
import type { ApiContext } from './clients.ts';
import { callOptions } from './clients.ts';
import { guardClient } from './transport.ts';

export interface RestCall {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Query parameters; undefined values are left out. */
  params?: Record<string, string | number | string[] | undefined>;
  body?: unknown;
  /** Request timeout, when not the default. */
  timeout?: number;
}

/** What an answer must be: its name in messages ("a Policy") and its decoder. */
export interface Expect<T> {
  what: string;
  decode: Decoder<T>;
}

/** The service a root URL names, for messages: `compute.googleapis.com`. */
export function serviceName(api: GoogleApi, ctx: ApiContext): string {
  return `${api}.${ctx.universe}`;
}

/** `path` is relative to the API's root, e.g. `compute/v1/projects/p/regions/r/subnetworks/s`. */
export async function rest<T>(
  ctx: ApiContext,
  api: GoogleApi,
  path: string,
  expect: Expect<T>,
  call: RestCall = {},
): Promise<T> {
  return requestJson(
    ctx,
    new URL(path, apiRoot(api, ctx.universe, ctx.env)),
    serviceName(api, ctx),
    expect,
    call,
  );
}

/** One JSON call to a full URL, its answer decoded as `expect` says (or BadAnswer naming `service`). */
export async function requestJson<T>(
  ctx: ApiContext,
  url: URL,
  service: string,
  expect: Expect<T>,
  call: RestCall = {},
): Promise<T> {
  for (const [k, v] of Object.entries(call.params ?? {})) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(one));
  }
  guardClient(ctx.auth);
  const res = await ctx.auth.request<unknown>({
    url: url.toString(),
    method: call.method ?? 'GET',
    ...(call.body === undefined ? {} : { data: call.body }),
    ...callOptions,
    ...(call.timeout === undefined ? {} : { timeout: call.timeout }),
    responseType: 'json',
  });
  return decodeAnswer(service, expect.what, expect.decode, res.data);
}

/**
 * A resource name as the path of a Google REST URL, for every module here: the way the discovery
 * documents' `{+name}` (RFC 6570 reserved expansion) puts it there. Reserved characters such as
 * `/`, `@` and `:` and percent-encoded triplets (IAM v2's `%2F` attachment points) stay as they are, anything else is
 * percent-encoded; `?` and `#`, which would end the path, are encoded too.
 */
export function resourcePath(name: string): string {
  return name.replace(/%[0-9A-Fa-f]{2}|[^A-Za-z0-9\-._~:/[\]@!$&'()*+,;=]/g, (c) =>
    c.length === 3 ? c : encodeURIComponent(c),
  );
}
