// Plain JSON calls through the auth client's request(), for APIs whose googleapis package
// would weigh far more in the bundle than the few methods the action needs (compute,
// storage, KMS, Cloud SQL Admin, Serverless VPC Access, Service Usage, Logging). Same bound
// and no-retry policy as every other call; the caller wraps reads with read().
import { apiRoot, type GoogleApi } from '../auth/endpoints.ts';
import type { ApiContext } from './clients.ts';
import { callOptions } from './clients.ts';

export interface RestCall {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Query parameters; undefined values are left out. */
  params?: Record<string, string | number | string[] | undefined>;
  body?: unknown;
}

/** `path` is relative to the API's root, e.g. `compute/v1/projects/p/regions/r/subnetworks/s`. */
export async function rest<T>(
  ctx: ApiContext,
  api: GoogleApi,
  path: string,
  call: RestCall = {},
): Promise<T> {
  const url = new URL(path, apiRoot(api, ctx.universe, ctx.env));
  for (const [k, v] of Object.entries(call.params ?? {})) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(one));
  }
  const res = await ctx.auth.request<T>({
    url: url.toString(),
    method: call.method ?? 'GET',
    ...(call.body === undefined ? {} : { data: call.body }),
    ...callOptions,
  });
  return res.data;
}

/** Encode each segment of a resource name for a URL path, keeping the slashes. */
export function pathOf(name: string): string {
  return name.split('/').map(encodeURIComponent).join('/');
}
