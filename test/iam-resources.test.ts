// The requirement rows for what a job connects to (src/iam/requirements-resources.ts), proven
// and fixed through the preflight against the in-memory backend: who needs what on which
// resource, the narrowest grant fix makes (never a project) and the command otherwise.
import { OAuth2Client } from 'google-auth-library';
import { describe, expect, it } from 'vitest';
import { BUILTIN_ROLES } from '../src/iam/builtin-roles.ts';
import { preflight } from '../src/iam/index.ts';
import { requirementsFor } from '../src/iam/requirements.ts';
import type { DeployPlan, Finding } from '../src/model.ts';
import { config, plan } from './fixtures/config.ts';
import { FakeBackend, type FakeWorld } from './iam-fake.ts';

const DEPLOYER = 'serviceAccount:deployer@app.iam.gserviceaccount.com';
const AGENT = 'serviceAccount:service-111@serverless-robot-prod.iam.gserviceaccount.com';
const RUNTIME = 'serviceAccount:runner@app.iam.gserviceaccount.com';
const SUBNET = 'projects/host/regions/us-central1/subnetworks/shared-a';
const KEY = 'projects/keys/locations/us-central1/keyRings/ring/cryptoKeys/run';
const BUCKET = 'projects/_/buckets/app-inputs';
const CONNECTOR = 'projects/net/locations/us-central1/connectors/egress';

const connected: DeployPlan = plan({
  execute: true,
  runWithOverrides: true,
  resources: {
    cloudSql: [
      { connectionName: 'db:us-central1:main', project: 'db', region: 'us-central1', instance: 'main' },
    ],
    buckets: [{ volume: 'inputs', bucket: 'app-inputs', readOnly: true }],
    subnets: [{ name: SUBNET, project: 'host', region: 'us-central1', subnetwork: 'shared-a' }],
    connector: { name: CONNECTOR, project: 'net' },
    kmsKey: KEY,
  },
});

const roles: Record<string, string[]> = {
  ...structuredClone(BUILTIN_ROLES as Record<string, string[]>),
  'roles/cloudsql.client': ['cloudsql.instances.connect', 'cloudsql.instances.get'],
  'roles/compute.networkUser': ['compute.subnetworks.use', 'compute.subnetworks.get'],
  'roles/vpcaccess.user': ['vpcaccess.connectors.use', 'vpcaccess.connectors.get'],
  'roles/storage.objectViewer': ['storage.objects.get', 'storage.objects.list'],
  'roles/cloudkms.cryptoKeyEncrypterDecrypter': [
    'cloudkms.cryptoKeyVersions.useToDecrypt',
    'cloudkms.cryptoKeyVersions.useToEncrypt',
  ],
  'roles/storage.admin': [
    'storage.buckets.getIamPolicy',
    'storage.buckets.setIamPolicy',
    'storage.objects.get',
  ],
  'roles/run.jobsExecutorWithOverrides': ['run.jobs.run', 'run.jobs.runWithOverrides'],
  // Deploys and runs, but not with overrides (roles/run.developer would include them).
  'projects/app/roles/deployer': [
    'run.jobs.create',
    'run.jobs.update',
    'run.jobs.get',
    'run.jobs.run',
    'run.operations.get',
  ],
};

function world(over: Partial<FakeWorld> = {}): Partial<FakeWorld> {
  return {
    caller: DEPLOYER,
    roles,
    parents: {
      [BUCKET]: 'projects/222',
      'projects/222': 'organizations/1',
      'projects/app': 'organizations/1',
    },
    serviceAccounts: { 'runner@app.iam.gserviceaccount.com': {} },
    resources: {
      'projects/app/services/sqladmin.googleapis.com': { state: 'ENABLED' },
      'projects/db/instances/main': { name: 'main', region: 'us-central1' },
      [SUBNET]: { name: 'shared-a' },
      [CONNECTOR]: { name: CONNECTOR },
    },
    policies: {
      'projects/app': {
        bindings: [
          { role: 'projects/app/roles/deployer', members: [DEPLOYER] },
          { role: 'roles/run.serviceAgent', members: [AGENT] },
        ],
      },
      'projects/app/serviceAccounts/runner@app.iam.gserviceaccount.com': {
        bindings: [{ role: 'roles/iam.serviceAccountUser', members: [DEPLOYER] }],
      },
      'projects/app/locations/us/repositories/images': {
        bindings: [{ role: 'roles/artifactregistry.reader', members: [DEPLOYER] }],
      },
    },
    ...over,
  };
}

