// Cloud Run Admin v2 on the emulator, driven by the real @googleapis/run client over HTTP.
import type { run_v2 } from '@googleapis/run';
import { describe, expect, it } from 'vitest';
import {
  AGENT,
  APP,
  DEPLOYER,
  EXECUTOR,
  FAILING_IMAGE,
  FOREIGN_IMAGE,
  FOREIGN_SA,
  IMAGE,
  MISSING_IMAGE,
  OUTSIDER,
  PRIVATE_IMAGE,
  REGION,
  RUNNER,
  runWorld,
  STRANGER,
  v2Job,
} from './emulator/run-world.ts';
import { runV2Client, useEmulator } from './helpers/emulator.ts';

const parent = `projects/${APP.id}/locations/${REGION}`;

const client = (email: string) => runV2Client(emu(), email);

interface ErrorBody {
  code: number;
  message: string;
  status: string;
  details: Array<{ metadata?: Record<string, string> }>;
}

/** The Google error body of a rejected call. */
async function failure(p: Promise<unknown>): Promise<{ status: number; error: ErrorBody }> {
  try {
    await p;
  } catch (e) {
    const res = (e as { response?: { status: number; data: { error: ErrorBody } } }).response;
    if (res) return { status: res.status, error: res.data.error };
    throw e;
  }
  throw new Error('expected the call to fail');
}

async function waitOp(run: run_v2.Run, name: string) {
  const { data } = await run.projects.locations.operations.wait({ name, requestBody: { timeout: '10s' } });
  return data;
}

async function createJob(run: run_v2.Run, id: string, body: object) {
  const { data: op } = await run.projects.locations.jobs.create({ parent, jobId: id, requestBody: body });
  return waitOp(run, op.name as string);
}

const emu = useEmulator({ scenario: runWorld() });

