// gcloud against the emulator's APIs for what jobs connect to: the very commands the action
// prints as remedies (subnetwork, bucket and key bindings) and the reads an operator makes
// (Cloud SQL instance, subnetwork, connector). It speaks each API's real paths and bodies.
import { describe, expect, it } from 'vitest';
import { grantCommand } from '../src/iam/commands.ts';
import { hasGcloud, useGcloudEmulator } from './helpers/gcloud.ts';

if (!hasGcloud)
  console.warn(
    'SKIPPED test/emulator-gcloud-connected.test.ts: the gcloud CLI is not installed on this machine.',
  );

const AGENT = 'serviceAccount:service-111111111111@serverless-robot-prod.iam.gserviceaccount.com';
const RUNTIME = 'serviceAccount:runtime@app.iam.gserviceaccount.com';
const SUBNET = 'projects/host/regions/us-central1/subnetworks/jobs';
const KEY = 'projects/keys/locations/us-central1/keyRings/ring/cryptoKeys/run';

const world = {
  organizations: [
    {
      id: '1000',
      policy: {
        bindings: [
          { role: 'roles/owner', members: ['user:admin@acme.example'] },
          // roles/owner holds no bucket IAM permissions (Cloud Storage keeps those apart).
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
      enableServices: ['sqladmin.googleapis.com'],
    },
    { id: 'host', number: '222222222222', parent: 'organizations/1000' },
    { id: 'keys', number: '333333333333', parent: 'organizations/1000' },
  ],
  tokens: { 'admin-token': 'user:admin@acme.example' },
  sqlInstances: [{ name: 'projects/app/instances/main', region: 'us-central1' }],
  subnetworks: [{ name: SUBNET, network: 'projects/host/global/networks/shared', policy: {} }],
  buckets: [{ name: 'app-inputs', project: 'app', policy: {} }],
  cryptoKeys: [{ name: KEY, policy: {} }],
};

const { emu, gcloud } = useGcloudEmulator(
  world,
  {
    COMPUTE: 'compute/v1/',
    STORAGE: 'storage/v1/',
    CLOUDKMS: '',
    SQL: '',
    CLOUDRESOURCEMANAGER: '',
  },
  90_000,
);

/** The remedy command the action prints, split into gcloud's arguments (values need no quoting here). */
const argsOf = (command: string) => command.replace(/^gcloud /, '').split(' ');

describe.skipIf(!hasGcloud)('gcloud against the emulated Compute, Storage, KMS and Cloud SQL', () => {
  it("runs the action's own grant commands on a subnetwork, a bucket and a key", async () => {
    const runs = await Promise.all([
      gcloud(
        argsOf(
          grantCommand({
            kind: 'subnetwork',
            resource: SUBNET,
            role: 'roles/compute.networkUser',
            member: AGENT,
          }),
        ),
      ),
      gcloud(
        argsOf(
          grantCommand({
            kind: 'bucket',
            resource: 'projects/_/buckets/app-inputs',
            role: 'roles/storage.objectViewer',
            member: RUNTIME,
          }),
        ),
      ),
      gcloud(
        argsOf(
          grantCommand({
            kind: 'cryptoKey',
            resource: KEY,
            role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter',
            member: AGENT,
          }),
        ),
      ),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const bound = (p: { bindings?: Array<{ role: string; members: string[] }> }, role: string, m: string) =>
      p.bindings?.some((b) => b.role === role && b.members.includes(m)) ?? false;
    expect(
      bound(emu().world.connected.subnetworks[0]?.policy ?? {}, 'roles/compute.networkUser', AGENT),
    ).toBe(true);
    expect(bound(emu().world.connected.buckets[0]?.policy ?? {}, 'roles/storage.objectViewer', RUNTIME)).toBe(
      true,
    );
    expect(
      bound(
        emu().world.connected.cryptoKeys[KEY]?.policy ?? {},
        'roles/cloudkms.cryptoKeyEncrypterDecrypter',
        AGENT,
      ),
    ).toBe(true);
  });

  it('describes a Cloud SQL instance and a subnetwork, and says when an instance does not exist', async () => {
    const [sql, subnet, missing] = await Promise.all([
      gcloud(['sql', 'instances', 'describe', 'main', '--project', 'app']),
      gcloud([
        'compute',
        'networks',
        'subnets',
        'describe',
        'jobs',
        '--region',
        'us-central1',
        '--project',
        'host',
      ]),
      gcloud(['sql', 'instances', 'describe', 'nope', '--project', 'app']),
    ]);
    expect(sql.code, sql.stderr).toBe(0);
    expect(JSON.parse(sql.stdout)).toMatchObject({
      connectionName: 'app:us-central1:main',
      region: 'us-central1',
    });
    expect(subnet.code, subnet.stderr).toBe(0);
    expect(JSON.parse(subnet.stdout)).toMatchObject({ name: 'jobs' });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('The Cloud SQL instance does not exist.');
  });
});
