// Google's own gcloud CLI against the emulator: proof that the Cloud Run v1 surface speaks the
// real protocol. gcloud reaches the emulator through endpoint overrides and an HTTP proxy, so
// the region-prefixed v1 host (us-central1-emulator.invalid) needs no DNS entry.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V2Execution } from '../src/gcp/run.ts';
import type { V2Job } from '../src/job/spec.ts';
import {
  AGENT,
  APP,
  DEPLOYER,
  FAILING_IMAGE,
  FOREIGN_IMAGE,
  IMAGE,
  REGION,
  RUNNER,
  runWorld,
  STRANGER,
} from './emulator/run-world.ts';
import { type Emulator, startEmulator } from './emulator/server.ts';
import { GCLOUD_PATH, type GcloudRun, runGcloud } from './helpers/gcloud.ts';

const GCLOUD = GCLOUD_PATH;
if (!GCLOUD) console.log('gcloud-run.test.ts: SKIPPED - the gcloud CLI is not installed on this machine.');

const FEATURE_KEY = `projects/${APP.id}/locations/${REGION}/keyRings/run/cryptoKeys/jobs`;
let emu: Emulator;
let configDir: string;
let env: NodeJS.ProcessEnv;

function gcloud(...args: string[]): Promise<GcloudRun> {
  return runGcloud(GCLOUD as string, [...args, '--quiet'], env, 90_000);
}

