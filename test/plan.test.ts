import { describe, expect, it } from 'vitest';
import { InputError } from '../src/inputs.ts';
import { executionStatus } from '../src/job/execute.ts';
import type { Config, Finding } from '../src/model.ts';
import { buildPlan, resolveLocal, serviceAccountProject } from '../src/plan.ts';
import { blocking, consoleUrl } from '../src/target.ts';
import { config as baseConfig } from './fixtures/config.ts';

const config = (over: Partial<Config> = {}): Config => baseConfig({ region: 'europe-west1', ...over });

describe('serviceAccountProject', () => {
  it.each([
    ['runner@sa-home.iam.gserviceaccount.com', 'sa-home'],
    ['111-compute@developer.gserviceaccount.com', 'app-prod'],
    ['222-compute@developer.gserviceaccount.com', '222'],
    ['legacy-app@appspot.gserviceaccount.com', 'legacy-app'],
    ['someone@example.com', 'app-prod'],
  ])('%s -> %s', (email, want) => expect(serviceAccountProject(email, 'app-prod', '111')).toBe(want));
});

describe('buildPlan', () => {
  const local = { project: 'app-prod', job: 'nightly' };
  it('defaults to the compute service account and resolves agent, image and secrets', () => {
    const plan = buildPlan({
      config: config({ execute: true }),
      local,
      projectNumber: '111',
      facts: {
        image: 'us-docker.pkg.dev/images-p/r/app:1',
        secrets: [
          { name: 'DB', secret: 'db', version: 'latest' },
          { name: 'K', secret: 'projects/sec-p/secrets/k', version: '2' },
        ],
      },
      deployer: 'deployer@app-prod.iam.gserviceaccount.com',
    });
    expect(plan).toEqual({
      project: 'app-prod',
      projectNumber: '111',
      region: 'europe-west1',
      job: 'nightly',
      jobName: 'projects/app-prod/locations/europe-west1/jobs/nightly',
      image: expect.objectContaining({ registry: 'artifact-registry', project: 'images-p', repository: 'r' }),
      serviceAccount: '111-compute@developer.gserviceaccount.com',
      serviceAccountProject: 'app-prod',
      serviceAccountIsDefault: true,
      serviceAgent: 'service-111@serverless-robot-prod.iam.gserviceaccount.com',
      secrets: [
        { name: 'DB', project: 'app-prod', secret: 'db', version: 'latest' },
        { name: 'K', project: 'sec-p', secret: 'k', version: '2' },
      ],
      deployer: 'deployer@app-prod.iam.gserviceaccount.com',
      execute: true,
    });
  });
  it('uses an explicit service account and its project', () => {
    const plan = buildPlan({
      config: config(),
      local,
      projectNumber: '111',
      facts: {
        image: 'gcr.io/app-prod/x',
        serviceAccount: 'runner@sa-home.iam.gserviceaccount.com',
        secrets: [],
      },
    });
    expect(plan).toMatchObject({ serviceAccountIsDefault: false, serviceAccountProject: 'sa-home' });
    expect(plan).not.toHaveProperty('deployer');
  });
  it.each([
    [true, true],
    [false, false],
    [undefined, undefined],
  ])('job exists %s -> plan.jobExists %s', (jobExists, want) => {
    const plan = buildPlan({
      config: config(),
      local,
      projectNumber: '111',
      facts: { image: 'gcr.io/app-prod/x', secrets: [] },
      ...(jobExists === undefined ? {} : { jobExists }),
    });
    if (want === undefined) expect(plan).not.toHaveProperty('jobExists');
    else expect(plan.jobExists).toBe(want);
  });
});

