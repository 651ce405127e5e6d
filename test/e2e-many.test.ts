// Many jobs and regions in one step, end to end: the bundled action against the emulator, one
// authentication, every target deployed, one report, outputs as {job: {region: value}} maps.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type Emulator, startEmulator } from './emulator/server.ts';
import { ensureBuilt, ROOT, runAction } from './helpers/run-action.ts';

const PROVIDER =
  'projects/123456789012/locations/global/workloadIdentityPools/github/providers/github-actions';
const DEPLOYER = 'deployer@demo-app.iam.gserviceaccount.com';
const RUNTIME = 'runtime@demo-app.iam.gserviceaccount.com';
const IMAGE = 'us-central1-docker.pkg.dev/demo-images/containers/payments/nightly-report:v1.4.2';

const demo = () =>
  parseYaml(readFileSync(join(ROOT, 'test/emulator/scenarios/demo.yaml'), 'utf8')) as Record<string, unknown>;

const jobYaml = (name: string, image = IMAGE) => `apiVersion: run.googleapis.com/v1
kind: Job
metadata:
  name: ${name}
  namespace: demo-app
spec:
  template:
    spec:
      template:
        spec:
          serviceAccountName: ${RUNTIME}
          containers:
          - image: ${image}
`;

const base = {
  workload_identity_provider: PROVIDER,
  impersonate_service_account: DEPLOYER,
  project_id: 'demo-app',
  iam: 'check',
  pr_comment: 'false',
};

let emu: Emulator | undefined;
async function start(): Promise<Emulator> {
  emu = await startEmulator({ scenario: demo() });
  return emu;
}
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});
beforeAll(() => ensureBuilt(), 120_000);

const count = (e: Emulator, re: RegExp) => e.requestLog.filter((r) => re.test(r.path)).length;

describe('many targets in one step', () => {
  it('deploys the same job to every region of the list, authenticating once, shared reads once', async () => {
    const e = await start();
    const res = await runAction({
      emulator: e,
      inputs: {
        ...base,
        region: 'us-central1, europe-west1,asia-east1',
        job: 'nightly-report',
        image: IMAGE,
        service_account: RUNTIME,
      },
    });
    expect(res.code, res.stdout).toBe(0);
    const regions = ['us-central1', 'europe-west1', 'asia-east1'];
    expect(Object.keys(e.world.jobs).sort()).toEqual(
      regions.map((r) => `projects/demo-app/locations/${r}/jobs/nightly-report`).sort(),
    );
    expect(count(e, /:generateAccessToken$/)).toBe(1);
    expect(count(e, /^\/v1\/token$/)).toBe(1);
    // The runtime account's policy and the image repository's are the same for every region.
    expect(count(e, /serviceAccounts\/runtime@demo-app\.iam\.gserviceaccount\.com:testIamPermissions$/)).toBe(
      1,
    );
    expect(count(e, /repositories\/containers:getIamPolicy$/)).toBe(1);
    const jobs = JSON.parse(res.outputs.job ?? '{}') as Record<string, Record<string, string>>;
    expect(Object.keys(jobs)).toEqual(['nightly-report']);
    expect(jobs['nightly-report']).toEqual(
      Object.fromEntries(regions.map((r) => [r, `projects/demo-app/locations/${r}/jobs/nightly-report`])),
    );
    const iam = JSON.parse(res.outputs.iam_status ?? '{}') as Record<string, Record<string, string>>;
    expect(Object.keys(iam['nightly-report'] ?? {})).toEqual(regions);
    expect(new Set(Object.values(iam['nightly-report'] ?? {})).size).toBe(1);
    expect(res.summary).toContain('## Cloud Run jobs: 3 of 3 deployed');
    expect(res.summary).toContain('| job | region | IAM | result | execution |');
  });

  it('deploys every job.yaml a glob matches; one failing does not stop the others, the step fails', async () => {
    const e = await start();
    const res = await runAction({
      emulator: e,
      files: {
        'jobs/a.yaml': jobYaml('etl-a'),
        'jobs/b.yaml': jobYaml('etl-b', 'us-central1-docker.pkg.dev/demo-images/containers/missing/image:v1'),
        'jobs/c.yaml': jobYaml('etl-c'),
      },
      inputs: { ...base, project_id: '', metadata: 'jobs/*.yaml', fail_on: 'never' },
    });
    expect(res.code).toBe(1);
    const jobs = JSON.parse(res.outputs.job ?? '{}') as Record<string, Record<string, string>>;
    expect(Object.keys(jobs)).toEqual(['etl-a', 'etl-b', 'etl-c']);
    expect(jobs['etl-a']?.['us-central1']).toBe('projects/demo-app/locations/us-central1/jobs/etl-a');
    expect(jobs['etl-c']?.['us-central1']).toBe('projects/demo-app/locations/us-central1/jobs/etl-c');
    expect(jobs['etl-b']?.['us-central1']).toBe('');
    expect(e.world.jobs['projects/demo-app/locations/us-central1/jobs/etl-c']).toBeDefined();
    // Each target's failure is its own annotation; the step closes with one plain line.
    expect(res.stdout).toMatch(/^Step failed: 1 of 3 targets failed: etl-b \(us-central1\)/m);
    expect(res.stdout).not.toMatch(/^::error::/m);
    expect(res.summary).toContain('2 of 3 deployed, 1 failed');
  });

  it('refuses two job.yaml files that deploy the same job, before any Google call', async () => {
    const e = await start();
    const res = await runAction({
      emulator: e,
      files: { 'a.yaml': jobYaml('same'), 'b.yaml': jobYaml('same') },
      inputs: { ...base, project_id: '', metadata: 'a.yaml\nb.yaml' },
    });
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('both deploy job same to us-central1');
    expect(e.requestLog.filter((r) => !r.path.startsWith('/_github/'))).toEqual([]);
  });
});
