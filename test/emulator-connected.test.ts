// The emulator's APIs for what jobs connect to, over real HTTP: Cloud SQL Admin instances.get,
// Compute subnetworks (get, IAM) and networks get, Serverless VPC Access connectors get, Cloud
// Storage bucket IAM, Cloud KMS key IAM, Service Usage services.get, Cloud Run tasks and Cloud
// Logging entries.list; and Cloud Run checking each feature's precondition on deploy and run.
// The action's own thin clients (src/gcp) are the callers where they exist.
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiContext } from '../src/gcp/clients.ts';
import { createComputeClient } from '../src/gcp/compute.ts';
import { createKmsClient } from '../src/gcp/kms.ts';
import { createLookupClient } from '../src/gcp/lookups.ts';
import { createStorageClient } from '../src/gcp/storage.ts';
import { type Emulator, startEmulator } from './emulator/server.ts';
import { endpointOverrides } from './helpers/runner-env.ts';

const DEPLOYER = 'deployer@app.iam.gserviceaccount.com';
const OUTSIDER = 'outsider@app.iam.gserviceaccount.com';
const RUNTIME = 'runtime@app.iam.gserviceaccount.com';
const AGENT = 'service-111111111111@serverless-robot-prod.iam.gserviceaccount.com';
const SUBNET = 'projects/host/regions/us-central1/subnetworks/shared-a';
const KEY = 'projects/keys/locations/us-central1/keyRings/ring/cryptoKeys/run';
const CONNECTOR = 'projects/host/locations/us-central1/connectors/egress';
const IMAGE = 'us-central1-docker.pkg.dev/app/containers/migrate:v1';
const sa = (e: string) => `serviceAccount:${e}`;

const world = {
  projects: [
    {
      id: 'app',
      number: '111111111111',
      enableServices: ['sqladmin.googleapis.com'],
      policy: {
        bindings: [
          { role: 'roles/run.developer', members: [sa(DEPLOYER)] },
          { role: 'roles/cloudsql.viewer', members: [sa(DEPLOYER)] },
          { role: 'roles/serviceusage.serviceUsageViewer', members: [sa(DEPLOYER)] },
          { role: 'roles/storage.admin', members: [sa(DEPLOYER)] },
          { role: 'roles/iam.serviceAccountUser', members: [sa(DEPLOYER)] },
          { role: 'roles/artifactregistry.reader', members: [sa(DEPLOYER)] },
        ],
      },
    },
    {
      id: 'host',
      number: '222222222222',
      policy: {
        bindings: [
          { role: 'roles/compute.networkUser', members: [sa(DEPLOYER)] },
          // Shared VPC Admin: may read and change subnetwork IAM policies.
          { role: 'roles/compute.xpnAdmin', members: [sa(DEPLOYER)] },
          { role: 'roles/vpcaccess.viewer', members: [sa(DEPLOYER)] },
        ],
      },
    },
    {
      id: 'keys',
      number: '333333333333',
      policy: { bindings: [{ role: 'roles/cloudkms.admin', members: [sa(DEPLOYER)] }] },
    },
  ],
  serviceAccounts: [{ email: RUNTIME }, { email: DEPLOYER }, { email: OUTSIDER }],
  repositories: [
    { name: 'projects/app/locations/us-central1/repositories/containers', images: { migrate: ['v1'] } },
  ],
  sqlInstances: [{ name: 'projects/app/instances/main', region: 'us-central1' }],
  subnetworks: [{ name: SUBNET, network: 'projects/host/global/networks/shared', policy: {} }],
  connectors: [{ name: CONNECTOR, network: 'shared' }],
  buckets: [{ name: 'app-inputs', project: 'app', policy: {} }],
  cryptoKeys: [{ name: KEY, policy: {} }],
  imageLogs: {
    'us-central1-docker.pkg.dev/app/containers/migrate': [
      'migrating: step 1 of 3',
      'psql: connection refused',
    ],
  },
};

let emu: Emulator;
let ctx: ApiContext;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  emu = await startEmulator({ scenario: world });
  for (const who of [DEPLOYER, OUTSIDER]) tokens[who] = emu.issueToken(sa(who));
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: tokens[DEPLOYER] ?? null, expiry_date: Date.now() + 3_600_000 });
  ctx = { auth, universe: 'googleapis.com', env: endpointOverrides(`${emu.url}/`) };
});
afterAll(() => emu.stop());

