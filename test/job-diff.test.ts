// The job plan on real job shapes: v2 jobs built from inputs by mergeJob against a job as the
// v2 API answers a GET (with what Google fills in: uid, generation, etag, conditions, the
// documented defaults), and v1 job.yaml bodies (manifestForReplace) against a v1 GET answer.
import { describe, expect, it } from 'vitest';
import { planV1, planV2, readyV1, readyV2, sameV1, sameV2, unchanged } from '../src/job/diff.ts';
import { parseManifest } from '../src/job/metadata.ts';
import { manifestForReplace, mergeJob, type V2Job } from '../src/job/spec.ts';
import type { Config } from '../src/model.ts';
import { config as baseConfig } from './fixtures/config.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const OTHER_SHA = 'fedcba9876543210fedcba9876543210fedcba98';
const PROJECT = 'app-prod';
const DEFAULT_SA = '123456789-compute@developer.gserviceaccount.com';
const OPTIONS = { defaultServiceAccount: DEFAULT_SA };
const IMAGE = 'us-docker.pkg.dev/app-prod/c/report';

const config = (over: Partial<Config> = {}): Config =>
  baseConfig({
    job: 'nightly',
    image: `${IMAGE}:v1`,
    envVars: { MODE: 'batch', REGION_NAME: 'us' },
    secrets: { DB_PASSWORD: { secret: 'db', version: '2' } },
    ...over,
  });

/**
 * A v2 body as Google stores and answers it: server fields, the write's stamps, and the
 * defaults it fills into what the body left unset (gcloud's run v2 messages: maxRetries 3,
 * timeout 600s, taskCount 1; the default compute account; 1 CPU and 512 MiB; gen2).
 */
function asGoogleAnswers(body: V2Job): V2Job {
  const job = structuredClone(body);
  const execution = job.template ?? {};
  execution.taskCount ??= 1;
  const task = execution.template ?? {};
  task.maxRetries ??= 3;
  task.timeout ??= '600s';
  task.serviceAccount ??= DEFAULT_SA;
  task.executionEnvironment ??= 'EXECUTION_ENVIRONMENT_GEN2';
  for (const c of task.containers ?? [])
    c.resources = { limits: { cpu: '1000m', memory: '512Mi' }, ...c.resources };
  return {
    ...job,
    name: `projects/${PROJECT}/locations/us-central1/jobs/nightly`,
    uid: '0f6c1e2a-1111-4e2a-9d3e-5c6a7b8c9d0e',
    generation: '4',
    observedGeneration: '4',
    etag: '"BwYh0bE1x3A"',
    createTime: '2026-11-01T09:00:00.000000Z',
    updateTime: '2026-12-01T09:00:00.000000Z',
    creator: 'deployer@app-prod.iam.gserviceaccount.com',
    lastModifier: 'deployer@app-prod.iam.gserviceaccount.com',
    launchStage: 'GA',
    executionCount: 12,
    latestCreatedExecution: { name: 'nightly-x1y2z', completionStatus: 'EXECUTION_SUCCEEDED' },
    terminalCondition: {
      type: 'Ready',
      state: 'CONDITION_SUCCEEDED',
      lastTransitionTime: '2026-12-01T09:00:01Z',
    },
    conditions: [{ type: 'ExecutionsReady', state: 'CONDITION_SUCCEEDED' }],
    reconciling: false,
    satisfiesPzs: false,
    template: { ...execution, template: task },
  };
}

/** The job a first deploy of `cfg` left, as the next deploy reads it. */
const deployed = (cfg: Config, sha = SHA) => asGoogleAnswers(mergeJob({}, cfg, sha, PROJECT));

