// End to end: the job-feature inputs through the bundled action against the emulator. What
// the job holds after a create, what merge keeps and overwrite removes on an update, job_patch,
// inputs refused before any write, and per-execution overrides on the :run call.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { V2Execution } from '../src/gcp/run.ts';
import type { V2Job } from '../src/job/spec.ts';
import type { Emulator } from './emulator/server.ts';
import { stepInputs } from './helpers/diagnose-e2e.ts';
import { emulatorPerTest } from './helpers/e2e-emulator.ts';
import { ROOT, runAction } from './helpers/run-action.ts';

const JOB = 'projects/demo-app/locations/us-central1/jobs/migrate';
const step = (over: Record<string, string> = {}) => stepInputs({ job: 'migrate', ...over });
const AGENT = 'serviceAccount:service-123456789012@serverless-robot-prod.iam.gserviceaccount.com';
const RUNTIME = 'serviceAccount:runtime@demo-app.iam.gserviceaccount.com';
const KEY = 'projects/demo-app/locations/us-central1/keyRings/run/cryptoKeys/jobs';
const binding = (role: string, member: string) => ({ bindings: [{ role, members: [member] }] });

/**
 * The demo world plus everything the jobs here connect to, each reachable as Cloud Run checks
 * it: a Shared VPC subnet the service agent may use, a connector, a bucket and a Cloud SQL
 * instance the runtime account may use, a key the service agent may use.
 */
function world(): Record<string, unknown> {
  const w = parseYaml(readFileSync(join(ROOT, 'test/emulator/scenarios/demo.yaml'), 'utf8'));
  const app = w.projects.find((p: { id: string }) => p.id === 'demo-app');
  app.enableServices = ['sqladmin.googleapis.com'];
  app.policy.bindings.push(
    { role: 'roles/run.serviceAgent', members: [AGENT] },
    { role: 'roles/cloudsql.client', members: [RUNTIME] },
  );
  w.projects.push({
    id: 'net-host',
    number: '333333333333',
    parent: 'organizations/472095813307',
    policy: {},
  });
  w.subnetworks = [
    {
      name: 'projects/net-host/regions/us-central1/subnetworks/jobs',
      network: 'projects/net-host/global/networks/shared',
      policy: binding('roles/compute.networkUser', AGENT),
    },
  ];
  w.connectors = [{ name: 'projects/demo-app/locations/us-central1/connectors/conn-1', network: 'default' }];
  w.buckets = [
    { name: 'demo-exports', project: 'demo-app', policy: binding('roles/storage.objectViewer', RUNTIME) },
  ];
  w.cryptoKeys = [{ name: KEY, policy: binding('roles/cloudkms.cryptoKeyEncrypterDecrypter', AGENT) }];
  w.sqlInstances = [{ name: 'projects/demo-app/instances/main', region: 'us-central1' }];
  return w;
}

const start = emulatorPerTest(world);

const job = (e: Emulator) => e.world.jobs[JOB] as V2Job;
const task = (e: Emulator) => job(e).template?.template ?? {};
const main = (e: Emulator) => task(e).containers?.[0] ?? {};
// The preflight's test of the job's own permissions is a POST but a read.
const writes = (e: Emulator) =>
  e.requestLog.filter(
    (r) =>
      r.path.startsWith('/v2/') &&
      (r.method === 'POST' || r.method === 'PATCH') &&
      !r.path.endsWith(':testIamPermissions'),
  );

async function deploy(e: Emulator, over: Record<string, string>) {
  const res = await runAction({ emulator: e, inputs: step(over) });
  expect(res.stdout + res.stderr, 'the step failed').not.toContain('::error');
  expect(res.code).toBe(0);
  return res;
}

