// Every success body the emulator serves, validated against Google's own generated message
// classes (the apitools *_messages.py modules shipped with gcloud): a field Google's schema
// does not know fails the test. The bodies come from one run of the bundled action (fix, a
// secret, execute) and a tour of every other route, recorded by the emulator itself.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type Emulator, type RequestLogEntry, startEmulator } from './emulator/server.ts';
import { messageTypeOf, outsideGcloudSchemas } from './helpers/message-types.ts';
import { ensureBuilt, ROOT, runAction } from './helpers/run-action.ts';
import { hasSchemas, type MessageItem, validateMessages } from './helpers/schema-check.ts';

if (!hasSchemas) {
  console.warn(
    'SKIPPED test/emulator-schema.test.ts: the gcloud CLI (whose generated message classes are the schema) is not installed on this machine.',
  );
}

const PROVIDER =
  'projects/123456789012/locations/global/workloadIdentityPools/github/providers/github-actions';
const RUNTIME = 'runtime@demo-app.iam.gserviceaccount.com';
const REPO = 'projects/demo-images/locations/us-central1/repositories/containers';
const IMAGE = 'us-central1-docker.pkg.dev/demo-images/containers/payments/nightly-report';

/** One call as an admin; the regional host matters for Cloud Run v1. */
function call(
  emu: Emulator,
  method: string,
  path: string,
  body?: unknown,
  host?: string,
  token = 'admin-token',
): Promise<number> {
  const payload = body === undefined ? '' : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: emu.port,
        method,
        path,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          ...(host ? { host: `${host}:${emu.port}` } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Every route the action's run did not reach. */
async function tour(emu: Emulator): Promise<void> {
  const p = '/v1/projects/demo-app';
  const sa = `/v1/projects/demo-app/serviceAccounts/${RUNTIME}`;
  const v1 = '/apis/run.googleapis.com/v1/namespaces/demo-app';
  const regional = 'us-central1-run.googleapis.com';
  const sequential: Array<[string, string, unknown?, string?, string?]> = [
    ['GET', sa],
    ['GET', '/v1/projects/demo-app/serviceAccounts'],
    ['POST', `${sa}:getIamPolicy`, { options: { requestedPolicyVersion: 3 } }],
    ['POST', `${sa}:testIamPermissions`, { permissions: ['iam.serviceAccounts.actAs'] }],
    ['GET', '/v1/roles/run.developer'],
    ['GET', p],
    ['GET', '/v3/projects/demo-app'],
    ['GET', '/v2/folders/880011223344'],
    ['GET', '/v3/folders/880011223344'],
    ['GET', '/v1/organizations/472095813307'],
    ['GET', '/v3/organizations/472095813307'],
    ['POST', `${p}:getIamPolicy`, {}],
    ['POST', '/v3/folders/880011223344:testIamPermissions', { permissions: ['resourcemanager.folders.get'] }],
    [
      'POST',
      '/v1/organizations/472095813307:testIamPermissions',
      { permissions: ['resourcemanager.organizations.get'] },
    ],
    ['GET', '/v2/projects/demo-app/policies/iam.disableCrossProjectServiceAccountUsage:getEffectivePolicy'],
    ['GET', `/v1/${REPO}`],
    ['GET', `/v1/${REPO}/dockerImages`],
    ['GET', `/v1/${REPO}/packages?pageSize=1`],
    ['GET', `/v1/${REPO}/packages/payments%2Fnightly-report/tags`],
    ['GET', `/v1/${REPO}:getIamPolicy`],
    ['GET', `${p}/secrets/db-password`],
    ['GET', `${p}/secrets/db-password/versions?pageSize=1`],
    ['GET', `${p}/secrets/db-password/versions/1`],
    ['GET', `${p}/secrets/db-password/versions/latest:access`],
    ['GET', `${p}/secrets/db-password:getIamPolicy`],
    ['GET', '/v2/projects/demo-app/locations/us-central1/jobs?pageSize=1'],
    ['GET', '/v2/projects/demo-app/locations/us-central1/jobs/nightly-report/executions'],
    ['GET', `${v1}/jobs/nightly-report`, undefined, regional],
    ['GET', `${v1}/jobs`, undefined, regional],
    ['GET', `${v1}/executions`, undefined, regional],
    ['POST', `${v1}/jobs/nightly-report:run`, {}, regional],
    ['DELETE', `${v1}/jobs/nightly-report`, undefined, regional],
  ];
  // The connected resources (Cloud SQL, VPC, buckets, keys), task and log reads.
  const execution = Object.keys(emu.world.executions)[0] ?? 'missing-execution';
  const subnet = '/compute/v1/projects/demo-app/regions/us-central1/subnetworks/jobs';
  sequential.push(
    ['GET', '/v1/projects/demo-app/services/run.googleapis.com'],
    ['GET', '/sql/v1beta4/projects/demo-app/instances/main'],
    ['GET', subnet],
    ['GET', `${subnet}/getIamPolicy`],
    ['GET', '/compute/v1/projects/demo-app/global/networks/jobs'],
    ['GET', '/v1/projects/demo-app/locations/us-central1/connectors/egress'],
    ['GET', '/storage/v1/b/acme-report-inputs'],
    ['GET', '/storage/v1/b/acme-report-inputs/iam'],
    ['GET', '/storage/v1/b/acme-report-inputs/iam/testPermissions?permissions=storage.buckets.get'],
    ['GET', '/v1/projects/demo-app/locations/us-central1/keyRings/jobs/cryptoKeys/run:getIamPolicy'],
    ['POST', '/v2/entries:list', { resourceNames: ['projects/demo-app'] }],
  );
  // Before the v1 delete near the end of the list, which takes the executions with the job.
  sequential.unshift(['GET', `/v2/${execution}/tasks`]);
  for (const [method, path, body, host, token] of sequential) {
    const status = await call(emu, method, path, body, host, token);
    expect(status, `${method} ${path}`).toBe(200);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A google.protobuf.Any inside an operation: its class by @type, the rest of it as the body. */
function packed(any: unknown, from: string): MessageItem[] {
  if (!isObject(any) || typeof any['@type'] !== 'string') return [];
  const type = /google\.cloud\.run\.v2\.(Job|Execution)$/.exec(any['@type'])?.[1];
  if (!type) return [];
  const { '@type': _t, ...body } = any;
  return [{ api: 'run', version: 'v2', type: `GoogleCloudRunV2${type}`, body, from: `${from} (packed)` }];
}

function itemsOf(log: RequestLogEntry[]): { items: MessageItem[]; unmapped: string[] } {
  const items: MessageItem[] = [];
  const unmapped: string[] = [];
  for (const r of log) {
    if (r.status < 200 || r.status > 299 || !isObject(r.response) || outsideGcloudSchemas(r.path)) continue;
    const from = `${r.method} ${r.path}`;
    const t = messageTypeOf(r.method, r.path);
    if (!t) {
      unmapped.push(from);
      continue;
    }
    items.push({ ...t, body: r.response, from });
    items.push(...packed(r.response.response, from), ...packed(r.response.metadata, from));
  }
  return { items, unmapped };
}

describe.skipIf(!hasSchemas)("every body the emulator serves fits Google's message classes", () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('the action run and a tour of every route: no unknown field, no undecodable value', async () => {
    const world = parseYaml(readFileSync(join(ROOT, 'test/emulator/scenarios/demo.yaml'), 'utf8'));
    // roles/owner holds no resourcemanager.folders.get (as in Google's role data): add Browser,
    // and a custom role for the connected resources the repository's owner role data leaves out.
    world.organizations[0].policy.bindings.push(
      { role: 'roles/browser', members: ['user:admin@acme.example'] },
      { role: 'organizations/472095813307/roles/schemaTour', members: ['user:admin@acme.example'] },
    );
    world.customRoles = [
      {
        name: 'organizations/472095813307/roles/schemaTour',
        includedPermissions: [
          'cloudsql.instances.get',
          'compute.subnetworks.get',
          'compute.subnetworks.getIamPolicy',
          'compute.networks.get',
          'vpcaccess.connectors.get',
          'cloudkms.cryptoKeys.getIamPolicy',
          'logging.logEntries.list',
          'storage.buckets.get',
          'storage.buckets.getIamPolicy',
        ],
      },
    ];
    world.sqlInstances = [{ name: 'projects/demo-app/instances/main', region: 'us-central1' }];
    world.subnetworks = [{ name: 'projects/demo-app/regions/us-central1/subnetworks/jobs' }];
    world.connectors = [
      { name: 'projects/demo-app/locations/us-central1/connectors/egress', network: 'jobs' },
    ];
    world.buckets = [{ name: 'acme-report-inputs', project: 'demo-app' }];
    world.cryptoKeys = [{ name: 'projects/demo-app/locations/us-central1/keyRings/jobs/cryptoKeys/run' }];
    const emu = await startEmulator({ scenario: world, recordResponses: true });
    try {
      const res = await runAction({
        emulator: emu,
        inputs: {
          workload_identity_provider: PROVIDER,
          impersonate_service_account: 'deployer@demo-app.iam.gserviceaccount.com',
          project_id: 'demo-app',
          region: 'us-central1',
          job: 'nightly-report',
          image: `${IMAGE}:v1.4.2`,
          service_account: RUNTIME,
          secrets: 'DB_PASSWORD=db-password:2',
          iam: 'fix',
          execute: 'true',
        },
      });
      expect(res.code, res.stdout.slice(-4000)).toBe(0);
      await tour(emu);
      const { items, unmapped } = itemsOf(emu.requestLog);
      // Every route that answered is in the table (a new route needs its message class).
      expect(unmapped).toEqual([]);
      expect(items.length).toBeGreaterThan(40);
      expect(validateMessages(items)).toEqual([]);
    } finally {
      await emu.stop();
    }
  }, 120_000);

  it('the validator itself rejects an unknown field at its path', () => {
    const report = validateMessages([
      {
        api: 'run',
        version: 'v2',
        type: 'GoogleCloudRunV2Job',
        body: { name: 'x', template: { template: { containers: [{ image: 'i', imageTypo: 1 }] } } },
        from: 'probe',
      },
    ]);
    expect(report).toEqual([
      { from: 'probe', problems: ['unknown field $.template.template.containers[0].imageTypo'] },
    ]);
  });
});
