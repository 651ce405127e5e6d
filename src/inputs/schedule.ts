// The schedule inputs (issue 21), named after the flags of `gcloud scheduler jobs create http`
// (https://cloud.google.com/sdk/gcloud/reference/scheduler/jobs/create/http): schedule
// (--schedule), schedule_time_zone (--time-zone, default Etc/UTC there too),
// schedule_service_account (--oauth-service-account-email), schedule_max_retry_attempts,
// schedule_max_retry_duration, schedule_min_backoff, schedule_max_backoff,
// schedule_max_doublings, schedule_attempt_deadline; schedule_paused (`gcloud scheduler jobs
// pause`), and the per-trigger execution overrides schedule_args, schedule_env_vars,
// schedule_tasks, schedule_task_timeout (the execute_* forms). `schedule: off` deletes the
// trigger the action manages for the job; an empty `schedule` leaves any trigger alone.
import type { RunOverrides, ScheduleInput, ScheduleRetry } from '../model.ts';
import { knownTimeZone, parseCron } from '../schedule/cron.ts';
import { type Bad, toSeconds } from './lists.ts';
import { parseOverrides } from './overrides.ts';

export const SCHEDULE_INPUTS = [
  'schedule_time_zone',
  'schedule_service_account',
  'schedule_paused',
  'schedule_max_retry_attempts',
  'schedule_max_retry_duration',
  'schedule_min_backoff',
  'schedule_max_backoff',
  'schedule_max_doublings',
  'schedule_attempt_deadline',
  'schedule_args',
  'schedule_env_vars',
  'schedule_tasks',
  'schedule_task_timeout',
] as const;

/** The word that removes the managed trigger. */
export const REMOVE = 'off';
const DEFAULT_TIME_ZONE = 'Etc/UTC';
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;
/** Cloud Scheduler's own service agent cannot be a trigger's identity (https://cloud.google.com/scheduler/docs/http-target-auth). */
const SCHEDULER_AGENT = /@gcp-sa-cloudscheduler\.iam\.gserviceaccount\.com$/;
/** The project a user-managed service account's email names. */
const accountProject = (email: string) => /@([^.]+)\.iam\.gserviceaccount\.com$/.exec(email)?.[1];
/** RetryConfig.retryCount: more than 5 or negative is refused (gcloud's cloudscheduler v1 RetryConfig). */
const MAX_RETRY_COUNT = 5;
/** Job.attemptDeadline for HTTP targets: 15 seconds to 30 minutes (gcloud's cloudscheduler v1 Job). */
const DEADLINE_S: [number, number] = [15, 30 * 60];

function duration(get: (n: string) => string, bad: Bad, name: string, min = 0, max = 365 * 86_400) {
  const raw = get(name);
  if (!raw) return undefined;
  const s = toSeconds(raw);
  const n = s ? Number.parseInt(s, 10) : -1;
  if (!s || n < min || n > max) {
    bad(name, `a duration${min > 0 ? ` between ${min}s and ${max / 60}m` : ''} like 30s, 10m or 1h`, raw);
    return undefined;
  }
  return s;
}

function whole(get: (n: string) => string, bad: Bad, name: string, max: number): number | undefined {
  const raw = get(name);
  if (!raw) return undefined;
  if (/^\d{1,4}$/.test(raw) && Number(raw) <= max) return Number(raw);
  bad(name, `a whole number from 0 to ${max}`, raw);
  return undefined;
}

/**
 * The schedule inputs, validated (every problem reported through bad/problem), or undefined
 * when `schedule` is not set. Called once from inputs.ts.
 */
export function parseSchedule(
  get: (name: string) => string,
  bad: Bad,
  problem: (message: string) => void,
): ScheduleInput | undefined {
  const raw = get('schedule');
  const companions = SCHEDULE_INPUTS.filter((n) => get(n) !== '');
  if (!raw) {
    for (const n of companions)
      problem(`Input "${n}" needs "schedule": set schedule to a cron like "0 3 * * *", or remove "${n}"`);
    return undefined;
  }
  if (raw === REMOVE) {
    for (const n of companions)
      problem(
        `Inputs "schedule: ${REMOVE}" and "${n}" conflict: removing the trigger takes no settings; remove "${n}"`,
      );
    return { kind: 'remove' };
  }
  const cron = parseCron(raw);
  if (typeof cron === 'string') {
    problem(
      `Input "schedule" must be a unix-cron schedule like "0 3 * * *" (minute hour day-of-month month day-of-week) or "${REMOVE}" to remove the trigger; ${JSON.stringify(raw)} ${cron}`,
    );
  }
  const timeZone = get('schedule_time_zone') || DEFAULT_TIME_ZONE;
  if (!/^[A-Za-z0-9_+/-]{1,64}$/.test(timeZone) || !knownTimeZone(timeZone))
    bad('schedule_time_zone', 'a time zone name from the tz database like Europe/Paris or Etc/UTC', timeZone);
  const account = get('schedule_service_account');
  if (account && (!EMAIL.test(account) || account.length > 256))
    bad(
      'schedule_service_account',
      'a service account email like scheduler@PROJECT.iam.gserviceaccount.com',
      account,
    );
  else if (SCHEDULER_AGENT.test(account))
    problem(
      `Input "schedule_service_account" must not be the Cloud Scheduler service agent (${account}): Google does not let a trigger run as it; name a service account of the job's project`,
    );
  else if (
    account &&
    accountProject(account) &&
    get('project_id') &&
    accountProject(account) !== get('project_id')
  )
    problem(
      `Input "schedule_service_account": ${account} is an account of project ${accountProject(account)}, but Cloud Scheduler only sends tokens of accounts in the trigger's own project (${get('project_id')}, the job's); name a service account of that project`,
    );
  const paused = get('schedule_paused');
  if (paused && !['true', 'false', 'True', 'False', 'TRUE', 'FALSE'].includes(paused))
    bad('schedule_paused', 'true or false', paused);
  const retry: ScheduleRetry = {};
  const set = <K extends keyof ScheduleRetry>(k: K, v: ScheduleRetry[K] | undefined) => {
    if (v !== undefined) retry[k] = v;
  };
  set('retryCount', whole(get, bad, 'schedule_max_retry_attempts', MAX_RETRY_COUNT));
  set('maxRetryDuration', duration(get, bad, 'schedule_max_retry_duration'));
  set('minBackoffDuration', duration(get, bad, 'schedule_min_backoff'));
  set('maxBackoffDuration', duration(get, bad, 'schedule_max_backoff'));
  set('maxDoublings', whole(get, bad, 'schedule_max_doublings', 9999));
  const deadline = duration(get, bad, 'schedule_attempt_deadline', ...DEADLINE_S);
  const overrides = scheduleOverrides(get, bad);
  const out: ScheduleInput = {
    kind: 'set',
    cron: typeof cron === 'string' ? raw : cron.text,
    timeZone,
    paused: paused.toLowerCase() === 'true',
    retry,
  };
  if (account) out.serviceAccount = account;
  if (deadline) out.attemptDeadline = deadline;
  if (overrides) out.overrides = overrides;
  return out;
}

/** schedule_args, schedule_env_vars, schedule_tasks, schedule_task_timeout: the execute_* parser, renamed. */
function scheduleOverrides(get: (name: string) => string, bad: Bad): RunOverrides | undefined {
  const renamed = (name: string) => get(name.replace(/^execute_/, 'schedule_'));
  const named: Bad = (name, expected, got) => bad(name.replace(/^execute_/, 'schedule_'), expected, got);
  return parseOverrides(renamed, named);
}
