// APIs enabled per project, as Google decides it (https://cloud.google.com/docs/quotas/quota-project):
// a resource-based API must be on in the project that holds the resource (the Shared VPC host,
// the key's, the secret's, the image's project), whoever calls; Service Usage list/enable
// driven by gcloud, its bodies decoded with gcloud's own message classes.
import { describe, expect, it } from 'vitest';
import { emulatorJson } from './helpers/emulator.ts';
import { hasGcloud, useGcloudEmulator } from './helpers/gcloud.ts';
import { hasSchemas, schemaProblems } from './helpers/schema-check.ts';

const DEPLOYER = 'deployer@app.iam.gserviceaccount.com';
const SUBNET = 'projects/host/regions/us-central1/subnetworks/jobs';
const KEY = 'projects/keys/locations/us-central1/keyRings/ring/cryptoKeys/run';

const world = {
  organizations: [
    {
      id: '1000',
      policy: {
        bindings: [
          { role: 'roles/owner', members: ['user:admin@acme.example', `serviceAccount:${DEPLOYER}`] },
          { role: 'roles/storage.admin', members: [`serviceAccount:${DEPLOYER}`] },
        ],
      },
    },
  ],
  projects: [
    { id: 'app', number: '111111111111', parent: 'organizations/1000' },
    // Each resource's own project has its API off; the deployer's project has every API on.
    {
      id: 'host',
      number: '222222222222',
      parent: 'organizations/1000',
      disabledServices: ['compute.googleapis.com'],
    },
    {
      id: 'keys',
      number: '333333333333',
      parent: 'organizations/1000',
      disabledServices: ['cloudkms.googleapis.com'],
    },
    {
      id: 'vault',
      number: '444444444444',
      parent: 'organizations/1000',
      disabledServices: [
        'secretmanager.googleapis.com',
        'artifactregistry.googleapis.com',
        'storage.googleapis.com',
      ],
    },
    { id: 'viewer-only', number: '555555555555', parent: 'organizations/1000' },
  ],
  serviceAccounts: [{ email: DEPLOYER }],
  tokens: { 'admin-token': 'user:admin@acme.example', 'viewer-token': 'user:viewer@acme.example' },
  secrets: [{ name: 'projects/vault/secrets/db' }],
  repositories: [
    { name: 'projects/vault/locations/us-central1/repositories/containers', images: { job: ['v1'] } },
    { name: 'projects/app/locations/us-central1/repositories/containers', images: { job: ['v1'] } },
  ],
  subnetworks: [{ name: SUBNET, network: 'projects/host/global/networks/shared', policy: {} }],
  buckets: [{ name: 'vault-inputs', project: 'vault', policy: {} }],
  cryptoKeys: [{ name: KEY, policy: {} }],
};
// The viewer may read services but not enable them (roles/serviceusage.serviceUsageViewer).
(world.projects[4] as Record<string, unknown>).policy = {
  bindings: [{ role: 'roles/serviceusage.serviceUsageViewer', members: ['user:viewer@acme.example'] }],
};

const { emu, gcloud } = useGcloudEmulator(world, { SERVICEUSAGE: '' }, 90_000, { recordResponses: true });

const asDeployer = (method: string, path: string, body?: unknown) =>
  emulatorJson(emu(), emu().issueToken(`serviceAccount:${DEPLOYER}`), method, path, body);

interface Detail {
  '@type'?: string;
  reason?: string;
  domain?: string;
  metadata?: Record<string, string>;
}

function expectDisabled(
  r: { status: number; body: Record<string, unknown> },
  service: string,
  number: string,
): Record<string, unknown> {
  expect(r.status).toBe(403);
  const error = r.body.error as Record<string, unknown>;
  expect(error.status).toBe('PERMISSION_DENIED');
  expect(String(error.message)).toContain(`has not been used in project ${number} before or it is disabled`);
  const info = (error.details as Detail[]).find((d) => d['@type']?.endsWith('google.rpc.ErrorInfo'));
  expect(info).toMatchObject({
    reason: 'SERVICE_DISABLED',
    domain: 'googleapis.com',
    metadata: { service, consumer: `projects/${number}` },
  });
  return error;
}

