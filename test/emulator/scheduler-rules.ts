// Cloud Scheduler's rules in the emulator (test/emulator/apis/scheduler.ts serves the routes):
// what a create or patch must hold, the quota answer, and one attempt of a job's HTTP target as
// its OAuth account. Sources are cited in the routes module's header.
import { type Ctx, HttpError, type WorldProject } from './contract.ts';
import { errorInfo, isRecord } from './http.ts';
import { callerFor } from './iam-engine.ts';
import { mintToken } from './tokens.ts';
import { findServiceAccount } from './world-index.ts';

export const SCHEDULER = 'cloudscheduler.googleapis.com';
type Job = Record<string, unknown>;

/** Independent of the action's parser: five fields of digits, names and * , - / within bounds. */
function validCron(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  const fields = text.trim().split(/\s+/);
  const max = [59, 23, 31, 12, 7];
  const min = [0, 0, 1, 1, 0];
  if (fields.length !== 5) return false;
  const names: Record<number, string[]> = {
    3: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
    4: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'],
  };
  return fields.every((f, i) =>
    f.split(',').every((part) => {
      const [range = '', step] = part.split('/');
      if (step !== undefined && !/^[1-9]\d*$/.test(step)) return false;
      if (range === '*') return true;
      return range.split('-').every((v) => {
        const n = /^\d+$/.test(v) ? Number(v) : (names[i]?.indexOf(v) ?? -1) + (i === 3 ? 1 : 0);
        return (
          n >= (min[i] ?? 0) && n <= (max[i] ?? 0) && (/^\d+$/.test(v) || (names[i]?.includes(v) ?? false))
        );
      });
    }),
  );
}

function validZone(tz: unknown): boolean {
  if (tz === undefined) return true;
  if (typeof tz !== 'string') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Checks of the fields a create or patch sets; throws Google's answers. */
export function checkJob(ctx: Ctx, p: WorldProject, job: Job): void {
  if (!validCron(job.schedule) || !validZone(job.timeZone))
    throw new HttpError(400, 'INVALID_ARGUMENT', 'Schedule or time zone is invalid.');
  const target = job.httpTarget;
  if (!isRecord(target) || typeof target.uri !== 'string' || !/^https?:\/\//.test(target.uri))
    throw new HttpError(400, 'INVALID_ARGUMENT', 'Job.http_target.uri must start with http:// or https://.');
  const oauth = isRecord(target.oauthToken) ? target.oauthToken : undefined;
  const email = typeof oauth?.serviceAccountEmail === 'string' ? oauth.serviceAccountEmail : undefined;
  if (!email) return;
  const sa = findServiceAccount(ctx.world, email);
  const resource = `projects/${sa?.project ?? '-'}/serviceAccounts/${email}`;
  if (!sa || !ctx.can('iam.serviceAccounts.actAs', resource))
    throw new HttpError(
      403,
      'PERMISSION_DENIED',
      // The wording of the emulator's other actAs refusals (run-checks.ts); Google's exact
      // Scheduler sentence is not documented: the action decides from ErrorInfo, not words.
      `Permission 'iam.serviceaccounts.actAs' denied on service account ${email} (or it may not exist).`,
      [
        errorInfo('IAM_PERMISSION_DENIED', 'iam.googleapis.com', {
          permission: 'iam.serviceAccounts.actAs',
          resource,
        }),
      ],
    );
  if (sa.project !== p.id)
    throw new HttpError(
      400,
      'INVALID_ARGUMENT',
      `Service account ${email} does not belong to project ${p.id}, the project of the job.`,
    );
}

export function quota(ctx: Ctx): void {
  if (ctx.world.quotaExhausted?.includes(SCHEDULER))
    throw new HttpError(
      429,
      'RESOURCE_EXHAUSTED',
      "Quota exceeded for quota metric 'Requests' of service 'cloudscheduler.googleapis.com'.",
      [
        errorInfo('RATE_LIMIT_EXCEEDED', 'googleapis.com', {
          service: SCHEDULER,
          quota_metric: 'cloudscheduler.googleapis.com/requests',
        }),
      ],
    );
}

const GRPC: Record<string, number> = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNAUTHENTICATED: 16,
};

/** One attempt of the job's HTTP target, as the job's OAuth account; the answer becomes `status`. */
export async function attempt(ctx: Ctx, p: WorldProject, job: Job): Promise<Job['status']> {
  const target = isRecord(job.httpTarget) ? job.httpTarget : {};
  const oauth = isRecord(target.oauthToken) ? target.oauthToken : {};
  const email = String(oauth.serviceAccountEmail ?? '');
  const agent = callerFor(
    ctx.world,
    `serviceAccount:service-${p.number}@gcp-sa-cloudscheduler.iam.gserviceaccount.com`,
  );
  const sa = findServiceAccount(ctx.world, email);
  if (
    !sa ||
    sa.disabled ||
    !ctx.can('iam.serviceAccounts.getAccessToken', `projects/${sa.project}/serviceAccounts/${email}`, agent)
  )
    return { code: 7, message: `The Cloud Scheduler service agent could not get a token for ${email}.` };
  const token = mintToken(ctx.world, callerFor(ctx.world, `serviceAccount:${email}`));
  const url = new URL(String(target.uri ?? ''));
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    'user-agent': 'Google-Cloud-Scheduler',
  };
  if (isRecord(target.headers))
    for (const [k, v] of Object.entries(target.headers)) headers[k.toLowerCase()] = String(v);
  const body = typeof target.body === 'string' ? Buffer.from(target.body, 'base64') : undefined;
  const res = await fetch(`${ctx.baseUrl}${url.pathname}${url.search}`, {
    method: String(target.httpMethod ?? 'POST'),
    headers,
    ...(body ? { body } : {}),
  });
  const text = await res.text();
  if (res.ok) return {};
  let status = 'UNKNOWN';
  let message = text.slice(0, 500);
  try {
    const e = JSON.parse(text).error;
    status = String(e.status ?? status);
    message = String(e.message ?? message);
  } catch {}
  return { code: GRPC[status] ?? 2, message };
}
