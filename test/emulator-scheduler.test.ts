// The emulator's Cloud Scheduler v1 (issue 21): its routes over HTTP, its IAM (Scheduler
// permissions on the project, actAs on the OAuth account), SERVICE_DISABLED and quota, a `run`
// that calls Cloud Run's jobs:run as the trigger's account (so a missing invoker binding fails
// as in Google), every success body against gcloud's cloudscheduler v1 message classes, and
// `gcloud scheduler jobs ...` driving it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { desiredJob } from '../src/schedule/spec.ts';
import { schedulerJobs } from './emulator/apis/scheduler.ts';
import { emulatorJson, useEmulator } from './helpers/emulator.ts';
import { hasGcloud, useGcloudEmulator } from './helpers/gcloud.ts';
import { ROOT } from './helpers/run-action.ts';

const DEPLOYER = 'deployer@app-proj.iam.gserviceaccount.com';
const TRIGGER = 'scheduler@app-proj.iam.gserviceaccount.com';
const OUTSIDER = 'other@app-proj.iam.gserviceaccount.com';
const RUN_JOB = 'projects/app-proj/locations/us-central1/jobs/nightly';
const PARENT = '/v1/projects/app-proj/locations/us-central1';
const NAME = 'projects/app-proj/locations/us-central1/jobs/nightly-github-trigger';
const AGENT = 'serviceAccount:service-111111111111@gcp-sa-cloudscheduler.iam.gserviceaccount.com';

const world = (agentRole = true) => ({
  projects: [
    {
      id: 'app-proj',
      number: '111111111111',
      enableServices: ['cloudscheduler.googleapis.com'],
      policy: {
        bindings: [
          {
            role: 'roles/cloudscheduler.admin',
            members: [`serviceAccount:${DEPLOYER}`, 'user:admin@example.com'],
          },
          { role: 'roles/viewer', members: [`serviceAccount:${OUTSIDER}`] },
          ...(agentRole ? [{ role: 'roles/cloudscheduler.serviceAgent', members: [AGENT] }] : []),
        ],
      },
    },
    { id: 'off-proj', number: '222222222222' },
  ],
  serviceAccounts: [
    { email: DEPLOYER },
    { email: OUTSIDER },
    {
      email: TRIGGER,
      policy: {
        bindings: [
          {
            role: 'roles/iam.serviceAccountUser',
            members: [`serviceAccount:${DEPLOYER}`, 'user:admin@example.com'],
          },
        ],
      },
    },
    { email: 'stranger@off-proj.iam.gserviceaccount.com' },
  ],
  tokens: { 'admin-token': 'user:admin@example.com' },
  jobs: {
    [RUN_JOB]: {
      name: RUN_JOB,
      uid: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      generation: '1',
      etag: '"job-v1"',
      createTime: '2026-01-05T10:00:00Z',
      updateTime: '2026-01-05T10:00:00Z',
      launchStage: 'GA',
      template: {
        taskCount: 1,
        template: {
          maxRetries: 0,
          timeout: '600s',
          serviceAccount: TRIGGER,
          containers: [{ image: 'us-docker.pkg.dev/cloudrun/container/job:latest' }],
        },
      },
      terminalCondition: { type: 'Ready', state: 'CONDITION_SUCCEEDED' },
      reconciling: false,
    },
  },
  organizations: [],
});

const spec = (over: Record<string, unknown> = {}) => ({
  name: NAME,
  description: 'nightly',
  schedule: '0 3 * * *',
  timeZone: 'Europe/Paris',
  httpTarget: {
    uri: `https://run.googleapis.com/v2/${RUN_JOB}:run`,
    httpMethod: 'POST',
    oauthToken: { serviceAccountEmail: TRIGGER, scope: 'https://www.googleapis.com/auth/cloud-platform' },
  },
  ...over,
});

