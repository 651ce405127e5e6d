// Every feature's IAM row reads the final job: a Cloud SQL instance, a connector, a Cloud
// Storage volume, a CMEK key and a secret set by the inputs, by job_patch or by a job.yaml give
// exactly the same requirement rows (the plan is built from the job the deploy sends, not from
// the inputs). Pure: the real input parser, job.yaml reader, plan and requirement rows.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { requirementsFor } from '../src/iam/requirements.ts';
import { parseInputs } from '../src/inputs.ts';
import { provisionalPlan, resolveLocal } from '../src/plan.ts';

const IMAGE = 'us-central1-docker.pkg.dev/demo-app/containers/report:v1';
const RUNTIME = 'runtime@demo-app.iam.gserviceaccount.com';
const SQL = 'demo-app:us-central1:main';
const CONNECTOR = 'projects/net-host/locations/us-central1/connectors/conn-1';
const KEY = 'projects/kms-keys/locations/us-central1/keyRings/run/cryptoKeys/jobs';
const BASE = {
  project_id: 'demo-app',
  region: 'us-central1',
  job: 'nightly',
  image: IMAGE,
  service_account: RUNTIME,
};

const fromInputs = {
  ...BASE,
  cloudsql_instances: SQL,
  vpc_connector: CONNECTOR,
  volumes: 'name=data,type=cloud-storage,bucket=demo-exports,readonly=true',
  volume_mounts: 'volume=data,mount-path=/data',
  kms_key: KEY,
  secrets: 'DB=db-password:1',
};

const fromPatch = {
  ...BASE,
  job_patch: JSON.stringify({
    template: {
      template: {
        serviceAccount: RUNTIME,
        containers: [
          {
            image: IMAGE,
            env: [{ name: 'DB', valueSource: { secretKeyRef: { secret: 'db-password', version: '1' } } }],
            volumeMounts: [
              { name: 'cloudsql', mountPath: '/cloudsql' },
              { name: 'data', mountPath: '/data' },
            ],
          },
        ],
        volumes: [
          { name: 'cloudsql', cloudSqlInstance: { instances: [SQL] } },
          { name: 'data', gcs: { bucket: 'demo-exports', readOnly: true } },
        ],
        vpcAccess: { connector: CONNECTOR },
        encryptionKey: KEY,
      },
    },
  }),
};

const jobYaml = stringify({
  apiVersion: 'run.googleapis.com/v1',
  kind: 'Job',
  metadata: { name: 'nightly', namespace: 'demo-app' },
  spec: {
    template: {
      metadata: {
        annotations: {
          'run.googleapis.com/cloudsql-instances': SQL,
          'run.googleapis.com/vpc-access-connector': CONNECTOR,
          'run.googleapis.com/encryption-key': KEY,
        },
      },
      spec: {
        template: {
          spec: {
            serviceAccountName: RUNTIME,
            containers: [
              {
                image: IMAGE,
                env: [{ name: 'DB', valueFrom: { secretKeyRef: { name: 'db-password', key: '1' } } }],
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
              },
            ],
            volumes: [
              {
                name: 'data',
                csi: {
                  driver: 'gcsfuse.run.googleapis.com',
                  readOnly: true,
                  volumeAttributes: { bucketName: 'demo-exports' },
                },
              },
            ],
          },
        },
      },
    },
  },
});
const fromYaml = { project_id: 'demo-app', region: 'us-central1', metadata: 'deploy/job.yaml' };

/** The requirement rows of the plan the step would check, as comparable lines. */
function rows(inputs: Record<string, string>): string[] {
  const env = { GITHUB_WORKSPACE: '/ws' };
  const config = parseInputs(
    (n) => inputs[n] ?? '',
    env,
    () => true,
  );
  const local = resolveLocal(config, env, () => jobYaml);
  const plan = provisionalPlan(config, local, undefined);
  return requirementsFor(plan)
    .map((r) => {
      const row = r as unknown as Record<string, unknown>;
      return JSON.stringify([row.check, row.permission, row.role, row.resource, row.name, row.principal]);
    })
    .sort();
}

describe('the IAM rows read the final job, whatever set it', () => {
  const inputs = rows(fromInputs);

  it('the inputs give a row for each connected resource and the secret', () => {
    const checks = inputs.map((r) => JSON.parse(r)[0] as string);
    for (const check of [
      'cloudsql-api',
      'cloudsql-instance',
      'runtime-cloudsql',
      'vpc-connector',
      'agent-connector',
      'runtime-bucket',
      'agent-kms',
      'runtime-secret',
    ])
      expect(checks, check).toContain(check);
    const text = inputs.join('\n');
    for (const name of [CONNECTOR.split('/')[1], KEY, 'demo-exports', 'db-password'])
      expect(text).toContain(name);
  });

  it('job_patch gives exactly the same rows', () => {
    expect(rows(fromPatch)).toEqual(inputs);
  });

  it('a job.yaml gives exactly the same rows', () => {
    expect(rows(fromYaml)).toEqual(inputs);
  });
});
