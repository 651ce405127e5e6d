// The Cloud Scheduler job the action wants for a trigger, and how it differs from the one that
// exists: the fields compared are only those the action sets, so Google's defaults and output
// fields never read as a change (an unchanged schedule is not rewritten).
// The target is Cloud Run Admin API v2 projects.locations.jobs.run, POST v2/{+name}:run (gcloud's
// generated run v2 client), whose body is a RunJobRequest (its `overrides` as the execute_*
// inputs build them). Google's page https://cloud.google.com/run/docs/execute/jobs-on-schedule
// shows the v1 form of the same method (REGION-run.googleapis.com/apis/run.googleapis.com/v1/
// namespaces/PROJECT/jobs/JOB:run); v2 is used here because its RunJobRequest is the shape the
// action already sends. The token is an OAuth token (HttpTarget.oauthToken: for *.googleapis.com
// targets, per gcloud's cloudscheduler_v1_messages.py).
import type { SchedulerJob, SchedulerJobSpec } from '../gcp/scheduler.ts';
import type { ScheduleInput, TriggerPlan } from '../model.ts';

/** Starts every description the action writes: how it tells its own trigger from another job of that name. */
export const MANAGED_MARK = 'Managed by the deploy-cloudrun-job GitHub Action';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export function description(trigger: TriggerPlan): string {
  return `${MANAGED_MARK}: runs Cloud Run job ${trigger.target}. Changes made elsewhere are replaced on the next deploy.`;
}

export function isManaged(job: SchedulerJob, trigger: TriggerPlan): boolean {
  return (job.description ?? '').startsWith(`${MANAGED_MARK}: runs Cloud Run job ${trigger.target}.`);
}

export function runUri(target: string, universe: string): string {
  return `https://run.${universe}/v2/${target}:run`;
}

export function desiredJob(
  trigger: TriggerPlan,
  input: Extract<ScheduleInput, { kind: 'set' }>,
  universe: string,
): SchedulerJobSpec {
  const body = input.overrides
    ? Buffer.from(JSON.stringify({ overrides: input.overrides })).toString('base64')
    : undefined;
  const job: SchedulerJobSpec = {
    name: trigger.name,
    description: description(trigger),
    schedule: input.cron,
    timeZone: input.timeZone,
    httpTarget: {
      uri: runUri(trigger.target, universe),
      httpMethod: 'POST',
      ...(body ? { body, headers: { 'Content-Type': 'application/json' } } : {}),
      oauthToken: { serviceAccountEmail: trigger.serviceAccount ?? '', scope: SCOPE },
    },
  };
  if (Object.keys(input.retry).length) job.retryConfig = { ...input.retry };
  if (input.attemptDeadline) job.attemptDeadline = input.attemptDeadline;
  return job;
}

/** The update-mask paths whose values differ (empty: unchanged). */
export function changedFields(want: SchedulerJobSpec, have: SchedulerJob): string[] {
  const out: string[] = [];
  for (const k of ['description', 'schedule', 'timeZone', 'attemptDeadline'] as const)
    if (want[k] !== undefined && want[k] !== have[k]) out.push(k);
  const w = want.httpTarget;
  const h = have.httpTarget;
  if (
    w &&
    (w.uri !== h?.uri ||
      (h?.httpMethod ?? 'POST') !== w.httpMethod ||
      (w.body ?? '') !== (h?.body ?? '') ||
      w.oauthToken?.serviceAccountEmail !== h?.oauthToken?.serviceAccountEmail ||
      h?.oidcToken !== undefined ||
      (w.headers?.['Content-Type'] ?? '') !== (w.headers ? (h?.headers?.['Content-Type'] ?? '') : ''))
  )
    out.push('httpTarget');
  for (const [k, v] of Object.entries(want.retryConfig ?? {}))
    if (have.retryConfig?.[k as keyof typeof have.retryConfig] !== v) out.push(`retryConfig.${k}`);
  return out;
}