describe('Cloud Run v2 jobs', () => {
  it('creates a job through a long-running operation and serves it with server-set fields', async () => {
    const run = client(DEPLOYER);
    const { data: op } = await run.projects.locations.jobs.create({
      parent,
      jobId: 'hello',
      requestBody: v2Job(IMAGE, { serviceAccount: RUNNER, labels: { team: 'a' } }),
    });
    expect(op.name).toMatch(new RegExp(`^${parent}/operations/`));
    expect(op.done).toBeFalsy();
    const done = await waitOp(run, op.name as string);
    expect(done.done).toBe(true);
    expect(done.error).toBeUndefined();
    expect(done.response?.['@type']).toBe('type.googleapis.com/google.cloud.run.v2.Job');

    const { data: job } = await run.projects.locations.jobs.get({ name: `${parent}/jobs/hello` });
    expect(job).toMatchObject({
      name: `${parent}/jobs/hello`,
      generation: '1',
      creator: DEPLOYER,
      lastModifier: DEPLOYER,
      launchStage: 'GA',
      labels: { team: 'a' },
      terminalCondition: { type: 'Ready', state: 'CONDITION_SUCCEEDED' },
    });
    expect(job.template?.template?.serviceAccount).toBe(RUNNER);
    expect(job.etag).toBeTruthy();
    expect(job.createTime).toBeTruthy();
  });

  it('refuses a second create with 409 ALREADY_EXISTS', async () => {
    const f = await failure(
      client(DEPLOYER).projects.locations.jobs.create({ parent, jobId: 'hello', requestBody: v2Job(IMAGE) }),
    );
    expect(f.status).toBe(409);
    expect(f.error.status).toBe('ALREADY_EXISTS');
  });

  it('answers 404 NOT_FOUND for a missing job and 403 for a caller without run.jobs.get', async () => {
    const missing = await failure(
      client(DEPLOYER).projects.locations.jobs.get({ name: `${parent}/jobs/nope` }),
    );
    expect(missing.status).toBe(404);
    expect(missing.error.message).toContain("Resource 'nope' of kind 'JOB'");
    const denied = await failure(
      client(OUTSIDER).projects.locations.jobs.get({ name: `${parent}/jobs/hello` }),
    );
    expect(denied.status).toBe(403);
    expect(denied.error.status).toBe('PERMISSION_DENIED');
    expect(denied.error.details[0]?.metadata?.permission).toBe('run.jobs.get');
  });

  it('rejects a runtime account the deployer cannot act as, synchronously', async () => {
    const f = await failure(
      client(DEPLOYER).projects.locations.jobs.create({
        parent,
        jobId: 'actas',
        requestBody: v2Job(IMAGE, { serviceAccount: STRANGER }),
      }),
    );
    expect(f.status).toBe(403);
    expect(f.error.message).toBe(
      `Permission 'iam.serviceaccounts.actAs' denied on service account ${STRANGER} (or it may not exist).`,
    );
    expect(emu().world.jobs[`${parent}/jobs/actas`]).toBeUndefined();
  });

  it('checks the default compute account when the job names none', async () => {
    const f = await failure(
      client(DEPLOYER).projects.locations.jobs.create({
        parent,
        jobId: 'default-sa',
        requestBody: v2Job(IMAGE),
      }),
    );
    expect(f.error.message).toContain(`${APP.number}-compute@developer.gserviceaccount.com`);
  });

  it("rejects an image the deployer cannot read, in Cloud Run's words (no permission named), leaving no job", async () => {
    const f = await failure(
      client(DEPLOYER).projects.locations.jobs.create({
        parent,
        jobId: 'private',
        requestBody: v2Job(PRIVATE_IMAGE, { serviceAccount: RUNNER }),
      }),
    );
    expect(f.status).toBe(403);
    expect(f.error.status).toBe('PERMISSION_DENIED');
    expect(f.error.message).toMatch(
      new RegExp(`^User must have permission to read the image, ${PRIVATE_IMAGE.replace(/[.]/g, '\\.')}\\. `),
    );
    expect(f.error.message).not.toMatch(/artifactregistry\.repositories/);
    expect(emu().world.jobs[`${parent}/jobs/private`]).toBeUndefined();
  });

  it('fails the operation when the service agent cannot read an image in another project', async () => {
    const run = client(DEPLOYER);
    const op = await createJob(run, 'foreign', v2Job(FOREIGN_IMAGE, { serviceAccount: RUNNER }));
    expect(op.error?.code).toBe(7);
    expect(op.error?.message).toContain(
      `Google Cloud Run Service Agent ${AGENT} must have permission to read the image`,
    );
    expect(op.error?.message).toContain('artifactregistry.repositories.downloadArtifacts');
    const { data: job } = await run.projects.locations.jobs.get({ name: `${parent}/jobs/foreign` });
    expect(job.terminalCondition).toMatchObject({
      state: 'CONDITION_FAILED',
      reason: 'CONTAINER_PERMISSION_DENIED',
    });
  });

  it('fails the operation for an image that does not exist', async () => {
    const op = await createJob(
      client(DEPLOYER),
      'missing-image',
      v2Job(MISSING_IMAGE, { serviceAccount: RUNNER }),
    );
    expect(op.error?.message).toBe(`Image '${MISSING_IMAGE}' not found.`);
  });

  it('refuses a runtime account from another project while the org policy is enforced, then needs the agent token grant', async () => {
    const run = client(DEPLOYER);
    const createForeign = () =>
      failure(
        run.projects.locations.jobs.create({
          parent,
          jobId: 'xproject',
          requestBody: v2Job(IMAGE, { serviceAccount: FOREIGN_SA }),
        }),
      );
    const enforced = await createForeign();
    expect(enforced.status).toBe(400);
    expect(enforced.error.status).toBe('FAILED_PRECONDITION');
    expect(JSON.stringify(enforced.error.details)).toContain(
      'constraints/iam.disableCrossProjectServiceAccountUsage',
    );

    const imgProject = emu().world.projects.find((p) => p.id === 'img-proj');
    if (!imgProject) throw new Error('scenario lost img-proj');
    imgProject.orgPolicies['iam.disableCrossProjectServiceAccountUsage'] = false;
    // Synchronous on the write, as Cloud Run answers it, and no job is left behind.
    const denied = await createForeign();
    expect(denied.status).toBe(403);
    expect(denied.error.message).toBe(
      `Google Cloud Run Service Agent does not have permission to get access tokens for the service account ${FOREIGN_SA}. ` +
        `Please give ${AGENT} permission iam.serviceAccounts.getAccessToken on the service account. ` +
        'Alternatively, if the service account is unspecified or in the same project you are deploying in, ensure that ' +
        'the Service Agent is assigned the Google Cloud Run Service Agent role roles/run.serviceAgent.',
    );
    expect(emu().world.jobs[`${parent}/jobs/xproject`]).toBeUndefined();
  });

  it('fails the operation for a secret that does not exist, and passes for a readable one', async () => {
    const run = client(DEPLOYER);
    const secretEnv = (secret: string) => [
      { name: 'PASS', valueSource: { secretKeyRef: { secret, version: '2' } } },
    ];
    const bad = await createJob(
      run,
      'bad-secret',
      v2Job(IMAGE, { serviceAccount: RUNNER, env: secretEnv('nope') }),
    );
    expect(bad.error?.message).toBe(`Secret projects/${APP.id}/secrets/nope/versions/2 was not found.`);
    const good = await createJob(
      run,
      'good-secret',
      v2Job(IMAGE, { serviceAccount: RUNNER, env: secretEnv('db-pass') }),
    );
    expect(good.error).toBeUndefined();
  });

  it('replaces the job on PATCH, keeping server-set fields, and creates with allowMissing', async () => {
    const run = client(DEPLOYER);
    const name = `${parent}/jobs/hello`;
    const { data: before } = await run.projects.locations.jobs.get({ name });
    const { data: op } = await run.projects.locations.jobs.patch({
      name,
      requestBody: v2Job(IMAGE, { serviceAccount: RUNNER, labels: { team: 'b' } }),
    });
    await waitOp(run, op.name as string);
    const { data: after } = await run.projects.locations.jobs.get({ name });
    expect(after.generation).toBe('2');
    expect(after.labels).toEqual({ team: 'b' });
    expect(after.uid).toBe(before.uid);
    expect(after.createTime).toBe(before.createTime);
    expect(after.etag).not.toBe(before.etag);

    const stale = await failure(
      run.projects.locations.jobs.patch({
        name,
        requestBody: { ...v2Job(IMAGE, { serviceAccount: RUNNER }), etag: String(before.etag) },
      }),
    );
    expect(stale.status).toBe(409);

    const absent = await failure(
      run.projects.locations.jobs.patch({
        name: `${parent}/jobs/fresh`,
        requestBody: v2Job(IMAGE, { serviceAccount: RUNNER }),
      }),
    );
    expect(absent.status).toBe(404);
    const { data: created } = await run.projects.locations.jobs.patch({
      name: `${parent}/jobs/fresh`,
      allowMissing: true,
      requestBody: v2Job(IMAGE, { serviceAccount: RUNNER }),
    });
    expect((await waitOp(run, created.name as string)).error).toBeUndefined();
  });

  it('lists the project jobs', async () => {
    const { data } = await client(DEPLOYER).projects.locations.jobs.list({ parent });
    expect(data.jobs?.map((j) => j.name?.split('/').pop())).toEqual(
      expect.arrayContaining(['hello', 'fresh']),
    );
  });
});

