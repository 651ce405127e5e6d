// The schedule inputs (issue 21): the forms they take, and for each refused form an error that
// names the input, through parseInputs (the one reader of inputs), before any request.
import { describe, expect, it } from 'vitest';
import { parseInputs } from '../src/inputs.ts';
import type { Config } from '../src/model.ts';
import { problemsOf } from './helpers/input-refusals.ts';

const base = { job: 'nightly', image: 'us-docker.pkg.dev/app/c/nightly:1', project_id: 'app-prod' };
const parse = (inputs: Record<string, string>): Config =>
  parseInputs(
    (name) => ({ ...base, ...inputs })[name as keyof typeof base] ?? '',
    {},
    () => true,
  );
const problems = (inputs: Record<string, string>): string[] => problemsOf(() => parse(inputs));

describe('schedule inputs: accepted forms', () => {
  it('a cron alone: Etc/UTC, running, no retry settings, no overrides', () => {
    expect(parse({ schedule: ' 0  3 * * * ' }).schedule).toEqual({
      kind: 'set',
      cron: '0 3 * * *',
      timeZone: 'Etc/UTC',
      paused: false,
      retry: {},
    });
  });
  it('every companion, in gcloud units', () => {
    expect(
      parse({
        schedule: '30 2 * * MON-FRI',
        schedule_time_zone: 'Europe/Paris',
        schedule_service_account: 'scheduler@app-prod.iam.gserviceaccount.com',
        schedule_paused: 'true',
        schedule_max_retry_attempts: '3',
        schedule_max_retry_duration: '1h',
        schedule_min_backoff: '10s',
        schedule_max_backoff: '5m',
        schedule_max_doublings: '4',
        schedule_attempt_deadline: '3m',
        schedule_args: '--full',
        schedule_env_vars: 'MODE=nightly',
        schedule_tasks: '4',
        schedule_task_timeout: '2h',
      }).schedule,
    ).toEqual({
      kind: 'set',
      cron: '30 2 * * MON-FRI',
      timeZone: 'Europe/Paris',
      serviceAccount: 'scheduler@app-prod.iam.gserviceaccount.com',
      paused: true,
      retry: {
        retryCount: 3,
        maxRetryDuration: '3600s',
        minBackoffDuration: '10s',
        maxBackoffDuration: '300s',
        maxDoublings: 4,
      },
      attemptDeadline: '180s',
      overrides: {
        containerOverrides: [{ args: ['--full'], env: [{ name: 'MODE', value: 'nightly' }] }],
        taskCount: 4,
        timeout: '7200s',
      },
    });
  });
  it('off removes the trigger', () => {
    expect(parse({ schedule: 'off' }).schedule).toEqual({ kind: 'remove' });
  });
  it('no schedule: no trigger is touched', () => {
    expect(parse({}).schedule).toBeUndefined();
  });
});

describe('schedule inputs: refused forms name the input', () => {
  it.each([
    [{ schedule: '0 3 * *' }, /Input "schedule" must be a unix-cron schedule.*five fields/],
    [{ schedule: 'every 5 minutes' }, /Input "schedule" must be a unix-cron schedule/],
    [
      { schedule: '0 3 * * *', schedule_time_zone: 'Mars/Olympus' },
      /Input "schedule_time_zone" must be a time zone/,
    ],
    [
      { schedule: '0 3 * * *', schedule_service_account: 'not-an-email' },
      /Input "schedule_service_account" must be a service account email/,
    ],
    [
      {
        schedule: '0 3 * * *',
        schedule_service_account: 'service-123@gcp-sa-cloudscheduler.iam.gserviceaccount.com',
      },
      /must not be the Cloud Scheduler service agent/,
    ],
    [
      { schedule: '0 3 * * *', schedule_service_account: 'sched@other-proj.iam.gserviceaccount.com' },
      /Input "schedule_service_account": .* project other-proj, .*trigger's own project \(app-prod/,
    ],
    [{ schedule: '0 3 * * *', schedule_paused: 'yes' }, /Input "schedule_paused" must be true or false/],
    [
      { schedule: '0 3 * * *', schedule_max_retry_attempts: '6' },
      /Input "schedule_max_retry_attempts" must be a whole number from 0 to 5/,
    ],
    [
      { schedule: '0 3 * * *', schedule_attempt_deadline: '10s' },
      /Input "schedule_attempt_deadline" must be a duration between 15s and 30m/,
    ],
    [
      { schedule: '0 3 * * *', schedule_min_backoff: 'soon' },
      /Input "schedule_min_backoff" must be a duration/,
    ],
    [
      { schedule: '0 3 * * *', schedule_tasks: '0' },
      /Input "schedule_tasks" must be a whole number of tasks/,
    ],
    [
      { schedule: '0 3 * * *', schedule_env_vars: 'no-equals' },
      /Input "schedule_env_vars" must be KEY=VALUE/,
    ],
    [{ schedule_time_zone: 'Europe/Paris' }, /Input "schedule_time_zone" needs "schedule"/],
    [{ schedule: 'off', schedule_paused: 'true' }, /Inputs "schedule: off" and "schedule_paused" conflict/],
  ])('%o', (inputs, message) => {
    expect(problems(inputs).join('\n')).toMatch(message);
  });
});
