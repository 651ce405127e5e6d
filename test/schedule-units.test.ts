// Pure units of the schedule: the Cloud Scheduler Job decoder (a malformed body is one clear
// error), the fields an update changes (Google's defaults and output fields are no change), the
// trigger plan (the account's project, the default account) and Scheduler's own refusals.
import { describe, expect, it } from 'vitest';
import { fromStatus } from '../src/gcp/errors.ts';
import { decodeSchedulerJob, MalformedAnswer } from '../src/gcp/scheduler.ts';
import { InputError } from '../src/inputs.ts';
import type { DeployPlan, ScheduleInput } from '../src/model.ts';
import { diagnoseScheduler } from '../src/schedule/diagnose.ts';
import { triggerPlan } from '../src/schedule/plan.ts';
import { changedFields, desiredJob, isManaged } from '../src/schedule/spec.ts';

const NAME = 'projects/app/locations/us-central1/jobs/nightly-github-trigger';

describe('decodeSchedulerJob', () => {
  it('keeps the documented fields', () => {
    const documented = {
      name: NAME,
      schedule: '0 3 * * *',
      state: 'PAUSED',
      httpTarget: { uri: 'https://x', oauthToken: { serviceAccountEmail: 'a@b.iam.gserviceaccount.com' } },
      retryConfig: { retryCount: 2, minBackoffDuration: '5s' },
      status: { code: 7, message: 'denied' },
    };
    // A field the decoder does not know is dropped; every documented one comes through as sent.
    expect(decodeSchedulerJob({ ...documented, somethingNew: true })).toEqual(documented);
  });
  it.each([
    [[], /not a JSON object/],
    [{ name: 'jobs/x' }, /job.name "jobs\/x"/],
    [{ name: NAME, state: 'RUNNING' }, /job.state "RUNNING"/],
    [{ name: NAME, schedule: 3 }, /job.schedule is not a string/],
    [{ name: NAME, httpTarget: {} }, /httpTarget has no uri/],
    [{ name: NAME, retryConfig: { retryCount: '2' } }, /retryConfig.retryCount is not an integer/],
  ])('refuses %j', (body, why) => {
    expect(() => decodeSchedulerJob(body)).toThrow(MalformedAnswer);
    expect(() => decodeSchedulerJob(body)).toThrow(why);
  });
});

const plan = (over: Partial<DeployPlan> = {}): DeployPlan => ({
  project: 'app',
  projectNumber: '123',
  region: 'us-central1',
  job: 'nightly',
  jobName: 'projects/app/locations/us-central1/jobs/nightly',
  image: { url: 'x', registry: 'other' },
  serviceAccount: 'runtime@app.iam.gserviceaccount.com',
  serviceAccountProject: 'app',
  serviceAccountIsDefault: false,
  serviceAgent: 'service-123@serverless-robot-prod.iam.gserviceaccount.com',
  secrets: [],
  execute: false,
  ...over,
});
const input = (over: Partial<Extract<ScheduleInput, { kind: 'set' }>> = {}) =>
  ({ kind: 'set', cron: '0 3 * * *', timeZone: 'Etc/UTC', paused: false, retry: {}, ...over }) as const;

describe('triggerPlan', () => {
  it("defaults to the job's own account, names the trigger after the job, finds the Scheduler agent", () => {
    expect(triggerPlan(input(), plan())).toMatchObject({
      name: NAME,
      serviceAccount: 'runtime@app.iam.gserviceaccount.com',
      serviceAccountIsJobs: true,
      serviceAgent: 'service-123@gcp-sa-cloudscheduler.iam.gserviceaccount.com',
    });
  });
  it('refuses an account of another project, naming the input', () => {
    expect(() =>
      triggerPlan(input({ serviceAccount: 'sched@other.iam.gserviceaccount.com' }), plan()),
    ).toThrow(InputError);
    expect(() => triggerPlan(input(), plan({ serviceAccountProject: 'shared' }))).toThrow(
      /schedule_service_account.*project shared/,
    );
  });
});