describe('Cloud Run v2 executions', () => {
  it('runs a job to success with realistic conditions and counts', async () => {
    const run = client(DEPLOYER);
    const { data: op } = await run.projects.locations.jobs.run({
      name: `${parent}/jobs/hello`,
      requestBody: {},
    });
    expect(op.done).toBeFalsy();
    const done = await waitOp(run, op.name as string);
    expect(done.error).toBeUndefined();
    const execName = String(done.response?.name);
    const { data: ex } = await run.projects.locations.jobs.executions.get({ name: execName });
    expect(ex.succeededCount).toBe(1);
    expect(ex.completionTime).toBeTruthy();
    expect(ex.logUri).toContain('console.cloud.google.com/logs');
    expect(ex.conditions?.map((c) => [c.type, c.state])).toEqual([
      ['ResourcesAvailable', 'CONDITION_SUCCEEDED'],
      ['Started', 'CONDITION_SUCCEEDED'],
      ['Completed', 'CONDITION_SUCCEEDED'],
    ]);
    const { data: job } = await run.projects.locations.jobs.get({ name: `${parent}/jobs/hello` });
    expect(job.latestCreatedExecution).toMatchObject({
      name: execName,
      completionStatus: 'EXECUTION_SUCCEEDED',
    });
  });

  it('fails an execution whose container exits non-zero', async () => {
    const run = client(DEPLOYER);
    await createJob(run, 'failing', v2Job(FAILING_IMAGE, { serviceAccount: RUNNER }));
    const { data: op } = await run.projects.locations.jobs.run({
      name: `${parent}/jobs/failing`,
      requestBody: {},
    });
    const done = await waitOp(run, op.name as string);
    expect(done.error?.message).toContain('exit code 3');
    const { data: list } = await run.projects.locations.jobs.executions.list({
      parent: `${parent}/jobs/failing`,
    });
    const ex = list.executions?.[0];
    expect(ex?.failedCount).toBe(1);
    expect(ex?.conditions?.find((c) => c.type === 'Completed')).toMatchObject({
      state: 'CONDITION_FAILED',
      executionReason: 'NON_ZERO_EXIT_CODE',
    });
  });

  it('re-checks preconditions when an execution starts', async () => {
    const run = client(DEPLOYER);
    const repo = emu().world.repositories.find((r) => r.name.endsWith('/repositories/apps'));
    if (!repo) throw new Error('scenario lost the apps repository');
    await createJob(run, 'vanishing', v2Job(IMAGE, { serviceAccount: RUNNER }));
    const saved = repo.images.job;
    repo.images.job = ['latest'];
    try {
      const { data: op } = await run.projects.locations.jobs.run({
        name: `${parent}/jobs/vanishing`,
        requestBody: {},
      });
      const done = await waitOp(run, op.name as string);
      expect(done.error?.message).toBe(`Image '${IMAGE}' not found.`);
    } finally {
      repo.images.job = saved ?? [];
    }
  });

  it('needs run.jobs.runWithOverrides to run with overrides', async () => {
    const run = client(EXECUTOR);
    const name = `${parent}/jobs/hello`;
    const denied = await failure(
      run.projects.locations.jobs.run({ name, requestBody: { overrides: { taskCount: 2 } } }),
    );
    expect(denied.status).toBe(403);
    expect(denied.error.details[0]?.metadata?.permission).toBe('run.jobs.runWithOverrides');
    const { data: op } = await run.projects.locations.jobs.run({ name, requestBody: {} });
    expect(op.name).toBeTruthy();

    const { data: withOverrides } = await client(DEPLOYER).projects.locations.jobs.run({
      name,
      requestBody: { overrides: { taskCount: 2, containerOverrides: [{ args: ['--fast'] }] } },
    });
    const done = await waitOp(client(DEPLOYER), withOverrides.name as string);
    expect(done.response?.taskCount).toBe(2);
    expect(done.response?.succeededCount).toBe(2);
    expect(done.response?.template?.containers?.[0]?.args).toEqual(['--fast']);
  });

  it('deletes a job', async () => {
    const run = client(DEPLOYER);
    const { data: op } = await run.projects.locations.jobs.delete({ name: `${parent}/jobs/fresh` });
    expect(op.done).toBe(true);
    const f = await failure(run.projects.locations.jobs.get({ name: `${parent}/jobs/fresh` }));
    expect(f.status).toBe(404);
  });
});
