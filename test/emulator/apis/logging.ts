// Cloud Logging v2: entries.list over what executions wrote (../task-logs.ts). The filter
// understands what the action and the console's log links use: comparisons joined by AND or
// new lines, `field="value"` / `field=value` / `field>=value` (severity is ordered), dotted
// paths with quoted label keys, e.g. labels."run.googleapis.com/execution_name"="x".
import { type Handler, HttpError } from '../contract.ts';
import { badRequest, isRecord, route } from '../http.ts';
import { forService } from '../services.ts';
import { findProject } from '../world-index.ts';

const SEVERITY = ['DEFAULT', 'DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY'];

interface Term {
  path: string[];
  op: '=' | '>=' | '!=' | ':';
  value: string;
}

function parsePath(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|([^.]+)/g;
  for (const m of text.matchAll(re)) out.push(m[1] ?? m[2] ?? '');
  return out;
}

export function parseFilter(filter: string): Term[] {
  const parts = filter
    .split(/\n|\s+AND\s+/)
    .map((p) => p.trim())
    .filter(Boolean);
  return parts.map((p) => {
    const m = /^((?:"[^"]*"|[A-Za-z0-9_./-])+?)\s*(>=|!=|=|:)\s*(?:"((?:[^"\\]|\\.)*)"|(\S+))$/.exec(p);
    if (!m?.[1] || !m[2]) throw badRequest(`Unparseable filter: ${p}`);
    return { path: parsePath(m[1]), op: m[2] as Term['op'], value: m[3] ?? m[4] ?? '' };
  });
}

function valueAt(entry: Record<string, unknown>, path: string[]): unknown {
  let cur: unknown = entry;
  for (const key of path) cur = isRecord(cur) ? cur[key] : undefined;
  return cur;
}

function matches(entry: Record<string, unknown>, t: Term): boolean {
  const v = valueAt(entry, t.path);
  const text = v === undefined ? undefined : String(v);
  if (t.path.length === 1 && t.path[0] === 'severity' && t.op === '>=')
    return SEVERITY.indexOf(text ?? 'DEFAULT') >= SEVERITY.indexOf(t.value);
  if (t.op === '=') return text === t.value;
  if (t.op === '!=') return text !== t.value;
  if (t.op === ':') return text?.includes(t.value) ?? false;
  return text !== undefined && text >= t.value;
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
  const terms = typeof body.filter === 'string' ? parseFilter(body.filter) : [];
  const desc = typeof body.orderBy === 'string' && /desc$/i.test(body.orderBy.trim());
  const pageSize = Math.min(Math.max(Number(body.pageSize ?? 50) || 50, 1), 1000);
  const found = ctx.world.connected.logEntries.filter(
    (e) =>
      projects.some((p) => String(e.logName ?? '').startsWith(`projects/${p}/`)) &&
      terms.every((t) => matches(e, t)),
  );
  const ordered = desc ? [...found].reverse() : found;
  const page = ordered.slice(0, pageSize);
  return { status: 200, body: page.length > 0 ? { entries: page } : {} };
};

export const handlers: Handler[] = forService('logging.googleapis.com', [listEntries]);