describe('v2 (inputs): the job as read against the job the deploy sends', () => {
  it('a second deploy with the same inputs changes nothing, whatever Google filled in', () => {
    const existing = deployed(config());
    const final = mergeJob(existing, config(), SHA, PROJECT);
    expect(planV2(existing, final, OPTIONS)).toEqual({ action: 'update', changes: [] });
    expect(sameV2(existing, final, OPTIONS)).toBe(true);
  });

  it('ignores what the action stamps: another commit and another action version', () => {
    const existing = { ...deployed(config()), clientVersion: '0.0.1' };
    const final = mergeJob(existing, config(), OTHER_SHA, PROJECT);
    expect(final.labels?.['commit-sha']).toBe(OTHER_SHA);
    expect(sameV2(existing, final, OPTIONS)).toBe(true);
  });

  it('names exactly what changes: image tag, a new env var, memory', () => {
    const existing = deployed(config());
    const next = config({
      image: `${IMAGE}:v2`,
      envVars: { MODE: 'batch', REGION_NAME: 'us', FEATURE_X: 'on' },
      memory: '1Gi',
    });
    const plan = planV2(existing, mergeJob(existing, next, SHA, PROJECT), OPTIONS);
    expect(plan.changes).toEqual([
      { setting: 'image', change: 'changed', before: `${IMAGE}:v1`, after: `${IMAGE}:v2` },
      { setting: 'env', key: 'FEATURE_X', change: 'added', hidden: true },
      { setting: 'memory', change: 'changed', before: '512Mi', after: '1Gi' },
    ]);
    expect(sameV2(existing, mergeJob(existing, next, SHA, PROJECT), OPTIONS)).toBe(false);
  });

  it('shows plain env values only when opted in; secret references always, as names', () => {
    const existing = deployed(config());
    const next = config({
      envVars: { MODE: 'stream', REGION_NAME: 'us' },
      secrets: { DB_PASSWORD: { secret: 'db', version: '3' } },
    });
    const final = mergeJob(existing, next, SHA, PROJECT);
    expect(planV2(existing, final, OPTIONS).changes).toEqual([
      { setting: 'env', key: 'MODE', change: 'changed', hidden: true },
      { setting: 'env', key: 'DB_PASSWORD', change: 'changed', before: 'secret db:2', after: 'secret db:3' },
    ]);
    expect(planV2(existing, final, { ...OPTIONS, showEnvValues: true }).changes[0]).toEqual({
      setting: 'env',
      key: 'MODE',
      change: 'changed',
      before: 'batch',
      after: 'stream',
    });
  });

  it('an image pinned by digest changes when the digest does', () => {
    const a = `${IMAGE}@sha256:${'a'.repeat(64)}`;
    const b = `${IMAGE}@sha256:${'b'.repeat(64)}`;
    const existing = deployed(config({ image: a }));
    const plan = planV2(existing, mergeJob(existing, config({ image: b }), SHA, PROJECT), OPTIONS);
    expect(plan.changes).toEqual([{ setting: 'image', change: 'changed', before: a, after: b }]);
  });

  it('a default the final job leaves unset is no change; leaving a non-default unset resets it', () => {
    const existing = deployed(config({ maxRetries: 5 }));
    // job_patch null removes the field: the job then runs with the default, 3 retries.
    const reset = mergeJob(
      existing,
      config({ jobPatch: { template: { template: { maxRetries: null } } } }),
      SHA,
      PROJECT,
    );
    expect(planV2(existing, reset, OPTIONS).changes).toEqual([
      { setting: 'retries', change: 'changed', before: '5', after: '3' },
    ]);
    const plain = deployed(config());
    const unset = mergeJob(
      plain,
      config({ jobPatch: { template: { template: { maxRetries: null, timeout: null } } } }),
      SHA,
      PROJECT,
    );
    expect(sameV2(plain, unset, OPTIONS)).toBe(true);
  });

  it('every setting of the issue, field by field', () => {
    const existing = deployed(config());
    const next = config({
      serviceAccount: 'runner@app-prod.iam.gserviceaccount.com',
      cpu: '2',
      tasks: 4,
      parallelism: 2,
      maxRetries: 1,
      taskTimeout: '1200s',
      vpcConnector: 'c1',
      vpcEgress: 'ALL_TRAFFIC',
      cloudSqlInstances: ['app-prod:us-central1:main'],
      volumes: [{ name: 'scratch', emptyDir: { medium: 'MEMORY', sizeLimit: '1Gi' } }],
      volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
      labels: { team: 'data' },
      kmsKey: 'projects/app-prod/locations/us-central1/keyRings/r/cryptoKeys/k',
      binaryAuthorization: { useDefault: true },
      gpu: 1,
      gpuType: 'nvidia-l4',
      executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN1',
    });
    const changes = planV2(existing, mergeJob(existing, next, SHA, PROJECT), OPTIONS).changes;
    const settings = changes.map((c) => (c.key ? `${c.setting} ${c.key}` : c.setting));
    expect(settings.sort()).toEqual(
      [
        'binary authorization',
        'cloud sql app-prod:us-central1:main',
        'cpu',
        'execution environment',
        'gpu',
        'gpu type',
        'key',
        'label team',
        'mount /scratch',
        'parallelism',
        'retries',
        'service account',
        'tasks',
        'timeout',
        'volume scratch',
        'vpc connector',
        'vpc egress',
        // Cloud SQL sockets are a volume mounted at /cloudsql (spec-volumes.ts).
        'mount /cloudsql',
      ].sort(),
    );
    const by = (s: string) => changes.find((c) => c.setting === s);
    expect(by('service account')).toMatchObject({
      before: DEFAULT_SA,
      after: 'runner@app-prod.iam.gserviceaccount.com',
    });
    expect(by('cpu')).toMatchObject({ before: '1', after: '2' });
    expect(by('timeout')).toMatchObject({ before: '600s', after: '1200s' });
    expect(by('execution environment')).toMatchObject({ before: 'gen2', after: 'gen1' });
    expect(by('vpc connector')?.after).toBe('projects/app-prod/locations/us-central1/connectors/c1');
  });

  it('a difference outside the named settings is still a change (never "no changes" over a write)', () => {
    const existing = deployed(config());
    const final = mergeJob(
      existing,
      config({
        jobPatch: { template: { template: { containers: [{ image: `${IMAGE}:v1`, workingDir: '/srv' }] } } },
      }),
      SHA,
      PROJECT,
    );
    const changes = planV2(existing, final, OPTIONS).changes;
    expect(changes).toContainEqual({
      setting: 'other',
      key: 'container.workingDir',
      change: 'added',
      after: '/srv',
    });
    expect(sameV2(existing, final, OPTIONS)).toBe(false);
  });

  it('a new job shows its whole spec, briefly: what it sets, no defaults, no stamps', () => {
    const plan = planV2(undefined, mergeJob({}, config(), SHA, PROJECT), OPTIONS);
    expect(plan.action).toBe('create');
    expect(plan.changes.map((c) => `${c.setting}${c.key ? ` ${c.key}` : ''}`)).toEqual([
      'image',
      'env MODE',
      'env REGION_NAME',
      'env DB_PASSWORD',
      'label managed-by',
    ]);
    expect(plan.changes.every((c) => c.change === 'added')).toBe(true);
    expect(JSON.stringify(plan)).not.toContain('batch');
  });
});