describe('resolveLocal', () => {
  const yaml = (name: string, ns = 'app-prod') =>
    `apiVersion: run.googleapis.com/v1\nkind: Job\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  template:\n    spec:\n      template:\n        spec:\n          containers:\n          - image: gcr.io/app-prod/x\n`;
  const read = (text: string) => () => text;
  it.each([
    {
      name: 'project from input',
      cfg: { job: 'j1', projectId: 'app-prod' },
      env: {},
      want: { project: 'app-prod', job: 'j1' },
    },
    {
      name: 'project from the auth action',
      cfg: { job: 'j1' },
      env: { CLOUDSDK_CORE_PROJECT: 'from-env' },
      want: { project: 'from-env', job: 'j1' },
    },
    {
      name: 'project and job from job.yaml',
      cfg: { metadata: 'job.yaml' },
      env: {},
      want: { project: 'app-prod', job: 'nightly' },
    },
  ])('$name', ({ cfg, env, want }) => {
    expect(resolveLocal(config(cfg), env, read(yaml('nightly')))).toMatchObject(want);
  });
  it.each([
    { name: 'no project anywhere', cfg: { job: 'j1' }, text: '', error: 'Input "project_id" is required' },
    {
      name: 'job differs from file',
      cfg: { job: 'other', metadata: 'job.yaml' },
      text: yaml('nightly'),
      error: 'Inputs "job" and "metadata" conflict',
    },
    {
      name: 'bad name in file',
      cfg: { metadata: 'job.yaml' },
      text: yaml('Bad_Name'),
      error: 'metadata.name must be a job name',
    },
    {
      name: 'project differs from namespace',
      cfg: { metadata: 'job.yaml', projectId: 'other-project' },
      text: yaml('nightly'),
      error: 'Inputs "project_id" and "metadata" conflict',
    },
  ])('rejects: $name', ({ cfg, text, error }) => {
    expect(() => resolveLocal(config(cfg), {}, read(text))).toThrow(InputError);
    expect(() => resolveLocal(config(cfg), {}, read(text))).toThrow(error);
  });
});

describe('executionStatus', () => {
  it.each([
    { name: 'running', e: { runningCount: 1 }, want: 'running' },
    { name: 'succeeded', e: { completionTime: 't', succeededCount: 2, taskCount: 2 }, want: 'succeeded' },
    {
      name: 'failed by count',
      e: { completionTime: 't', succeededCount: 1, failedCount: 1 },
      want: 'failed',
    },
    {
      name: 'failed by condition',
      e: { conditions: [{ type: 'Completed', state: 'CONDITION_FAILED' }] },
      want: 'failed',
    },
    { name: 'cancelled', e: { completionTime: 't', cancelledCount: 1 }, want: 'cancelled' },
    {
      name: 'succeeded by condition',
      e: { conditions: [{ type: 'Completed', state: 'CONDITION_SUCCEEDED' }] },
      want: 'succeeded',
    },
  ])('$name', ({ e, want }) => expect(executionStatus(e)).toBe(want));
});

describe('blocking (fail_on)', () => {
  // `planned`: a dry run of fix showed this grant as a diff; a grant it could not plan (policy
  // unreadable) still stops the run, since the real fix would fail too.
  const f = (status: Finding['status'], grant: 'none' | 'unplanned' | 'planned' = 'none'): Finding => ({
    check: 'x',
    status,
    title: status,
    evidence: '',
    ...(grant !== 'none'
      ? { grant: { resource: 'r', kind: 'secret', role: 'roles/x', member: 'user:a@b.c' } }
      : {}),
    ...(grant === 'planned' ? { plannedChange: '+ user:a@b.c' } : {}),
  });
  const all = [
    f('missing'),
    f('unverified'),
    f('satisfied'),
    f('warning'),
    f('missing', 'planned'),
    f('missing', 'unplanned'),
  ];
  it.each([
    { failOn: 'missing' as const, planned: false, want: ['missing', 'missing', 'missing'] },
    { failOn: 'unverified' as const, planned: false, want: ['missing', 'unverified', 'missing', 'missing'] },
    { failOn: 'never' as const, planned: false, want: [] },
    { failOn: 'missing' as const, planned: true, want: ['missing', 'missing'] },
  ])('$failOn (planned fixes: $planned)', ({ failOn, planned, want }) => {
    expect(blocking(all, failOn, planned).map((x) => x.status)).toEqual(want);
  });
});

it('console URL', () => {
  expect(consoleUrl({ region: 'us-central1', job: 'nightly', project: 'app-prod' })).toBe(
    'https://console.cloud.google.com/run/jobs/details/us-central1/nightly?project=app-prod',
  );
});
