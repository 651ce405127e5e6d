// Resource policies the way their services keep them: KMS key rings whose policy their keys
// inherit; Cloud Storage buckets whose policy names projectOwner:/projectEditor:/projectViewer:
// members; testIamPermissions on buckets, keys, key rings and subnetworks refusing permissions
// of other resource types. The new key ring routes are driven by gcloud and decoded with its
// message classes.
import { describe, expect, it } from 'vitest';
import { emulatorJson } from './helpers/emulator.ts';
import { hasGcloud, useGcloudEmulator } from './helpers/gcloud.ts';
import { hasSchemas, schemaProblems } from './helpers/schema-check.ts';

const AGENT = 'serviceAccount:service-111111111111@serverless-robot-prod.iam.gserviceaccount.com';
const RING = 'projects/keys/locations/us-central1/keyRings/ring';
const KEY = `${RING}/cryptoKeys/run`;
const SUBNET = 'projects/app/regions/us-central1/subnetworks/jobs';

const { emu, gcloud } = useGcloudEmulator(
  {
    organizations: [
      {
        id: '1000',
        policy: {
          bindings: [
            { role: 'roles/owner', members: ['user:admin@acme.example'] },
            { role: 'roles/storage.admin', members: ['user:admin@acme.example'] },
          ],
        },
      },
    ],
    projects: [
      {
        id: 'app',
        number: '111111111111',
        parent: 'organizations/1000',
        policy: {
          bindings: [
            { role: 'roles/viewer', members: ['user:viewer@acme.example'] },
            { role: 'roles/editor', members: ['user:editor@acme.example'] },
          ],
        },
      },
      { id: 'keys', number: '222222222222', parent: 'organizations/1000' },
    ],
    keyRings: [
      {
        name: RING,
        policy: { bindings: [{ role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter', members: [AGENT] }] },
      },
    ],
    cryptoKeys: [{ name: KEY, policy: {} }],
    buckets: [
      {
        name: 'app-data',
        project: 'app',
        policy: {
          bindings: [
            // The repository's role data has no legacy bucket roles: these stand in for them.
            { role: 'roles/storage.admin', members: ['projectOwner:app', 'projectEditor:app'] },
            { role: 'roles/storage.objectViewer', members: ['projectViewer:app'] },
          ],
        },
      },
    ],
    subnetworks: [{ name: SUBNET, policy: {} }],
    tokens: {
      'admin-token': 'user:admin@acme.example',
      'viewer-token': 'user:viewer@acme.example',
      'editor-token': 'user:editor@acme.example',
      'stranger-token': 'user:stranger@acme.example',
    },
  },
  { CLOUDKMS: '', STORAGE: 'storage/v1/', CLOUDRESOURCEMANAGER: '' },
  90_000,
  { recordResponses: true },
);

const call = (token: string, method: string, path: string, body?: unknown) =>
  emulatorJson(emu(), token, method, path, body);

describe('KMS key rings', () => {
  it("a key inherits its ring's policy: the service agent may encrypt with a key that grants nothing itself", async () => {
    const r = await call(emu().issueToken(AGENT), 'POST', `/v1/${KEY}:testIamPermissions`, {
      permissions: ['cloudkms.cryptoKeyVersions.useToEncrypt', 'cloudkms.cryptoKeys.setIamPolicy'],
    });
    expect(r.status).toBe(200);
    expect(r.body.permissions).toEqual(['cloudkms.cryptoKeyVersions.useToEncrypt']);
    const own = await call('admin-token', 'GET', `/v1/${KEY}:getIamPolicy`);
    expect(own.body.bindings).toBeUndefined();
  });

  it.skipIf(!hasGcloud)('gcloud reads and writes a key ring policy', async () => {
    const read = await gcloud([
      'kms',
      'keyrings',
      'get-iam-policy',
      'ring',
      '--location=us-central1',
      '--project=keys',
    ]);
    expect(read.code, read.stderr).toBe(0);
    expect(JSON.parse(read.stdout).bindings[0].members).toEqual([AGENT]);
    const write = await gcloud([
      'kms',
      'keyrings',
      'add-iam-policy-binding',
      'ring',
      '--location=us-central1',
      '--project=keys',
      '--member=user:ops@acme.example',
      '--role=roles/cloudkms.cryptoKeyEncrypterDecrypter',
    ]);
    expect(write.code, write.stderr).toBe(0);
    const test = await call(
      emu().issueToken('user:ops@acme.example'),
      'POST',
      `/v1/${KEY}:testIamPermissions`,
      {
        permissions: ['cloudkms.cryptoKeyVersions.useToDecrypt'],
      },
    );
    expect(test.body.permissions).toEqual(['cloudkms.cryptoKeyVersions.useToDecrypt']);
  });
});

describe("Cloud Storage's projectOwner:/projectEditor:/projectViewer: members", () => {
  it("grant what the project's basic roles hold, and nothing to others", async () => {
    const ask = (token: string) =>
      call(
        token,
        'GET',
        '/storage/v1/b/app-data/iam/testPermissions?permissions=storage.objects.list&permissions=storage.buckets.setIamPolicy',
      );
    expect((await ask('viewer-token')).body.permissions).toEqual(['storage.objects.list']);
    expect((await ask('editor-token')).body.permissions).toEqual([
      'storage.objects.list',
      'storage.buckets.setIamPolicy',
    ]);
    expect((await ask('stranger-token')).body.permissions).toBeUndefined();
  });

  it.skipIf(!hasGcloud)('gcloud writes one on a bucket; a project policy refuses it', async () => {
    const r = await gcloud([
      'storage',
      'buckets',
      'add-iam-policy-binding',
      'gs://app-data',
      '--member=projectViewer:keys',
      '--role=roles/storage.objectViewer',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const read = await call('admin-token', 'GET', '/storage/v1/b/app-data/iam');
    expect(JSON.stringify(read.body.bindings)).toContain('projectViewer:keys');
    const project = await call('admin-token', 'POST', '/v1/projects/app:getIamPolicy', {});
    const refused = await call('admin-token', 'POST', '/v1/projects/app:setIamPolicy', {
      policy: {
        ...project.body,
        bindings: [...project.body.bindings, { role: 'roles/viewer', members: ['projectViewer:app'] }],
      },
    });
    expect(refused.status).toBe(400);
  });
});

describe('testIamPermissions is strict on every resource type', () => {
  it.each([
    ['a bucket', 'GET', '/storage/v1/b/app-data/iam/testPermissions?permissions=run.jobs.get', undefined],
    ['a key', 'POST', `/v1/${KEY}:testIamPermissions`, { permissions: ['storage.buckets.get'] }],
    ['a key ring', 'POST', `/v1/${RING}:testIamPermissions`, { permissions: ['compute.subnetworks.use'] }],
    [
      'a subnetwork',
      'POST',
      `/compute/v1/${SUBNET}/testIamPermissions`,
      { permissions: ['cloudkms.cryptoKeys.get'] },
    ],
  ])('%s refuses a permission of another type with 400', async (_what, method, path, body) => {
    const r = await call('admin-token', method, path, body);
    expect(r.status).toBe(400);
    expect(r.body.error.status).toBe('INVALID_ARGUMENT');
  });

  it('and still answers its own permissions', async () => {
    const r = await call('admin-token', 'POST', `/compute/v1/${SUBNET}/testIamPermissions`, {
      permissions: ['compute.subnetworks.use'],
    });
    expect(r.status).toBe(200);
  });

  it.skipIf(!hasSchemas)("key ring bodies decode with gcloud's cloudkms v1 classes", () => {
    const { checked, problems } = schemaProblems(emu().requestLog, /keyRings\/[^/]+(:|$)/);
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(2);
  });
});