describe("a resource-based API must be enabled in the resource's own project", () => {
  it('Shared VPC host: Compute answers SERVICE_DISABLED for the host, with errors[] accessNotConfigured', async () => {
    const r = await asDeployer('GET', `/compute/v1/${SUBNET}/getIamPolicy`);
    const error = expectDisabled(r, 'compute.googleapis.com', '222222222222');
    expect(error.errors).toEqual([
      { message: error.message, domain: 'usageLimits', reason: 'accessNotConfigured' },
    ]);
  });

  it("the key's project: Cloud KMS", async () => {
    expectDisabled(
      await asDeployer('GET', `/v1/${KEY}:getIamPolicy`),
      'cloudkms.googleapis.com',
      '333333333333',
    );
  });

  it("the secret's and the image's project: Secret Manager and Artifact Registry", async () => {
    expectDisabled(
      await asDeployer('GET', '/v1/projects/vault/secrets/db'),
      'secretmanager.googleapis.com',
      '444444444444',
    );
    expectDisabled(
      await asDeployer(
        'GET',
        '/v1/projects/vault/locations/us-central1/repositories/containers:getIamPolicy',
      ),
      'artifactregistry.googleapis.com',
      '444444444444',
    );
  });

  it("the bucket's project: Cloud Storage, with its legacy errors[]", async () => {
    const r = await asDeployer('GET', '/storage/v1/b/vault-inputs/iam');
    const error = expectDisabled(r, 'storage.googleapis.com', '444444444444');
    expect((error.errors as Array<{ reason: string }>)[0]?.reason).toBe('accessNotConfigured');
  });

  it("the caller's own project does not count for a resource-based API", async () => {
    const r = await emulatorJson(
      emu(),
      emu().issueToken('serviceAccount:runner@host.iam.gserviceaccount.com'),
      'GET',
      '/v1/projects/app/secrets/missing',
    );
    // host has Compute off, not Secret Manager; app has Secret Manager on: no SERVICE_DISABLED.
    expect(JSON.stringify(r.body)).not.toContain('SERVICE_DISABLED');
  });

  it("Cloud Run's deploy fails when the image's or the secret's project has its API off", async () => {
    const deploy = async (job: string, image: string, env: unknown[] = []) => {
      const r = await asDeployer('POST', `/v2/projects/app/locations/us-central1/jobs?jobId=${job}`, {
        template: { template: { containers: [{ image, env }] } },
      });
      expect(r.status).toBe(200);
      const name = String(r.body.name);
      for (let i = 0; i < 100; i++) {
        const op = await asDeployer('GET', `/v2/${name}`);
        if (op.body.done) return op.body;
        await new Promise((res) => setTimeout(res, 20));
      }
      throw new Error('operation never finished');
    };
    const image = await deploy('from-vault', 'us-central1-docker.pkg.dev/vault/containers/job:v1');
    expect(image.error.message).toContain(
      'Artifact Registry API has not been used in project 444444444444 before or it is disabled',
    );
    const secret = await deploy('secret-in-vault', 'us-central1-docker.pkg.dev/app/containers/job:v1', [
      { name: 'DB', valueSource: { secretKeyRef: { secret: 'projects/vault/secrets/db', version: '1' } } },
    ]);
    expect(secret.error.message).toContain(
      'Secret Manager API has not been used in project 444444444444 before or it is disabled',
    );
    const job = await asDeployer('GET', '/v2/projects/app/locations/us-central1/jobs/secret-in-vault');
    expect(job.body.terminalCondition).toMatchObject({
      state: 'CONDITION_FAILED',
      reason: 'SECRETS_ACCESS_CHECK_FAILED',
    });
  });

  it('Storage and Compute errors other than SERVICE_DISABLED carry errors[] too', async () => {
    const r = await asDeployer('GET', '/compute/v1/projects/app/regions/us-central1/subnetworks/none');
    expect(r.status).toBe(404);
    expect(r.body.error.errors?.[0]).toMatchObject({ domain: 'global', reason: 'notFound' });
  });
});

describe.skipIf(!hasGcloud)('gcloud services list / enable against Service Usage', () => {
  it('lists enabled services, enables one, and lists it afterwards', async () => {
    const before = await gcloud(['services', 'list', '--enabled', '--project=vault']);
    expect(before.code, before.stderr).toBe(0);
    const names = (JSON.parse(before.stdout) as Array<{ config: { name: string } }>).map(
      (s) => s.config.name,
    );
    expect(names).toContain('run.googleapis.com');
    expect(names).not.toContain('secretmanager.googleapis.com');

    const enabled = await gcloud(['services', 'enable', 'secretmanager.googleapis.com', '--project=vault']);
    expect(enabled.code, enabled.stderr).toBe(0);
    const batch = await gcloud([
      'services',
      'enable',
      'artifactregistry.googleapis.com',
      'storage.googleapis.com',
      '--project=vault',
    ]);
    expect(batch.code, batch.stderr).toBe(0);

    const after = await gcloud(['services', 'list', '--enabled', '--project=vault']);
    const now = (JSON.parse(after.stdout) as Array<{ config: { name: string } }>).map((s) => s.config.name);
    expect(now).toEqual(expect.arrayContaining(['secretmanager.googleapis.com', 'storage.googleapis.com']));
    // The API now answers for the secret's project.
    expect((await asDeployer('GET', '/v1/projects/vault/secrets/db')).status).toBe(200);
  });

  it('gcloud services operations describe reads an enable operation back', async () => {
    const op = emu()
      .requestLog.filter((e) => /:enable$/.test(e.path) && e.status === 200)
      .map((e) => (e.response as { name?: string }).name)
      .find((n) => typeof n === 'string');
    expect(op).toMatch(/^operations\//);
    const r = await gcloud(['services', 'operations', 'describe', op as string]);
    expect(r.code, r.stderr).toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain('secretmanager.googleapis.com');
  });

  it('lists disabled ones too, page by page', async () => {
    const all = await gcloud(['services', 'list', '--available', '--project=host', '--page-size=3']);
    expect(all.code, all.stderr).toBe(0);
    const rows = JSON.parse(all.stdout) as Array<{ config: { name: string }; state: string }>;
    expect(rows.find((s) => s.config.name === 'compute.googleapis.com')?.state).toBe('DISABLED');
    expect(rows.length).toBeGreaterThan(3);
  });

  it("refuses to enable without serviceusage.services.enable, in Service Usage's words", async () => {
    const r = await gcloud(
      ['services', 'enable', 'sqladmin.googleapis.com', '--project=viewer-only'],
      'viewer-token',
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Permission denied to enable service [sqladmin.googleapis.com]');
    const raw = await emulatorJson(
      emu(),
      'viewer-token',
      'POST',
      '/v1/projects/viewer-only/services/sqladmin.googleapis.com:enable',
    );
    expect(raw.body.error.details).toEqual([
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'AUTH_PERMISSION_DENIED',
        domain: 'serviceusage.googleapis.com',
        metadata: {},
      },
    ]);
  });

  it.skipIf(!hasSchemas)("every Service Usage body decodes with gcloud's message classes", () => {
    const { checked, problems } = schemaProblems(
      emu().requestLog,
      /^\/v1\/(projects\/[^/]+\/services|operations)/,
    );
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(4);
  });
});