async function call(path: string, as = DEPLOYER, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${emu.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${tokens[as]}`, 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the tests read deep, API-shaped JSON bodies
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('Cloud SQL Admin, Service Usage, VPC Access, Compute networks', () => {
  it('instances.get answers the instance, or Cloud SQL errors with their reasons', async () => {
    const lookups = createLookupClient(ctx);
    expect(await lookups.sqlInstance('projects/app/instances/main')).toMatchObject({
      name: 'main',
      region: 'us-central1',
      connectionName: 'app:us-central1:main',
      state: 'RUNNABLE',
    });
    const missing = await call('/sql/v1beta4/projects/app/instances/nope');
    expect(missing).toMatchObject({
      status: 404,
      body: {
        error: {
          message: 'The Cloud SQL instance does not exist.',
          errors: [{ reason: 'instanceDoesNotExist' }],
        },
      },
    });
    const denied = await call('/v1/projects/app/instances/main', OUTSIDER);
    expect(denied.body.error).toMatchObject({ code: 403, errors: [{ reason: 'notAuthorized' }] });
  });

  it('services.get says ENABLED or DISABLED', async () => {
    const lookups = createLookupClient(ctx);
    expect((await lookups.service('projects/app/services/sqladmin.googleapis.com')).state).toBe('ENABLED');
    expect((await call('/v1/projects/app/services/bigquery.googleapis.com')).body).toMatchObject({
      name: 'projects/111111111111/services/bigquery.googleapis.com',
      state: 'DISABLED',
    });
  });

  it('connectors.get and networks.get', async () => {
    expect(await createLookupClient(ctx).connector(CONNECTOR)).toMatchObject({
      name: CONNECTOR,
      state: 'READY',
    });
    expect((await call('/v1/projects/host/locations/us-central1/connectors/other')).status).toBe(404);
    expect((await call(`/v1/${CONNECTOR}`, OUTSIDER)).body.error.message).toContain(
      "'vpcaccess.connectors.get'",
    );
    const compute = createComputeClient(ctx);
    expect(await compute.getNetwork('projects/host/global/networks/shared')).toMatchObject({
      name: 'shared',
    });
  });
});

describe('IAM of subnetworks, buckets and keys', () => {
  it('subnetworks: get, read-modify-write with etag, testIamPermissions, Compute wording', async () => {
    const compute = createComputeClient(ctx);
    expect(await compute.getSubnetwork(SUBNET)).toMatchObject({ name: 'shared-a' });
    const policy = await compute.getSubnetworkIamPolicy(SUBNET);
    const written = await compute.setSubnetworkIamPolicy(SUBNET, {
      ...policy,
      bindings: [{ role: 'roles/compute.networkUser', members: [sa(AGENT)] }],
    });
    expect(written.bindings).toEqual([{ role: 'roles/compute.networkUser', members: [sa(AGENT)] }]);
    // Compute answers a stale etag with 412 conditionNotMet (not IAM's 409).
    await expect(compute.setSubnetworkIamPolicy(SUBNET, { ...policy, bindings: [] })).rejects.toMatchObject({
      response: { status: 412 },
    });
    expect(
      await compute.testSubnetworkPermissions(SUBNET, [
        'compute.subnetworks.use',
        'compute.subnetworks.setIamPolicy',
        'compute.subnetworks.delete',
      ]),
    ).toEqual(['compute.subnetworks.use', 'compute.subnetworks.setIamPolicy']);
    const denied = await call(`/compute/v1/${SUBNET}/getIamPolicy`, OUTSIDER);
    expect(denied.body.error).toMatchObject({
      code: 403,
      message: `Required 'compute.subnetworks.getIamPolicy' permission for '${SUBNET}'`,
      errors: [{ reason: 'forbidden' }],
    });
    expect(
      (await call('/compute/v1/projects/host/regions/us-central1/subnetworks/none')).body.error.message,
    ).toBe("The resource 'projects/host/regions/us-central1/subnetworks/none' was not found");
  });

  it('buckets: project number, policy with kind, PUT with etag, testPermissions', async () => {
    const storage = createStorageClient(ctx);
    expect(await storage.bucketProject('projects/_/buckets/app-inputs')).toBe('projects/111111111111');
    const policy = await storage.getBucketIamPolicy('app-inputs');
    expect(policy).toMatchObject({ kind: 'storage#policy', resourceId: 'projects/_/buckets/app-inputs' });
    await storage.setBucketIamPolicy('app-inputs', {
      ...policy,
      bindings: [{ role: 'roles/storage.objectViewer', members: [sa(RUNTIME)] }],
    });
    expect((await storage.getBucketIamPolicy('app-inputs')).bindings).toEqual([
      { role: 'roles/storage.objectViewer', members: [sa(RUNTIME)] },
    ]);
    expect(await storage.testBucketPermissions('app-inputs', ['storage.buckets.getIamPolicy'])).toEqual([
      'storage.buckets.getIamPolicy',
    ]);
    // A permission of another resource type (HMAC keys are the project's) is refused, as Google does.
    await expect(storage.testBucketPermissions('app-inputs', ['storage.hmacKeys.list'])).rejects.toThrow(
      /not valid for this resource/,
    );
    const missing = await call('/storage/v1/b/nope/iam');
    expect(missing.body.error).toMatchObject({ code: 404, message: 'The specified bucket does not exist.' });
    const denied = await call('/storage/v1/b/app-inputs', OUTSIDER);
    expect(denied.body.error.message).toBe(
      `${OUTSIDER} does not have storage.buckets.get access to the Google Cloud Storage bucket. Permission 'storage.buckets.get' denied on resource (or it may not exist).`,
    );
  });

  it('crypto keys: GET getIamPolicy, setIamPolicy, testIamPermissions', async () => {
    const kms = createKmsClient(ctx);
    const policy = await kms.getKeyIamPolicy(KEY);
    await kms.setKeyIamPolicy(KEY, {
      ...policy,
      bindings: [{ role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter', members: [sa(AGENT)] }],
    });
    expect((await kms.getKeyIamPolicy(KEY)).bindings?.[0]?.members).toEqual([sa(AGENT)]);
    expect(await kms.testKeyPermissions(KEY, ['cloudkms.cryptoKeys.setIamPolicy'])).toEqual([
      'cloudkms.cryptoKeys.setIamPolicy',
    ]);
    expect((await call(`/v1/${KEY}:getIamPolicy`, OUTSIDER)).body.error.details[0]).toMatchObject({
      reason: 'IAM_PERMISSION_DENIED',
      domain: 'cloudkms.googleapis.com',
      metadata: { permission: 'cloudkms.cryptoKeys.getIamPolicy' },
    });
  });
});

async function deploy(job: string, task: Record<string, unknown>) {
  const created = await call(`/v2/projects/app/locations/us-central1/jobs?jobId=${job}`, DEPLOYER, {
    method: 'POST',
    body: {
      template: {
        template: { serviceAccount: RUNTIME, maxRetries: 0, containers: [{ image: IMAGE }], ...task },
      },
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  return (await call(`/v2/${created.body.name}:wait`, DEPLOYER, { method: 'POST', body: { timeout: '10s' } }))
    .body;
}

describe('Cloud Run checks what the job connects to', () => {
  it('deploy fails while the service agent cannot use the subnetwork, the connector or the key', async () => {
    // A fresh subnetwork policy without the agent (the IAM test above granted it on SUBNET).
    emu.world.connected.subnetworks.push({
      name: 'projects/host/regions/us-central1/subnetworks/shared-b',
      network: 'projects/host/global/networks/shared',
      policy: {},
    });
    const subnet = await deploy('vpc-job', {
      vpcAccess: {
        networkInterfaces: [{ subnetwork: 'projects/host/regions/us-central1/subnetworks/shared-b' }],
      },
    });
    expect(subnet.error.message).toContain('compute.subnetworks.use');
    expect(subnet.error.message).toContain(AGENT);
    const connector = await deploy('conn-job', { vpcAccess: { connector: CONNECTOR } });
    expect(connector.error.message).toContain('roles/vpcaccess.user');
    emu.world.connected.cryptoKeys[KEY] = { policy: {} };
    const key = await deploy('cmek-job', { encryptionKey: KEY });
    expect(key.error.message).toContain(
      `'cloudkms.cryptoKeyVersions.useToEncrypt' denied on resource '${KEY}'`,
    );
    const granted = await deploy('vpc-ok', { vpcAccess: { networkInterfaces: [{ subnetwork: SUBNET }] } });
    expect(granted.error).toBeUndefined();
  });

  it('an execution whose runtime account cannot reach Cloud SQL fails; its tasks and logs say why', async () => {
    await deploy('migrate', {
      volumes: [{ name: 'cloudsql', cloudSqlInstance: { instances: ['app:us-central1:main'] } }],
    });
    const op = await call('/v2/projects/app/locations/us-central1/jobs/migrate:run', DEPLOYER, {
      method: 'POST',
      body: {},
    });
    const done = (
      await call(`/v2/${op.body.name}:wait`, DEPLOYER, { method: 'POST', body: { timeout: '10s' } })
    ).body;
    const execution = done.metadata.name as string;
    expect(done.error.message).toContain('exit code 1');
    const tasks = await call(`/v2/${execution}/tasks`);
    expect(tasks.body.tasks).toMatchObject([{ index: 0, lastAttemptResult: { exitCode: 1 } }]);
    const id = execution.split('/').pop();
    const logs = await call('/v2/entries:list', DEPLOYER, {
      method: 'POST',
      body: {
        resourceNames: ['projects/app'],
        filter: `resource.type="cloud_run_job" AND labels."run.googleapis.com/execution_name"="${id}" AND labels."run.googleapis.com/task_index"="0"`,
        orderBy: 'timestamp desc',
        pageSize: 10,
      },
    });
    // roles/run.developer alone cannot read logs.
    expect(logs.status).toBe(403);
    expect(logs.body.error.details[0].metadata.permission).toBe('logging.logEntries.list');
    emu.world.projects[0]?.policy.bindings?.push({ role: 'roles/logging.viewer', members: [sa(DEPLOYER)] });
    const readable = await call('/v2/entries:list', DEPLOYER, {
      method: 'POST',
      body: {
        resourceNames: ['projects/app'],
        filter: `labels."run.googleapis.com/execution_name"="${id}"\nseverity>=ERROR`,
        orderBy: 'timestamp desc',
      },
    });
    const texts = (readable.body.entries as Array<{ textPayload: string }>)
      .map((e) => e.textPayload)
      .reverse();
    expect(texts[0]).toContain('ensure that the account has access to "app:us-central1:main"');
    expect(texts[0]).toContain('notAuthorized');
    expect(texts.at(-1)).toBe('psql: connection refused');
  });
});