const YAML = (image: string, extra = '') => `apiVersion: run.googleapis.com/v1
kind: Job
metadata:
  name: nightly
  labels:
    team: data
spec:
  template:
    metadata:
      annotations:
        run.googleapis.com/cloudsql-instances: app-prod:us-central1:main
    spec:
      taskCount: 2
      template:
        spec:
          serviceAccountName: runner@app-prod.iam.gserviceaccount.com
          containers:
          - image: ${image}
            env:
            - name: MODE
              value: batch
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: db
                  key: '2'
${extra}`;

/** A v1 job as GET answers it after `body` was written: server metadata, status, defaults. */
function v1Answer(body: Record<string, unknown>): Record<string, unknown> {
  const job = structuredClone(body) as {
    metadata: Record<string, unknown> & {
      labels: Record<string, string>;
      annotations: Record<string, string>;
    };
    spec: {
      template: {
        spec: {
          taskCount?: number;
          template: { spec: Record<string, unknown> & { containers: Array<Record<string, unknown>> } };
        };
      };
    };
  };
  const task = job.spec.template.spec.template.spec;
  task.maxRetries ??= 3;
  task.timeoutSeconds ??= '600';
  for (const c of task.containers) c.resources ??= { limits: { cpu: '1000m', memory: '512Mi' } };
  return {
    ...job,
    metadata: {
      ...job.metadata,
      namespace: '123456789',
      selfLink: '/apis/run.googleapis.com/v1/namespaces/123456789/jobs/nightly',
      uid: 'b2c3',
      resourceVersion: 'AAYh0bE1x3A',
      generation: 3,
      creationTimestamp: '2026-11-01T09:00:00.000000Z',
      annotations: {
        ...job.metadata.annotations,
        'run.googleapis.com/creator': 'deployer@app-prod.iam.gserviceaccount.com',
        'run.googleapis.com/lastModifier': 'deployer@app-prod.iam.gserviceaccount.com',
      },
    },
    status: { observedGeneration: 3, conditions: [{ type: 'Ready', status: 'True' }], executionCount: 4 },
  };
}

