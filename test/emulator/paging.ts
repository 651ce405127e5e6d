// List paging as Google's APIs do it: `pageSize`/`pageToken` answering `nextPageToken` (v1/v2
// APIs), or Knative's `limit`/`continue` answering `metadata.continue` (Cloud Run v1). Tokens
// are opaque to clients; a token from another list, or a made-up one, is refused.
import { createHash } from 'node:crypto';
import { badRequest } from './http.ts';

export interface PageOptions {
  /** Query parameter names: pageSize/pageToken, or limit/continue. */
  sizeParam?: string;
  tokenParam?: string;
  /** The page size when the client sends none (or 0), and the largest honoured. */
  defaultSize?: number;
  maxSize?: number;
}

export interface Page<T> {
  items: T[];
  /** Token for the next page; absent on the last page. */
  next?: string;
}

// A token names the list (the request path) and the offset, so it cannot be replayed elsewhere.
function tokenFor(scope: string, offset: number): string {
  const sig = createHash('sha256').update(`${scope}#${offset}`).digest('base64url').slice(0, 12);
  return Buffer.from(`${offset}.${sig}`).toString('base64url');
}

function offsetOf(scope: string, token: string): number {
  const [n = '', sig] = Buffer.from(token, 'base64url').toString('utf8').split('.');
  const offset = Number(n);
  if (!/^\d+$/.test(n) || !sig || tokenFor(scope, offset) !== token) {
    throw badRequest('The provided page token is invalid.');
  }
  return offset;
}

/** The page of `items` the query asks for; `scope` is the list's path. */
export function paginate<T>(
  items: readonly T[],
  query: URLSearchParams,
  scope: string,
  o: PageOptions = {},
): Page<T> {
  const sizeParam = o.sizeParam ?? 'pageSize';
  const raw = query.get(sizeParam);
  const asked = raw === null || raw === '' ? 0 : Number(raw);
  if (!Number.isInteger(asked) || asked < 0) {
    throw badRequest(`Invalid value for ${sizeParam}: ${raw}. It must be a non-negative integer.`);
  }
  const max = o.maxSize ?? 1000;
  const size = Math.min(asked === 0 ? (o.defaultSize ?? 100) : asked, max);
  const token = query.get(o.tokenParam ?? 'pageToken');
  const start = token ? offsetOf(scope, token) : 0;
  const page = items.slice(start, start + size);
  const end = start + page.length;
  return end < items.length ? { items: page, next: tokenFor(scope, end) } : { items: page };
}

/** `{ [key]: items, nextPageToken }`, leaving out what is empty (as proto3 JSON does). */
export function listBody<T>(key: string, page: Page<T>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (page.items.length > 0) body[key] = page.items;
  if (page.next) body.nextPageToken = page.next;
  return body;
}