describe('Cloud Scheduler v1 over HTTP', () => {
  const emu = useEmulator({ scenario: world(), recordResponses: true });
  const as = (email: string, method: string, path: string, body?: unknown) =>
    emulatorJson(emu(), emu().issueToken(`serviceAccount:${email}`), method, path, body);

  it('creates, reads, patches by mask, pauses, resumes and deletes a job', async () => {
    const created = await as(DEPLOYER, 'POST', `${PARENT}/jobs`, spec());
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({ name: NAME, state: 'ENABLED', schedule: '0 3 * * *' });
    expect((await as(DEPLOYER, 'POST', `${PARENT}/jobs`, spec())).body.error.status).toBe('ALREADY_EXISTS');
    const patched = await as(DEPLOYER, 'PATCH', `/v1/${NAME}?updateMask=schedule,retryConfig.retryCount`, {
      ...spec({ schedule: '30 4 * * *', description: 'ignored: not in the mask' }),
      retryConfig: { retryCount: 2 },
    });
    expect(patched.body).toMatchObject({
      schedule: '30 4 * * *',
      description: 'nightly',
      retryConfig: { retryCount: 2 },
    });
    expect((await as(DEPLOYER, 'POST', `/v1/${NAME}:pause`, {})).body.state).toBe('PAUSED');
    expect((await as(DEPLOYER, 'GET', `/v1/${NAME}`)).body.state).toBe('PAUSED');
    expect((await as(DEPLOYER, 'POST', `/v1/${NAME}:resume`, {})).body.state).toBe('ENABLED');
    expect((await as(DEPLOYER, 'GET', `${PARENT}/jobs`)).body.jobs).toHaveLength(1);
    expect((await as(DEPLOYER, 'GET', '/v1/projects/app-proj/locations')).status).toBe(200);
    expect((await as(DEPLOYER, 'GET', `${PARENT}`)).body.locationId).toBe('us-central1');
    expect((await as(DEPLOYER, 'DELETE', `/v1/${NAME}`)).status).toBe(200);
    expect((await as(DEPLOYER, 'GET', `/v1/${NAME}`)).body.error.status).toBe('NOT_FOUND');
  });

  it('refuses what Google refuses: permissions, actAs, the account of another project, a bad schedule', async () => {
    const denied = await as(OUTSIDER, 'POST', `${PARENT}/jobs`, spec());
    expect(denied.body.error).toMatchObject({ code: 403, status: 'PERMISSION_DENIED' });
    expect(denied.body.error.details[0].metadata.permission).toBe('cloudscheduler.jobs.create');
    const asOther = spec({
      httpTarget: { ...spec().httpTarget, oauthToken: { serviceAccountEmail: OUTSIDER } },
    });
    const actAs = await as(DEPLOYER, 'POST', `${PARENT}/jobs`, asOther);
    expect(actAs.body.error.details[0].metadata.permission).toBe('iam.serviceAccounts.actAs');
    const bad = await as(DEPLOYER, 'POST', `${PARENT}/jobs`, spec({ schedule: '0 25 * * *' }));
    expect(bad.body.error).toMatchObject({
      code: 400,
      status: 'INVALID_ARGUMENT',
      message: 'Schedule or time zone is invalid.',
    });
    const zone = await as(DEPLOYER, 'POST', `${PARENT}/jobs`, spec({ timeZone: 'Mars/Olympus' }));
    expect(zone.body.error.message).toBe('Schedule or time zone is invalid.');
    expect(schedulerJobs(emu().world).size).toBe(0);
  });

  it('run calls jobs:run as the trigger account: 403 without run on the job, an execution with it', async () => {
    await as(DEPLOYER, 'POST', `${PARENT}/jobs`, spec());
    const refused = await as(DEPLOYER, 'POST', `/v1/${NAME}:run`, {});
    expect(refused.body.status).toMatchObject({ code: 7 });
    expect(refused.body.status.message).toContain('run.jobs.run');
    const runs = emu().requestLog.filter((r) => r.path === `/v2/${RUN_JOB}:run`);
    expect(runs.at(-1)).toMatchObject({ status: 403, caller: `serviceAccount:${TRIGGER}` });

    emu().world.jobPolicies = {
      [RUN_JOB]: { bindings: [{ role: 'roles/run.invoker', members: [`serviceAccount:${TRIGGER}`] }] },
    };
    const ran = await as(DEPLOYER, 'POST', `/v1/${NAME}:run`, {});
    expect(ran.body.status).toBeUndefined();
    expect(ran.body.lastAttemptTime).toBeDefined();
    expect(Object.keys(emu().world.executions).some((e) => e.startsWith(`${RUN_JOB}/executions/`))).toBe(
      true,
    );
    await as(DEPLOYER, 'DELETE', `/v1/${NAME}`);
  });

  it("every success body fits gcloud's cloudscheduler v1 message classes", () => {
    const info = spawnSync(
      'gcloud',
      ['info', '--format=value(installation.sdk_root,basic.python_location)'],
      {
        encoding: 'utf8',
      },
    );
    const [sdk, python] = info.stdout.trim().split(/\s+/);
    expect(sdk && python, 'gcloud is the schema; it must be installed').toBeTruthy();
    const type = (method: string, path: string) =>
      /\/locations$/.test(path)
        ? 'ListLocationsResponse'
        : /\/locations\/[^/]+$/.test(path)
          ? 'Location'
          : /\/jobs$/.test(path) && method === 'GET'
            ? 'ListJobsResponse'
            : method === 'DELETE'
              ? 'Empty'
              : 'Job';
    const items = emu()
      .requestLog.filter(
        (r) => r.status === 200 && r.path.startsWith('/v1/projects/') && r.response !== undefined,
      )
      .map((r) => ({
        api: 'cloudscheduler',
        version: 'v1',
        type: type(r.method, r.path),
        body: r.response,
        from: `${r.method} ${r.path}`,
      }));
    expect(items.length).toBeGreaterThanOrEqual(10);
    // And what the action writes: the Job it sends on create and patch, overrides and retries included.
    const trigger = {
      name: NAME,
      target: RUN_JOB,
      project: 'app-proj',
      location: 'us-central1',
      serviceAccount: TRIGGER,
      serviceAgent: AGENT,
      remove: false,
      paused: false,
      withOverrides: true,
    };
    const sent = desiredJob(
      trigger,
      {
        kind: 'set',
        cron: '0 3 * * *',
        timeZone: 'Etc/UTC',
        paused: false,
        retry: {
          retryCount: 2,
          maxRetryDuration: '3600s',
          minBackoffDuration: '5s',
          maxBackoffDuration: '60s',
          maxDoublings: 3,
        },
        attemptDeadline: '180s',
        overrides: { containerOverrides: [{ args: ['--full'] }], taskCount: 2, timeout: '600s' },
      },
      'googleapis.com',
    );
    items.push({
      api: 'cloudscheduler',
      version: 'v1',
      type: 'Job',
      body: sent as never,
      from: 'the Job the action sends',
    });
    const run = spawnSync(
      python as string,
      [join(ROOT, 'test/helpers/validate-messages.py'), sdk as string],
      {
        input: JSON.stringify(items),
        encoding: 'utf8',
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Array<{ index: number; problems: string[] }>;
    expect(report.map((r) => ({ from: items[r.index]?.from, problems: r.problems }))).toEqual([]);
  });
});

describe('Cloud Scheduler v1 when the API is off, the agent lost its role, or the quota is used up', () => {
  const emu = useEmulator({ scenario: world(false) });
  const as = (email: string, method: string, path: string, body?: unknown) =>
    emulatorJson(emu(), emu().issueToken(`serviceAccount:${email}`), method, path, body);

  it('answers SERVICE_DISABLED on the consumer project', async () => {
    const res = await as('stranger@off-proj.iam.gserviceaccount.com', 'GET', `/v1/${NAME}`);
    expect(res.body.error.status).toBe('PERMISSION_DENIED');
    expect(res.body.error.details[0]).toMatchObject({
      reason: 'SERVICE_DISABLED',
      metadata: { service: 'cloudscheduler.googleapis.com', consumer: 'projects/222222222222' },
    });
  });

  it('a run fails before the target when the service agent cannot mint the token', async () => {
    emu().world.jobPolicies = {
      [RUN_JOB]: { bindings: [{ role: 'roles/run.invoker', members: [`serviceAccount:${TRIGGER}`] }] },
    };
    await as(DEPLOYER, 'POST', `${PARENT}/jobs`, spec());
    const before = emu().requestLog.length;
    const res = await as(DEPLOYER, 'POST', `/v1/${NAME}:run`, {});
    expect(res.body.status).toMatchObject({ code: 7 });
    expect(
      emu()
        .requestLog.slice(before)
        .some((r) => r.path.endsWith(':run') && r.path.startsWith('/v2/')),
    ).toBe(false);
  });

  it('answers 429 on writes when the quota is used up', async () => {
    emu().world.quotaExhausted = ['cloudscheduler.googleapis.com'];
    const res = await as(DEPLOYER, 'DELETE', `/v1/${NAME}`);
    expect(res.body.error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
    emu().world.quotaExhausted = [];
  });
});

describe.skipIf(!hasGcloud)('gcloud scheduler jobs drives the emulator', () => {
  const { gcloud } = useGcloudEmulator(world(), { CLOUDSCHEDULER: '' }, 60_000);
  const loc = ['--location=us-central1', '--project=app-proj'];

  it('create http, describe, pause, resume, delete', async () => {
    const created = await gcloud([
      'scheduler',
      'jobs',
      'create',
      'http',
      'nightly-github-trigger',
      ...loc,
      '--schedule=0 3 * * *',
      '--time-zone=Europe/Paris',
      `--uri=https://run.googleapis.com/v2/${RUN_JOB}:run`,
      '--http-method=POST',
      `--oauth-service-account-email=${TRIGGER}`,
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      name: NAME,
      schedule: '0 3 * * *',
      timeZone: 'Europe/Paris',
    });
    const described = await gcloud(['scheduler', 'jobs', 'describe', 'nightly-github-trigger', ...loc]);
    expect(JSON.parse(described.stdout).httpTarget.oauthToken.serviceAccountEmail).toBe(TRIGGER);
    expect((await gcloud(['scheduler', 'jobs', 'pause', 'nightly-github-trigger', ...loc])).code).toBe(0);
    const paused = await gcloud(['scheduler', 'jobs', 'describe', 'nightly-github-trigger', ...loc]);
    expect(JSON.parse(paused.stdout).state).toBe('PAUSED');
    expect((await gcloud(['scheduler', 'jobs', 'resume', 'nightly-github-trigger', ...loc])).code).toBe(0);
    const updated = await gcloud([
      'scheduler',
      'jobs',
      'update',
      'http',
      'nightly-github-trigger',
      ...loc,
      '--schedule=15 2 * * *',
    ]);
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout).schedule).toBe('15 2 * * *');
    const deleted = await gcloud([
      'scheduler',
      'jobs',
      'delete',
      'nightly-github-trigger',
      ...loc,
      '--quiet',
    ]);
    expect(deleted.code, deleted.stderr).toBe(0);
  });
});