describe('desiredJob and changedFields', () => {
  const trigger = triggerPlan(input({ serviceAccount: 'sched@app.iam.gserviceaccount.com' }), plan());
  const want = desiredJob(trigger, input({ retry: { retryCount: 2 } }), 'googleapis.com');
  const asGoogleKeepsIt = {
    ...structuredClone(want),
    state: 'ENABLED' as const,
    scheduleTime: '2026-12-08T03:00:00Z',
    userUpdateTime: '2026-12-01T00:00:00Z',
    retryConfig: { retryCount: 2, minBackoffDuration: '5s', maxBackoffDuration: '3600s', maxDoublings: 5 },
    httpTarget: {
      ...want.httpTarget,
      uri: want.httpTarget?.uri ?? '',
      headers: { 'User-Agent': 'Google-Cloud-Scheduler' },
    },
  };
  it("targets Cloud Run v2 jobs:run with the account's OAuth token and marks the trigger as the action's", () => {
    expect(want.httpTarget).toMatchObject({
      uri: 'https://run.googleapis.com/v2/projects/app/locations/us-central1/jobs/nightly:run',
      httpMethod: 'POST',
      oauthToken: { serviceAccountEmail: 'sched@app.iam.gserviceaccount.com' },
    });
    expect(isManaged(asGoogleKeepsIt, trigger)).toBe(true);
    expect(isManaged({ ...asGoogleKeepsIt, description: 'made by hand' }, trigger)).toBe(false);
  });
  it("sees no change in Google's defaults and output fields", () => {
    expect(changedFields(want, asGoogleKeepsIt)).toEqual([]);
  });
  it('names exactly the fields that differ', () => {
    expect(changedFields(want, { ...asGoogleKeepsIt, schedule: '0 4 * * *', timeZone: 'UTC' })).toEqual([
      'schedule',
      'timeZone',
    ]);
    expect(changedFields(want, { ...asGoogleKeepsIt, retryConfig: { retryCount: 1 } })).toEqual([
      'retryConfig.retryCount',
    ]);
    const other = { ...asGoogleKeepsIt, httpTarget: { uri: want.httpTarget?.uri ?? '', oauthToken: {} } };
    expect(changedFields(want, other)).toEqual(['httpTarget']);
  });
  it('sends overrides as a RunJobRequest body', () => {
    const withOverrides = desiredJob(trigger, input({ overrides: { taskCount: 4 } }), 'googleapis.com');
    const body = Buffer.from(withOverrides.httpTarget?.body ?? '', 'base64').toString();
    expect(JSON.parse(body)).toEqual({ overrides: { taskCount: 4 } });
    expect(withOverrides.httpTarget?.headers).toEqual({ 'Content-Type': 'application/json' });
  });
});

describe('diagnoseScheduler', () => {
  const attempting = `create Cloud Scheduler job ${NAME}`;
  it.each([
    [
      { code: 400, status: 'INVALID_ARGUMENT', message: 'Schedule or time zone is invalid.' },
      400,
      'scheduler-schedule',
      'schedule',
    ],
    [
      { code: 404, status: 'NOT_FOUND', message: 'Location us-central1 is not found.' },
      404,
      'scheduler-region',
      'region',
    ],
    [
      { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'Quota exceeded.' },
      429,
      'scheduler-quota',
      'schedule',
    ],
  ])('%j', (body, http, check, subject) => {
    const f = diagnoseScheduler(fromStatus(body, http), attempting);
    expect(f).toMatchObject({ check, subject, status: 'failed', resource: NAME });
  });
  it('leaves other APIs and other Scheduler errors to the general diagnosis', () => {
    expect(
      diagnoseScheduler(
        fromStatus({ code: 429, status: 'RESOURCE_EXHAUSTED', message: 'x' }, 429),
        'deploy job',
      ),
    ).toBeUndefined();
    expect(
      diagnoseScheduler(
        fromStatus({ code: 403, status: 'PERMISSION_DENIED', message: 'x' }, 403),
        attempting,
      ),
    ).toBeUndefined();
  });
});
