// Cloud Logging v2: entries.list over what executions wrote (../task-logs.ts), with the Logging
// query language (../logging-filter.ts) and pageSize/pageToken paging; world.logSearchCutShort
// makes a search answer that many empty pages with a token first, as a search out of time does.
import { createHash } from 'node:crypto';
import { type Handler, HttpError } from '../contract.ts';
import { badRequest, isRecord, route } from '../http.ts';
import { matches, parseFilter } from '../logging-filter.ts';
import { forService } from '../services.ts';
import { findProject } from '../world-index.ts';

/**
 * A page token names the search (resource names, filter, order), where the next page starts and
 * how many more empty pages the search answers first (world.logSearchCutShort): opaque to the
 * client, refused for another search.
 */
function tokenFor(scope: string, offset: number, cut: number): string {
  const sig = createHash('sha256').update(`${scope}#${offset}#${cut}`).digest('base64url').slice(0, 12);
  return Buffer.from(JSON.stringify({ o: offset, c: cut, s: sig })).toString('base64url');
}

function readToken(scope: string, token: string): { offset: number; cut: number } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o: number; c: number };
    if (Number.isInteger(t.o) && Number.isInteger(t.c) && tokenFor(scope, t.o, t.c) === token)
      return { offset: t.o, cut: t.c };
  } catch {
    // falls through to the refusal
  }
  throw badRequest('The provided page token is invalid.');
}

const listEntries: Handler = (req, ctx) => {
  if (!route(req, 'POST', /^\/v2\/entries:list$/)) return undefined;
  ctx.requireCaller();
  const body = isRecord(req.body) ? req.body : {};
  const names = Array.isArray(body.resourceNames) ? body.resourceNames.map(String) : [];
  if (names.length === 0) throw badRequest('resourceNames must contain at least one resource.');
  const projects: string[] = [];
  for (const n of names) {
    const id = /^projects\/([^/]+)$/.exec(n)?.[1];
    const p = id ? findProject(ctx.world, id) : undefined;
    if (!p || !ctx.can('logging.logEntries.list', `projects/${p.id}`))
      throw new HttpError(403, 'PERMISSION_DENIED', `The caller does not have permission`, [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'IAM_PERMISSION_DENIED',
          domain: 'logging.googleapis.com',
          metadata: { permission: 'logging.logEntries.list', resource: n },
        },
      ]);
    projects.push(p.id);
  }
  const filter = typeof body.filter === 'string' ? parseFilter(body.filter) : undefined;
  const desc = typeof body.orderBy === 'string' && /desc$/i.test(body.orderBy.trim());
  const pageSize = Math.min(Math.max(Number(body.pageSize ?? 50) || 50, 1), 1000);
  const scope = JSON.stringify([names, body.filter ?? '', body.orderBy ?? '']);
  const at =
    typeof body.pageToken === 'string' && body.pageToken !== ''
      ? readToken(scope, body.pageToken)
      : { offset: 0, cut: ctx.world.logSearchCutShort ?? 0 };
  // A search that ran out of time answers an empty page with a token to continue
  // (ListLogEntriesResponse.nextPageToken, logging v2).
  if (at.cut > 0) return { status: 200, body: { nextPageToken: tokenFor(scope, at.offset, at.cut - 1) } };
  const found = ctx.world.connected.logEntries.filter(
    (e) => projects.some((p) => String(e.logName ?? '').startsWith(`projects/${p}/`)) && matches(e, filter),
  );
  const ordered = desc ? [...found].reverse() : found;
  const page = ordered.slice(at.offset, at.offset + pageSize);
  const end = at.offset + page.length;
  const out: Record<string, unknown> = page.length > 0 ? { entries: page } : {};
  if (end < ordered.length) out.nextPageToken = tokenFor(scope, end, 0);
  return { status: 200, body: out };
};

export const handlers: Handler[] = forService('logging.googleapis.com', [listEntries]);