const log = { info: () => {}, warning: () => {}, debug: () => {} };
const run = (backend: FakeBackend, iam: 'check' | 'fix' = 'check') =>
  preflight({
    plan: connected,
    config: config({ iam, execute: true }),
    auth: new OAuth2Client(),
    env: {},
    log,
    sleep: async () => {},
    backend,
  });
const statuses = (fs: Finding[]) => Object.fromEntries(fs.map((f) => [f.check, f.status]));
const find = (fs: Finding[], check: string) => fs.find((f) => f.check === check) as Finding;

describe('requirements for what the job connects to', () => {
  it('names the principal, permission, role and narrowest resource of each row', () => {
    const rows = requirementsFor(connected).filter((r) => r.type !== 'service-account');
    const summary = rows.map((r) =>
      r.type === 'principal'
        ? [r.check, r.principal, r.permission, r.role, r.resource.name]
        : r.type === 'caller'
          ? [r.check, r.permissions.join(','), r.role, r.resource.name]
          : r.type === 'lookup'
            ? [r.check, r.kind, r.name]
            : [r.check],
    );
    expect(summary).toEqual(
      expect.arrayContaining([
        ['cloudsql-api', 'service', 'projects/app/services/sqladmin.googleapis.com'],
        ['cloudsql-instance', 'sqlInstance', 'projects/db/instances/main'],
        ['runtime-cloudsql', RUNTIME, 'cloudsql.instances.connect', 'roles/cloudsql.client', 'projects/db'],
        ['vpc-subnet', 'subnetwork', SUBNET],
        ['agent-subnet', AGENT, 'compute.subnetworks.use', 'roles/compute.networkUser', SUBNET],
        ['vpc-connector', 'connector', CONNECTOR],
        ['agent-connector', AGENT, 'vpcaccess.connectors.use', 'roles/vpcaccess.user', 'projects/net'],
        ['runtime-bucket', RUNTIME, 'storage.objects.get', 'roles/storage.objectViewer', BUCKET],
        [
          'agent-kms',
          AGENT,
          'cloudkms.cryptoKeyVersions.useToDecrypt',
          'roles/cloudkms.cryptoKeyEncrypterDecrypter',
          KEY,
        ],
        [
          'deployer-overrides',
          'run.jobs.runWithOverrides',
          'roles/run.jobsExecutorWithOverrides',
          'projects/app',
        ],
      ]),
    );
  });

  it('a read-write bucket needs objectUser (create), a connector in the job project no extra grant', () => {
    const p = plan({
      resources: {
        cloudSql: [],
        subnets: [],
        buckets: [{ volume: 'out', bucket: 'b', readOnly: false }],
        connector: { name: 'projects/app/locations/us-central1/connectors/c', project: 'app' },
      },
    });
    const rows = requirementsFor(p);
    expect(rows.find((r) => r.check === 'runtime-bucket')).toMatchObject({
      permission: 'storage.objects.create',
      role: 'roles/storage.objectUser',
    });
    expect(rows.some((r) => r.check === 'agent-connector')).toBe(false);
    expect(rows.some((r) => r.check === 'deployer-overrides')).toBe(false);
  });
});