describe('job features, end to end', () => {
  it('creates a migration job with Cloud SQL over Direct VPC, volumes and a secret file', async () => {
    const e = await start();
    await deploy(e, {
      cloudsql_instances: 'demo-app:us-central1:main',
      network: 'projects/net-host/global/networks/shared',
      subnet: 'projects/net-host/regions/us-central1/subnetworks/jobs',
      network_tags: 'db-client',
      vpc_egress: 'private-ranges-only',
      volumes:
        'name=exports,type=cloud-storage,bucket=demo-exports,readonly=true\nname=scratch,type=in-memory',
      volume_mounts: 'volume=exports,mount-path=/exports\nvolume=scratch,mount-path=/scratch',
      secrets: 'DB_USER=db-password:1\n/secrets/db/password=db-password:2',
      kms_key: KEY,
      execution_environment: 'gen2',
    });
    const t = task(e);
    const secretVolume = t.volumes?.find((v) => v.secret)?.name;
    expect(t.volumes).toEqual([
      { name: 'cloudsql', cloudSqlInstance: { instances: ['demo-app:us-central1:main'] } },
      { name: 'exports', gcs: { bucket: 'demo-exports', readOnly: true } },
      { name: 'scratch', emptyDir: { medium: 'MEMORY' } },
      { name: secretVolume, secret: { secret: 'db-password', items: [{ path: 'password', version: '2' }] } },
    ]);
    expect(t.containers?.[0]?.volumeMounts).toEqual([
      { name: 'cloudsql', mountPath: '/cloudsql' },
      { name: secretVolume, mountPath: '/secrets/db' },
      { name: 'exports', mountPath: '/exports' },
      { name: 'scratch', mountPath: '/scratch' },
    ]);
    expect(t.vpcAccess).toEqual({
      networkInterfaces: [
        {
          network: 'projects/net-host/global/networks/shared',
          subnetwork: 'projects/net-host/regions/us-central1/subnetworks/jobs',
          tags: ['db-client'],
        },
      ],
      egress: 'PRIVATE_RANGES_ONLY',
    });
    expect(t.encryptionKey).toBe(KEY);
    expect(t.executionEnvironment).toBe('EXECUTION_ENVIRONMENT_GEN2');
  });

  it('merge keeps what the inputs do not name; overwrite removes exactly that', async () => {
    const e = await start();
    await deploy(e, {
      env_vars: 'A=1\nB=2',
      secrets:
        'S1=db-password:1\nS2=db-password:2\n/secrets/one/pw=db-password:1\n/secrets/two/pw=db-password:2',
      volumes: 'name=scratch,type=in-memory',
      volume_mounts: 'volume=scratch,mount-path=/scratch',
    });
    // Someone adds settings outside the workflow: an env var and a secret file of their own.
    main(e).env?.push({ name: 'CONSOLE', value: 'yes' });
    task(e).volumes?.push({
      name: 'extra',
      secret: { secret: 'db-password', items: [{ path: 'x', version: '1' }] },
    });
    main(e).volumeMounts?.push({ name: 'extra', mountPath: '/extra' });
    const envNames = () => main(e).env?.map((v) => v.name);
    const mountPaths = () => main(e).volumeMounts?.map((m) => m.mountPath);

    // merge (the default): only what is named changes.
    await deploy(e, { env_vars: 'B=3', secrets: 'S2=db-password:1\n/secrets/two/pw=db-password:1' });
    expect(envNames()).toEqual(['A', 'B', 'S1', 'S2', 'CONSOLE']);
    expect(main(e).env?.find((v) => v.name === 'B')).toEqual({ name: 'B', value: '3' });
    expect(mountPaths()).toEqual(['/secrets/one', '/secrets/two', '/scratch', '/extra']);

    // overwrite env vars: plain vars end as named; secret-backed ones are the secrets input's.
    await deploy(e, { env_vars: 'B=4', env_vars_update_strategy: 'overwrite' });
    expect(envNames()).toEqual(['B', 'S1', 'S2']);

    // overwrite secrets: exactly S2 and /secrets/two; other secret files go, other volumes stay.
    await deploy(e, {
      secrets: 'S2=db-password:2\n/secrets/two/pw=db-password:2',
      secrets_update_strategy: 'overwrite',
    });
    expect(envNames()).toEqual(['B', 'S2']);
    expect(mountPaths()).toEqual(['/secrets/two', '/scratch']);
    expect(
      task(e)
        .volumes?.map((v) => v.name)
        .sort(),
    ).toEqual([main(e).volumeMounts?.[0]?.name, 'scratch'].sort());

    // An empty input removes its kind only under overwrite.
    await deploy(e, {});
    expect(envNames()).toEqual(['B', 'S2']);
    await deploy(e, { env_vars_update_strategy: 'overwrite', secrets_update_strategy: 'overwrite' });
    expect(main(e).env ?? []).toEqual([]);
    expect(mountPaths()).toEqual(['/scratch']);
  });

  it('job_patch is merged into the deployed job; a bad path is refused before any write', async () => {
    const e = await start();
    await deploy(e, {
      vpc_connector: 'conn-1',
      job_patch: '{"template": {"parallelism": 1, "taskCount": 2}}',
    });
    expect(task(e).vpcAccess).toEqual({
      connector: 'projects/demo-app/locations/us-central1/connectors/conn-1',
    });
    expect(job(e).template?.taskCount).toBe(2);
    await deploy(e, { job_patch: 'template:\n  template:\n    vpcAccess: null\n' });
    expect(task(e).vpcAccess).toBeUndefined();

    const before = writes(e).length;
    const bad = await runAction({
      emulator: e,
      inputs: step({ job_patch: 'template:\n  template:\n    containers:\n      - imag: x\n' }),
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toContain(
      'Input "job_patch": template.template.containers[0].imag is not a field of GoogleCloudRunV2Container',
    );
    expect(writes(e).length).toBe(before);
  });

  it('an input that contradicts the existing job is an input error, and nothing is written', async () => {
    const e = await start();
    await deploy(e, {});
    const before = writes(e).length;
    const res = await runAction({ emulator: e, inputs: step({ vpc_egress: 'all-traffic' }) });
    expect(res.code).not.toBe(0);
    expect(res.stdout).toContain('Input "vpc_egress" needs a network');
    expect(writes(e).length).toBe(before);
  });

  it('runs one execution with overrides; the job keeps its own args, env and task count', async () => {
    const e = await start();
    const res = await deploy(e, {
      args: 'migrate,--check',
      env_vars: 'LOG_LEVEL=info',
      execute: 'true',
      execute_args: 'migrate,--to,42',
      execute_env_vars: 'LOG_LEVEL=debug',
      execute_tasks: '2',
      execute_task_timeout: '30m',
    });
    expect(e.requestLog.filter((r) => r.path === `/v2/${JOB}:run`)).toHaveLength(1);
    expect(res.stdout).toContain(
      'with overrides: args ["migrate","--to","42"]; env LOG_LEVEL; 2 tasks; task timeout 1800s',
    );
    const execution = Object.values(e.world.executions)[0] as V2Execution;
    expect(execution.taskCount).toBe(2);
    expect(execution.template?.timeout).toBe('1800s');
    expect(execution.template?.containers?.[0]?.args).toEqual(['migrate', '--to', '42']);
    expect(execution.template?.containers?.[0]?.env).toEqual([{ name: 'LOG_LEVEL', value: 'debug' }]);
    expect(main(e).args).toEqual(['migrate', '--check']);
    expect(main(e).env).toEqual([{ name: 'LOG_LEVEL', value: 'info' }]);
    expect(job(e).template?.taskCount).toBe(1);
  });
});