describe.skipIf(!GCLOUD)('gcloud run jobs against the emulator', () => {
  beforeAll(async () => {
    // What the feature job below connects to, usable as Cloud Run checks it (service agent, runtime account).
    const agentMay = (role: string) => ({ bindings: [{ role, members: [`serviceAccount:${AGENT}`] }] });
    const world = runWorld() as { projects: unknown[] };
    const app = world.projects[0] as { enableServices?: string[]; policy: { bindings: unknown[] } };
    app.enableServices = ['sqladmin.googleapis.com'];
    app.policy.bindings.push({ role: 'roles/cloudsql.client', members: [`serviceAccount:${RUNNER}`] });
    emu = await startEmulator({
      scenario: {
        ...world,
        sqlInstances: [{ name: `projects/${APP.id}/instances/main`, region: REGION }],
        buckets: [
          {
            name: 'app-data',
            project: APP.id,
            policy: {
              bindings: [{ role: 'roles/storage.objectViewer', members: [`serviceAccount:${RUNNER}`] }],
            },
          },
        ],
        subnetworks: [
          {
            name: `projects/${APP.id}/regions/${REGION}/subnetworks/jobs`,
            network: `projects/${APP.id}/global/networks/default`,
            policy: agentMay('roles/compute.networkUser'),
          },
        ],
        cryptoKeys: [{ name: FEATURE_KEY, policy: agentMay('roles/cloudkms.cryptoKeyEncrypterDecrypter') }],
      },
    });
    configDir = mkdtempSync(join(tmpdir(), 'gcloud-config-'));
    const endpoint = `http://emulator.invalid:${emu.port}/`;
    env = {
      PATH: process.env.PATH,
      HOME: configDir,
      CLOUDSDK_CONFIG: configDir,
      CLOUDSDK_AUTH_ACCESS_TOKEN: emu.issueToken(`serviceAccount:${DEPLOYER}`),
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    };
    const settings: Array<[string, string]> = [
      ['core/project', APP.id],
      ['core/disable_usage_reporting', 'true'],
      ['component_manager/disable_update_check', 'true'],
      // --set-cloudsql-instances would first ask Service Usage whether the Cloud SQL APIs are on.
      ['core/should_prompt_to_enable_api', 'false'],
      ['api_endpoint_overrides/run', endpoint],
      // `jobs replace` resolves the project through Resource Manager v1.
      ['api_endpoint_overrides/cloudresourcemanager', endpoint],
      ['proxy/type', 'http'],
      ['proxy/address', '127.0.0.1'],
      ['proxy/port', String(emu.port)],
    ];
    for (const [key, value] of settings) {
      const r = await gcloud('config', 'set', key, value);
      expect(r.code, r.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    await emu?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  const region = `--region=${REGION}`;

  it('creates a job and describes it in the v1 shape', async () => {
    const created = await gcloud(
      'run',
      'jobs',
      'create',
      'cli-job',
      `--image=${IMAGE}`,
      `--service-account=${RUNNER}`,
      '--set-env-vars=MODE=batch',
      '--labels=team=data',
      '--tasks=2',
      region,
    );
    expect(created.code, created.stderr).toBe(0);
    expect(emu.world.jobs[`projects/${APP.id}/locations/${REGION}/jobs/cli-job`]).toBeDefined();

    const described = await gcloud('run', 'jobs', 'describe', 'cli-job', region, '--format=json');
    expect(described.code, described.stderr).toBe(0);
    const job = JSON.parse(described.stdout);
    expect(job).toMatchObject({
      apiVersion: 'run.googleapis.com/v1',
      kind: 'Job',
      metadata: {
        name: 'cli-job',
        namespace: APP.number,
        labels: { team: 'data', 'cloud.googleapis.com/location': REGION },
      },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    });
    const spec = job.spec.template.spec;
    expect(spec.taskCount).toBe(2);
    expect(spec.template.spec.serviceAccountName).toBe(RUNNER);
    expect(spec.template.spec.containers[0].env).toEqual([{ name: 'MODE', value: 'batch' }]);
  });

  it('replaces the job from an exported YAML, keeping what the YAML keeps', async () => {
    const exported = await gcloud('run', 'jobs', 'describe', 'cli-job', region, '--format=export');
    expect(exported.code, exported.stderr).toBe(0);
    const file = join(configDir, 'job.yaml');
    writeFileSync(file, exported.stdout.replace('team: data', 'team: platform'));
    const replaced = await gcloud('run', 'jobs', 'replace', file, region);
    expect(replaced.code, replaced.stderr).toBe(0);
    const after = await gcloud('run', 'jobs', 'describe', 'cli-job', region, '--format=json');
    const job = JSON.parse(after.stdout);
    expect(job.metadata.labels.team).toBe('platform');
    expect(job.metadata.generation).toBe(2);
    expect(job.spec.template.spec.template.spec.containers[0].env).toEqual([
      { name: 'MODE', value: 'batch' },
    ]);
  });

  it('executes the job and waits for success', async () => {
    const r = await gcloud('run', 'jobs', 'execute', 'cli-job', region, '--wait');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Execution \[.*cli-job-[a-z0-9]{5}.*\] has successfully completed/);
  });

  it('lists the executions of a job', async () => {
    const r = await gcloud(
      'run',
      'jobs',
      'executions',
      'list',
      '--job=cli-job',
      region,
      '--format=value(metadata.name)',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toMatch(/^cli-job-[a-z0-9]{5}$/m);
  });

  it('reports a failed execution with a non-zero exit', async () => {
    const created = await gcloud(
      'run',
      'jobs',
      'create',
      'cli-fail',
      `--image=${FAILING_IMAGE}`,
      `--service-account=${RUNNER}`,
      region,
    );
    expect(created.code, created.stderr).toBe(0);
    const r = await gcloud('run', 'jobs', 'execute', 'cli-fail', region, '--wait');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The execution failed.');
  });

  it('shows the actAs refusal and the service agent image error as gcloud users see them', async () => {
    const actAs = await gcloud(
      'run',
      'jobs',
      'create',
      'cli-actas',
      `--image=${IMAGE}`,
      `--service-account=${STRANGER}`,
      region,
    );
    expect(actAs.code).not.toBe(0);
    expect(actAs.stderr).toContain(
      `Permission 'iam.serviceaccounts.actAs' denied on service account ${STRANGER}`,
    );

    const foreign = await gcloud(
      'run',
      'jobs',
      'create',
      'cli-foreign',
      `--image=${FOREIGN_IMAGE}`,
      `--service-account=${RUNNER}`,
      region,
    );
    expect(foreign.code).not.toBe(0);
    expect(foreign.stderr).toContain(
      `Google Cloud Run Service Agent ${AGENT} must have permission to read the image`,
    );
  });

  // gcloud writes these features as v1 annotations and Kubernetes volume sources; the store
  // holds them as v2 fields, and a gcloud update (read, modify, PUT) keeps every one of them.
  it('deploys Cloud SQL, Direct VPC, volumes, a secret file and a CMEK key, and keeps them on update', async () => {
    const key = FEATURE_KEY;
    const deployed = await gcloud(
      'run',
      'jobs',
      'deploy',
      'cli-features',
      `--image=${IMAGE}`,
      `--service-account=${RUNNER}`,
      `--set-cloudsql-instances=${APP.id}:${REGION}:main`,
      '--network=default',
      '--subnet=jobs',
      '--network-tags=db',
      '--vpc-egress=all-traffic',
      '--add-volume=name=data,type=cloud-storage,bucket=app-data,readonly=true',
      '--add-volume=name=tmp,type=in-memory,size-limit=64Mi',
      '--add-volume-mount=volume=data,mount-path=/data',
      '--set-secrets=/secrets/db/password=db-pass:2',
      `--key=${key}`,
      region,
    );
    expect(deployed.code, deployed.stderr).toBe(0);
    const name = `projects/${APP.id}/locations/${REGION}/jobs/cli-features`;
    const stored = () => (emu.world.jobs[name] as V2Job).template?.template ?? {};
    const task = stored();
    expect(task.vpcAccess).toEqual({
      networkInterfaces: [{ network: 'default', subnetwork: 'jobs', tags: ['db'] }],
      egress: 'ALL_TRAFFIC',
    });
    expect(task.encryptionKey).toBe(key);
    const volumes = Object.fromEntries((task.volumes ?? []).map((v) => [v.name, v]));
    expect(volumes.cloudsql).toEqual({
      name: 'cloudsql',
      cloudSqlInstance: { instances: [`${APP.id}:${REGION}:main`] },
    });
    expect(volumes.data).toEqual({ name: 'data', gcs: { bucket: 'app-data', readOnly: true } });
    expect(volumes.tmp).toEqual({ name: 'tmp', emptyDir: { medium: 'MEMORY', sizeLimit: '64Mi' } });
    const secret = task.volumes?.find((v) => v.secret);
    expect(secret?.secret).toEqual({ secret: 'db-pass', items: [{ path: 'password', version: '2' }] });
    expect(task.containers?.[0]?.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'data', mountPath: '/data' },
        { name: secret?.name, mountPath: '/secrets/db' },
        { name: 'cloudsql', mountPath: '/cloudsql' },
      ]),
    );

    const updated = await gcloud(
      'run',
      'jobs',
      'deploy',
      'cli-features',
      `--image=${IMAGE}`,
      '--update-env-vars=MODE=x',
      region,
    );
    expect(updated.code, updated.stderr).toBe(0);
    const after = stored();
    expect(after.containers?.[0]?.env).toEqual([{ name: 'MODE', value: 'x' }]);
    for (const field of ['vpcAccess', 'encryptionKey', 'volumes'] as const)
      expect(after[field]).toEqual(task[field]);
  });

  it('executes one run with overrides of args, env, task count and timeout', async () => {
    const r = await gcloud(
      'run',
      'jobs',
      'execute',
      'cli-features',
      '--args=migrate,--to=42',
      '--update-env-vars=LOG=debug',
      '--tasks=2',
      '--task-timeout=5m',
      region,
      '--wait',
    );
    expect(r.code, r.stderr).toBe(0);
    const prefix = `projects/${APP.id}/locations/${REGION}/jobs/cli-features/executions/`;
    const execution = Object.entries(emu.world.executions).find(([k]) =>
      k.startsWith(prefix),
    )?.[1] as V2Execution;
    expect(execution.taskCount).toBe(2);
    expect(execution.template?.timeout).toBe('300s');
    expect(execution.template?.containers?.[0]?.args).toEqual(['migrate', '--to=42']);
    expect(execution.template?.containers?.[0]?.env).toEqual([
      { name: 'MODE', value: 'x' },
      { name: 'LOG', value: 'debug' },
    ]);
  });

  it('says NOT_FOUND for a job that does not exist', async () => {
    const r = await gcloud('run', 'jobs', 'describe', 'nope', region);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/nope/);
  });
});