describe('preflight of the new rows', () => {
  it('a Cloud SQL instance read refused as SERVICE_DISABLED is unverified, with the command that enables the API', async () => {
    const backend = new FakeBackend(world());
    const lookup = backend.lookup.bind(backend);
    backend.lookup = async (kind, name) => {
      if (name !== 'projects/db/instances/main') return lookup(kind, name);
      const message = 'Cloud SQL Admin API has not been used in project 111 before or it is disabled.';
      const info = {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'SERVICE_DISABLED',
        domain: 'googleapis.com',
        metadata: { service: 'sqladmin.googleapis.com', consumer: 'projects/111' },
      };
      throw Object.assign(new Error(message), {
        response: {
          status: 403,
          data: { error: { code: 403, status: 'PERMISSION_DENIED', message, details: [info] } },
        },
      });
    };
    const f = find((await run(backend)).findings, 'cloudsql-instance');
    expect(f.status).toBe('unverified');
    expect(f.evidence).toContain('sqladmin.googleapis.com is not enabled in project app');
    // The consumer's number maps back to the project id the user knows.
    expect(f.command).toBe('gcloud services enable sqladmin.googleapis.com --project=app');
  });

  it('check: proves each gap, and each existence and state read', async () => {
    const backend = new FakeBackend(
      world({
        resources: { 'projects/app/services/sqladmin.googleapis.com': { state: 'DISABLED' } },
        denied: [`lookup ${CONNECTOR}`],
      }),
    );
    const { findings } = await run(backend);
    expect(statuses(findings)).toMatchObject({
      'cloudsql-api': 'missing',
      'cloudsql-instance': 'missing',
      'runtime-cloudsql': 'missing',
      'vpc-subnet': 'missing',
      'agent-subnet': 'missing',
      'vpc-connector': 'unverified',
      'agent-connector': 'missing',
      'runtime-bucket': 'missing',
      'agent-kms': 'missing',
      'deployer-overrides': 'missing',
    });
    expect(find(findings, 'cloudsql-api')).toMatchObject({
      command: 'gcloud services enable sqladmin.googleapis.com --project=app',
      subject: 'cloudsql_instances',
    });
    expect(find(findings, 'cloudsql-api').evidence).toContain('state "DISABLED", not ENABLED');
    // The bucket's project was found through its parent and read too.
    expect(find(findings, 'runtime-bucket').evidence).toContain('projects/222');
    expect(find(findings, 'agent-subnet').command).toBe(
      `gcloud compute networks subnets add-iam-policy-binding shared-a --region=us-central1 --project=host --member=${AGENT} --role=roles/compute.networkUser`,
    );
    expect(find(findings, 'agent-kms').command).toBe(
      `gcloud kms keys add-iam-policy-binding run --keyring=ring --location=us-central1 --project=keys --member=${AGENT} --role=roles/cloudkms.cryptoKeyEncrypterDecrypter --condition=None`,
    );
    expect(find(findings, 'runtime-bucket').command).toBe(
      `gcloud storage buckets add-iam-policy-binding gs://app-inputs --member=${RUNTIME} --role=roles/storage.objectViewer --condition=None`,
    );
    expect(find(findings, 'runtime-cloudsql').command).toBe(
      `gcloud projects add-iam-policy-binding db --member=${RUNTIME} --role=roles/cloudsql.client --condition=None`,
    );
  });

  it('satisfied when each binding and resource is there', async () => {
    const backend = new FakeBackend(
      world({
        policies: {
          ...world().policies,
          'projects/app': {
            bindings: [
              { role: 'projects/app/roles/deployer', members: [DEPLOYER] },
              { role: 'roles/run.jobsExecutorWithOverrides', members: [DEPLOYER] },
              { role: 'roles/run.serviceAgent', members: [AGENT] },
            ],
          },
          'projects/app/locations/us/repositories/images': {
            bindings: [{ role: 'roles/artifactregistry.reader', members: [DEPLOYER] }],
          },
          'projects/db': { bindings: [{ role: 'roles/cloudsql.client', members: [RUNTIME] }] },
          'projects/net': { bindings: [{ role: 'roles/vpcaccess.user', members: [AGENT] }] },
          // Granted on the bucket's project, found through the bucket's parent.
          'projects/222': { bindings: [{ role: 'roles/storage.objectViewer', members: [RUNTIME] }] },
          [SUBNET]: { bindings: [{ role: 'roles/compute.networkUser', members: [AGENT] }] },
          [KEY]: { bindings: [{ role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter', members: [AGENT] }] },
        },
      }),
    );
    const { findings, status } = await run(backend);
    expect(status).toBe('ok');
    expect(
      findings.filter((f) => f.status !== 'satisfied').map((f) => [f.check, f.status, f.evidence]),
    ).toEqual([]);
  });

  it('fix: grants on the subnet, bucket and key only; project-level gaps keep their command', async () => {
    const backend = new FakeBackend(world());
    const { findings, granted } = await run(backend, 'fix');
    expect(granted.map((g) => `${g.kind} ${g.resource} ${g.role}`).sort()).toEqual([
      `bucket ${BUCKET} roles/storage.objectViewer`,
      `cryptoKey ${KEY} roles/cloudkms.cryptoKeyEncrypterDecrypter`,
      `subnetwork ${SUBNET} roles/compute.networkUser`,
    ]);
    expect(backend.calls.filter((c) => c.startsWith('set ')).sort()).toEqual(
      [`set ${KEY}`, `set ${SUBNET}`, `set ${BUCKET}`].sort(),
    );
    for (const check of ['runtime-cloudsql', 'agent-connector', 'deployer-overrides'])
      expect(find(findings, check).status, check).toBe('missing');
  });
});
