// A new user's first mistakes, through the bundled action against the emulator: each gets a
// named cause, never "Unclassified failure", and never a grant that would not help.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type Emulator, startEmulator } from './emulator/server.ts';
import { ensureBuilt, ROOT, runAction } from './helpers/run-action.ts';

type Binding = { role: string; members: string[] };
type World = {
  projects: Array<{ id: string; policy: { bindings?: Binding[] } }>;
  serviceAccounts: Array<{ email: string; policy: { bindings?: Binding[] } }>;
  jobs?: unknown;
};
const DEPLOYER = 'deployer@demo-app.iam.gserviceaccount.com';
const RUNTIME = 'runtime@demo-app.iam.gserviceaccount.com';
const AGENT = 'service-123456789012@serverless-robot-prod.iam.gserviceaccount.com';
const IMAGE = 'us-central1-docker.pkg.dev/demo-images/containers/payments/nightly-report:v1.4.2';
const JOB = (region: string) => `projects/demo-app/locations/${region}/jobs/nightly-report`;
const demo = () => parseYaml(readFileSync(join(ROOT, 'test/emulator/scenarios/demo.yaml'), 'utf8')) as World;
const step = (over: Record<string, string> = {}) => ({
  workload_identity_provider:
    'projects/123456789012/locations/global/workloadIdentityPools/github/providers/github-actions',
  impersonate_service_account: DEPLOYER,
  project_id: 'demo-app',
  job: 'nightly-report',
  image: IMAGE,
  service_account: RUNTIME,
  iam: 'off',
  ...over,
});

let emu: Emulator | undefined;
async function start(world: World = demo()): Promise<Emulator> {
  emu = await startEmulator({ scenario: world as unknown as Record<string, unknown> });
  return emu;
}
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});
beforeAll(() => ensureBuilt(), 120_000);

type Finding = {
  check: string;
  status: string;
  title: string;
  remedy?: string;
  grant?: unknown;
  subject?: string;
  principal?: string;
  resource?: string;
};
const findings = (outputs: Record<string, string>) => JSON.parse(outputs.findings ?? '[]') as Finding[];
const annotations = (stdout: string) => stdout.split('\n').filter((l) => /^::(error|warning)/.test(l));