describe('v1 (job.yaml replace): the job as read in v1 against the body replace sends', () => {
  const body = (image: string, extra = '', sha = SHA) =>
    manifestForReplace(parseManifest(YAML(image, extra), 'deploy/job.yaml'), PROJECT, config(), sha);

  it('the same job.yaml again changes nothing (server metadata, status, defaults, stamps ignored)', () => {
    const existing = v1Answer(body(`${IMAGE}:v1`));
    expect(planV1(existing, body(`${IMAGE}:v1`, '', OTHER_SHA), OPTIONS)).toEqual({
      action: 'replace',
      changes: [],
    });
    expect(sameV1(existing, body(`${IMAGE}:v1`), OPTIONS)).toBe(true);
  });

  it('names what the new job.yaml changes, and what it drops', () => {
    const existing = v1Answer(body(`${IMAGE}:v1`, '          timeoutSeconds: 1800\n'));
    const changes = planV1(existing, body(`${IMAGE}:v2`), OPTIONS).changes;
    expect(changes).toEqual([
      { setting: 'image', change: 'changed', before: `${IMAGE}:v1`, after: `${IMAGE}:v2` },
      { setting: 'timeout', change: 'changed', before: '1800s', after: '600s' },
    ]);
  });

  it('a new job from a job.yaml lists what it sets', () => {
    const plan = planV1(undefined, body(`${IMAGE}:v1`), OPTIONS);
    expect(plan.action).toBe('create');
    expect(plan.changes.map((c) => `${c.setting}${c.key ? ` ${c.key}` : ''}`)).toEqual([
      'image',
      'service account',
      'env MODE',
      'env DB_PASSWORD',
      'tasks',
      'cloud sql app-prod:us-central1:main',
      'label managed-by',
      'label team',
    ]);
  });
});

describe('readiness: a job that did not reconcile is written again even with no change', () => {
  it('reads v2 terminalCondition and v1 Ready for the generation held', () => {
    const ready = deployed(config());
    expect(readyV2(ready)).toBe(true);
    expect(readyV2({ ...ready, terminalCondition: { type: 'Ready', state: 'CONDITION_FAILED' } })).toBe(
      false,
    );
    expect(readyV2({ ...ready, reconciling: true })).toBe(false);
    const v1 = {
      metadata: { generation: 3 },
      status: { observedGeneration: 3, conditions: [{ type: 'Ready', status: 'True' }] },
    };
    expect(readyV1(v1)).toBe(true);
    expect(readyV1({ ...v1, status: { ...v1.status, observedGeneration: 2 } })).toBe(false);
    expect(
      readyV1({ ...v1, status: { observedGeneration: 3, conditions: [{ type: 'Ready', status: 'False' }] } }),
    ).toBe(false);
  });

  it('unchanged only for an update or replace with no change of a ready job', () => {
    expect(unchanged({ action: 'update', changes: [] })).toBe(true);
    expect(unchanged({ action: 'replace', changes: [] })).toBe(true);
    expect(unchanged({ action: 'update', changes: [], notReady: true })).toBe(false);
    expect(unchanged({ action: 'create', changes: [] })).toBe(false);
    expect(
      unchanged({
        action: 'update',
        changes: [{ setting: 'tasks', change: 'changed', before: '1', after: '2' }],
      }),
    ).toBe(false);
    expect(unchanged(undefined)).toBe(false);
  });
});
