// The failed task's last log lines, read for the causes the preflight knows: Cloud SQL (API
// disabled, not authorized, no such instance), a secret the runtime account may not read, a
// bucket it may not use, and egress that timed out. Each becomes the finding of the matching
// check; a log with none of them is quoted as it is. The wordings are the Cloud SQL connectors'
// and Google APIs' (googleapi "Error 403: ..., notAuthorized" / "accessNotConfigured"; see
// cloud-sql-proxy#115, golang-samples#818, exposure-notifications-server#214 in the corpus).
import type { ExecutionDetails, Finding } from '../model.ts';
import { type DiagnoseContext, projectIdOf, secretOf } from './facts.ts';
import { secretDenied } from './remedies-iam.ts';
import { apiDisabled } from './remedies-missing.ts';
import { bucketDenied, egressTimeout, sqlMissing, sqlNotAuthorized, sqlRef } from './remedies-runtime.ts';

const SQL_CONN =
  /(?:connect to|for|connection name = )\s*"?\[?([a-z][\w.:-]*:[a-z]+-[a-z]+\d+(?:-[a-z])?:[a-z][a-z0-9-]*)\]?"?/i;
const SQL_API =
  /Cloud SQL Admin API has not been used in project ([\w-]+)|API \[sql-component\.googleapis\.com\] not enabled/i;
const NOT_AUTHORIZED = /not authorized to make this request|\bnotAuthorized\b/;
const NO_INSTANCE = /instance does not exist|\binstanceDoesNotExist\b/i;
const SECRET_DENIED = /secretmanager\.versions\.access'? denied|Permission denied on secret/i;
const BUCKET =
  /does not have (storage\.[a-z]+\.[a-zA-Z]+) access to(?: the Google Cloud Storage bucket| ([a-z0-9][a-z0-9._-]*[a-z0-9])(?=[./\s]|$))?|Cloud Storage volume \S+:.*bucket "?([a-z0-9._-]+)"?/i;
const EGRESS =
  /(?:dial tcp ([\d.:[\]a-f]+)|connect(?:ion)? to ([\w.-]+(?::\d+)?))?[^\n]*?(?:i\/o timeout|ETIMEDOUT|Connection timed out|connect timeout|timed out connecting)/i;

function runtimeMember(ctx: DiagnoseContext): string | undefined {
  const sa = ctx.plan?.serviceAccount ?? ctx.config?.serviceAccount;
  return sa ? `serviceAccount:${sa}` : undefined;
}

/** The finding the log supports, or undefined when it names no known cause. */
export function classifyTaskLog(
  lines: readonly string[],
  ctx: DiagnoseContext,
  evidence: string,
  fromLog = true,
): Finding | undefined {
  const text = lines.join('\n');
  const quoted = fromLog ? `${evidence}\nTask log:\n${lines.slice(-5).join('\n')}` : evidence;
  const conn = SQL_CONN.exec(text)?.[1];
  const sql = conn ? sqlRef(conn) : undefined;
  const api = SQL_API.exec(text);
  if (api) {
    const project = projectIdOf(api[1], ctx) ?? ctx.plan?.project;
    const f = apiDisabled({
      evidence: quoted,
      service: api[1] ? 'sqladmin.googleapis.com' : 'sql-component.googleapis.com',
      project,
      subject: 'cloudsql_instances',
    });
    return { ...f, check: 'cloudsql-api' };
  }
  if (sql && NO_INSTANCE.test(text)) return sqlMissing({ evidence: quoted, sql });
  if (
    (sql || /Cloud SQL|cloudsql|createEphemeral|generateEphemeral|connection name/i.test(text)) &&
    NOT_AUTHORIZED.test(text)
  )
    return sqlNotAuthorized({ evidence: quoted, member: runtimeMember(ctx), sql });
  if (SECRET_DENIED.test(text)) {
    const { secret, subject } = secretOf(text, ctx);
    return secretDenied({
      evidence: quoted,
      member: runtimeMember(ctx),
      secret,
      ...(subject ? { subject } : {}),
    });
  }
  const b = BUCKET.exec(text);
  if (b) {
    // The JSON API URL names the bucket when the sentence does not (storage/v1/b/NAME).
    const inUrl = /\/storage\/v1\/b\/([a-z0-9][a-z0-9._-]*[a-z0-9])/.exec(text)?.[1];
    const bucket = b[2] ?? b[3] ?? inUrl ?? ctx.plan?.resources?.buckets[0]?.bucket;
    return bucketDenied({ evidence: quoted, member: runtimeMember(ctx), bucket, permission: b[1] });
  }
  const e = EGRESS.exec(text);
  if (e) {
    const r = ctx.plan?.resources;
    const hasNetwork = Boolean(r && (r.subnets.length > 0 || r.connector));
    const destination = /dial tcp ([^\s:]+:\d+)/.exec(text)?.[1] ?? e[1] ?? e[2];
    return egressTimeout({ evidence: quoted, destination, hasNetwork });
  }
  return undefined;
}

/** A failed task's timeout, said by its attempt's status message. */
export function timedOut(details: ExecutionDetails | undefined, message: string): boolean {
  const TIMEOUT =
    /configured timeout was reached|exceeded (?:its |the )?(?:task )?timeout|task timed out|DEADLINE_EXCEEDED/i;
  return TIMEOUT.test(message) || (details?.failedTasks ?? []).some((t) => TIMEOUT.test(t.message ?? ''));
}