describe('first mistakes get a named cause', () => {
  it('a region typo is named, with the nearest Cloud Run region, in one annotation', async () => {
    const e = await start();
    const res = await runAction({ emulator: e, inputs: step({ region: 'us-centrall1' }) });
    expect(res.code).toBe(1);
    const region = findings(res.outputs).filter((f) => f.check === 'region');
    expect(region).toHaveLength(1);
    expect(region[0]).toMatchObject({ status: 'failed', subject: 'region' });
    expect(region[0]?.remedy).toContain('did you mean us-central1?');
    expect(res.stdout).toContain('Unsupported region us-centrall1');
    expect(res.stdout).not.toContain('Unclassified');
    expect(e.world.jobs[JOB('us-centrall1')]).toBeUndefined();
  });

  it('a region newer than the built-in list is a warning, not a refusal: Cloud Run decides', async () => {
    const e = await start();
    const res = await runAction({ emulator: e, inputs: step({ region: 'europe-north2' }) });
    expect(res.code).toBe(0);
    expect(findings(res.outputs)).toEqual([
      expect.objectContaining({ check: 'region', status: 'warning', subject: 'region' }),
    ]);
    expect(
      annotations(res.stdout)
        .filter((l) => l.startsWith('::warning'))
        .join('\n'),
    ).toContain('europe-north2');
    expect(e.world.jobs[JOB('europe-north2')]).toBeDefined();
  });

  it('no workload_identity_provider and no Application Default Credentials', async () => {
    const e = await start();
    const res = await runAction({
      emulator: e,
      inputs: step({ workload_identity_provider: '', impersonate_service_account: '' }),
      env: { GOOGLE_APPLICATION_CREDENTIALS: '' },
    });
    expect(res.code).toBe(1);
    expect(findings(res.outputs)).toEqual([
      expect.objectContaining({ check: 'no-credentials', status: 'failed' }),
    ]);
    expect(res.stdout).toContain('No Google credentials');
    expect(res.stdout).not.toContain('Unclassified');
  });

  it('a pull request from a fork: the step says GitHub gave it no OIDC token', async () => {
    const e = await start();
    const res = await runAction({
      emulator: e,
      inputs: step({ iam: 'check' }),
      env: { ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' },
      event: {
        name: 'pull_request',
        payload: {
          pull_request: {
            number: 7,
            head: { repo: { full_name: 'contributor/payments' } },
            base: { repo: { full_name: 'acme/payments' } },
          },
        },
      },
    });
    expect(res.code).toBe(1);
    const f = findings(res.outputs).find((x) => x.check === 'id-token');
    expect(f?.title).toContain('Pull requests from forks (contributor/payments) get no GitHub OIDC token');
    expect(f?.remedy).toContain('github.event.pull_request.head.repo.full_name == github.repository');
    expect(e.requestLog.filter((r) => !r.path.startsWith('/_github/'))).toEqual([]);
  });

  it('an image repository that does not exist is "repository not found", and fix grants nothing', async () => {
    const world = demo();
    // The deployer and the service agent may read the image project's repositories: Artifact
    // Registry then answers 404 for one that does not exist (403 otherwise, and nothing is proven).
    const images = world.projects.find((p) => p.id === 'demo-images');
    if (images)
      images.policy = {
        bindings: [
          {
            role: 'roles/artifactregistry.reader',
            members: [`serviceAccount:${DEPLOYER}`, `serviceAccount:${AGENT}`],
          },
        ],
      };
    const e = await start(world);
    const res = await runAction({
      emulator: e,
      inputs: step({ iam: 'fix', image: 'us-central1-docker.pkg.dev/demo-images/nosuch/report:1' }),
    });
    expect(res.code).toBe(1);
    const repo = findings(res.outputs).filter((f) => f.title === 'Repository not found: check the image URL');
    // One failure, one finding: the deployer's and the agent's checks prove the same wrong URL.
    expect(repo).toHaveLength(1);
    const [f] = repo;
    expect(f).toMatchObject({ status: 'missing', subject: 'image' });
    expect(f?.grant).toBeUndefined();
    expect(f?.principal).toBeUndefined();
    expect(f?.remedy).not.toMatch(/^Grant/);
    expect(f?.remedy).toContain('"nosuch" in project "demo-images"');
    expect(findings(res.outputs).filter((x) => x.resource === f?.resource)).toHaveLength(1);
    // One annotation and one table row for it.
    const lines = res.stdout
      .split('\n')
      .filter((l) => /^::(error|warning)/.test(l) && l.includes('Repository not found'));
    expect(lines).toHaveLength(1);
    const rows = res.summary
      .split('\n')
      .filter((l) => l.startsWith('|') && l.includes('repository `nosuch`'));
    expect(rows).toHaveLength(1);
    expect(res.summary.split('\n').filter((l) => l.includes('missing: Repository not found'))).toHaveLength(
      1,
    );
    expect(res.outputs.granted).toBe('[]');
    expect(e.requestLog.filter((r) => r.path.endsWith(':setIamPolicy'))).toEqual([]);
  });
});

describe('service_account mix-up (the deployer passed as the runtime account)', () => {
  it('the runtime account equals the impersonated deployer', async () => {
    const e = await start();
    const res = await runAction({ emulator: e, inputs: step({ iam: 'check', service_account: DEPLOYER }) });
    const mixup = findings(res.outputs).find((f) => f.check === 'service-account-mixup');
    expect(mixup).toMatchObject({ status: 'warning', subject: 'service_account' });
    expect(mixup?.title).toContain(`service_account is the deployer ${DEPLOYER}`);
    expect(mixup?.remedy).toContain('google-github-actions/auth uses the same name for the deployer');
  });

  it('the runtime account is one workload identity federation may impersonate', async () => {
    const world = demo();
    const runtime = world.serviceAccounts.find((s) => s.email === RUNTIME);
    runtime?.policy.bindings?.push(
      {
        role: 'roles/iam.workloadIdentityUser',
        members: [
          'principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/attribute.repository/acme/payments',
        ],
      },
      { role: 'roles/iam.serviceAccountAdmin', members: [`serviceAccount:${DEPLOYER}`] },
    );
    const e = await start(world);
    const res = await runAction({ emulator: e, inputs: step({ iam: 'check' }) });
    const mixup = findings(res.outputs).find((f) => f.check === 'service-account-mixup');
    expect(mixup?.title).toContain('is an account workload identity federation impersonates');
  });

  it('a dedicated runtime account raises no mix-up warning', async () => {
    const e = await start();
    const res = await runAction({ emulator: e, inputs: step({ iam: 'check' }) });
    expect(findings(res.outputs).some((f) => f.check === 'service-account-mixup')).toBe(false);
  });
});
