// The schedule step, after the job is deployed: read the trigger the action manages, then
// create it, update only the fields that differ (nothing when none do), pause or resume it, or
// delete it for `schedule: off`. A Cloud Scheduler job of that name the action did not make is
// never touched. dry_run reads and says what it would do, and writes nothing.
import type { ApiContext } from '../gcp/clients.ts';
import { toApiError } from '../gcp/errors.ts';
import {
  createSchedulerJob,
  deleteSchedulerJob,
  getSchedulerJob,
  patchSchedulerJob,
  type SchedulerJob,
  setSchedulerJobPaused,
} from '../gcp/scheduler.ts';
import type { Config, Finding, ScheduleInput, ScheduleResult, TriggerAction, TriggerPlan } from '../model.ts';
import { describeCron, nextRuns, parseCron } from './cron.ts';
import { changedFields, desiredJob, isManaged } from './spec.ts';

/** A Cloud Scheduler job holds the trigger's name but was not made by the action: reported, never changed. */
export class ForeignTrigger extends Error {
  readonly finding: Finding;
  constructor(trigger: TriggerPlan, job: SchedulerJob) {
    super(`Cloud Scheduler job ${trigger.name} exists but was not made by this action`);
    this.finding = {
      check: 'trigger-name',
      status: 'failed',
      title: `Cloud Scheduler job ${trigger.name} was not made by this action`,
      resource: trigger.name,
      evidence: `Its description is ${JSON.stringify(job.description ?? '')}; the action only changes or deletes the trigger it made (its description names the Cloud Run job).`,
      remedy: `Delete or rename that Cloud Scheduler job if it is an old trigger of ${trigger.target}, or leave it and remove the schedule input.`,
      command: `gcloud scheduler jobs delete ${trigger.name.split('/').pop()} --location=${trigger.location} --project=${trigger.project}`,
      subject: 'job',
    };
  }
}

export function schedulerConsoleUrl(trigger: TriggerPlan): string {
  const id = trigger.name.split('/').pop() ?? '';
  return `https://console.cloud.google.com/cloudscheduler/jobs/edit/${trigger.location}/${id}?project=${trigger.project}`;
}

/** The schedule in words and its next runs, for the report (pure but for `now`). */
export function describeSchedule(
  input: Extract<ScheduleInput, { kind: 'set' }>,
  now: Date,
): Pick<ScheduleResult, 'cron' | 'timeZone' | 'words' | 'nextRuns' | 'paused'> {
  const cron = parseCron(input.cron);
  const out = { cron: input.cron, timeZone: input.timeZone, paused: input.paused };
  if (typeof cron === 'string') return out;
  const next = input.paused ? [] : nextRuns(cron, input.timeZone, now, 3);
  return { ...out, words: describeCron(cron), nextRuns: next.map((d) => d.toISOString()) };
}

export interface ScheduleOptions {
  dryRun: boolean;
  log: (msg: string) => void;
  now?: Date;
}

/** Logs and shapes what happened: `planned` (dry run) says what a real run would do. */
function reporter(trigger: TriggerPlan, base: ScheduleResult, o: ScheduleOptions) {
  return (action: TriggerAction, change?: string): ScheduleResult => {
    o.log(
      action === 'planned'
        ? `Dry run: would ${change} trigger ${trigger.name}; nothing changed`
        : `Trigger ${trigger.name} ${action}${change ? ` (${change})` : ''}`,
    );
    return { ...base, action, ...(change ? { change } : {}) };
  };
}

export async function applySchedule(
  ctx: ApiContext,
  trigger: TriggerPlan,
  config: Config,
  o: ScheduleOptions,
): Promise<ScheduleResult> {
  const input = config.schedule as ScheduleInput;
  const base: ScheduleResult = {
    name: trigger.name,
    action: 'unchanged',
    consoleUrl: schedulerConsoleUrl(trigger),
  };
  const existing = await getSchedulerJob(ctx, trigger.name).catch((e: unknown) => {
    // Removing a trigger from a project whose Scheduler API is off: there is none to remove.
    if (input.kind === 'remove' && toApiError(e).reason === 'SERVICE_DISABLED') return undefined;
    throw e;
  });
  if (existing && !isManaged(existing, trigger)) throw new ForeignTrigger(trigger, existing);
  if (input.kind === 'remove') {
    const done = reporter(trigger, base, o);
    if (!existing) return done('absent', 'nothing to delete');
    if (o.dryRun) return done('planned', 'delete');
    await deleteSchedulerJob(ctx, trigger.name);
    return done('deleted');
  }
  const result: ScheduleResult = {
    ...base,
    ...describeSchedule(input, o.now ?? new Date()),
    ...(trigger.serviceAccount ? { serviceAccount: trigger.serviceAccount } : {}),
  };
  return writeTrigger(ctx, trigger, input, existing, { ...o, universe: config.universe, result });
}

/** Create the trigger, or bring the existing one to what the inputs say (nothing when it already is). */
async function writeTrigger(
  ctx: ApiContext,
  trigger: TriggerPlan,
  input: Extract<ScheduleInput, { kind: 'set' }>,
  existing: SchedulerJob | undefined,
  o: ScheduleOptions & { universe: string; result: ScheduleResult },
): Promise<ScheduleResult> {
  const done = reporter(trigger, o.result, o);
  const finish = (action: TriggerAction, change?: string, job?: SchedulerJob): ScheduleResult => {
    const r = done(action, change);
    // Google's own next run when the schedule could not be walked here.
    if (job?.scheduleTime && !input.paused && !r.nextRuns?.length) r.nextRuns = [job.scheduleTime];
    return r;
  };
  const want = desiredJob(trigger, input, o.universe);
  if (!existing) {
    if (o.dryRun) return finish('planned', `create${input.paused ? ' (paused)' : ''}`);
    let job = await createSchedulerJob(ctx, want);
    if (input.paused && job.state !== 'PAUSED') job = await setSchedulerJobPaused(ctx, trigger.name, true);
    return finish('created', undefined, job);
  }
  // UPDATE_FAILED is left by a failed update; Google's remedy is to update again.
  const fields =
    existing.state === 'UPDATE_FAILED'
      ? ['schedule', 'timeZone', 'httpTarget']
      : changedFields(want, existing);
  const wantState = input.paused ? 'PAUSED' : 'ENABLED';
  const stateChange = existing.state !== wantState;
  if (!fields.length && !stateChange) return finish('unchanged', undefined, existing);
  const what = [...fields, ...(stateChange ? [input.paused ? 'paused' : 'resumed'] : [])].join(', ');
  if (o.dryRun) return finish('planned', `update (${what})`);
  let job = fields.length ? await patchSchedulerJob(ctx, want, fields) : existing;
  if (stateChange && job.state !== wantState)
    job = await setSchedulerJobPaused(ctx, trigger.name, input.paused);
  return finish('updated', what, job);
}
