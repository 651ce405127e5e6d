// The v1 run.googleapis.com/secrets alias annotation for a secret in another project: gcloud
// writes it (--set-secrets with a projects/NUMBER/secrets/NAME path), the emulator resolves the
// alias to the full name the v2 surface shows, and Cloud Run checks that secret, in its project.
import { describe, expect, it } from 'vitest';
import { APP, DEPLOYER, IMAGE, REGION, RUNNER, runWorld } from './emulator/run-world.ts';
import { emulatorJson } from './helpers/emulator.ts';
import { hasGcloud, useGcloudEmulator } from './helpers/gcloud.ts';

const VAULT = { id: 'vault-proj', number: '333333333333' };
const base = runWorld() as { projects: unknown[]; secrets: unknown[] };
const world = {
  ...base,
  projects: [...base.projects, { ...VAULT, policy: {} }],
  secrets: [
    ...base.secrets,
    {
      name: `projects/${VAULT.id}/secrets/db-cert`,
      versions: ['1', '2'],
      policy: {
        bindings: [{ role: 'roles/secretmanager.secretAccessor', members: [`serviceAccount:${RUNNER}`] }],
      },
    },
  ],
  tokens: { 'deployer-token': `serviceAccount:${DEPLOYER}` },
};
const { emu, gcloud } = useGcloudEmulator(world, { RUN: '' }, 90_000);
const V1 = `/apis/run.googleapis.com/v1/namespaces/${APP.id}/jobs`;

/** A v1 create (POST) of job `name` whose one env var reads `secret` through the alias annotation. */
function createWithAlias(
  name: string,
  ref: { alias: string; secret: string; env: string; version: string },
): Promise<Response> {
  const body = {
    apiVersion: 'run.googleapis.com/v1',
    kind: 'Job',
    // Without a regional host, the location label names the region.
    metadata: { name, namespace: APP.id, labels: { 'cloud.googleapis.com/location': REGION } },
    spec: {
      template: {
        metadata: { annotations: { 'run.googleapis.com/secrets': `${ref.alias}:${ref.secret}` } },
        spec: {
          template: {
            spec: {
              serviceAccountName: RUNNER,
              containers: [
                {
                  image: IMAGE,
                  env: [
                    { name: ref.env, valueFrom: { secretKeyRef: { name: ref.alias, key: ref.version } } },
                  ],
                },
              ],
            },
          },
        },
      },
    },
  };
  return fetch(`${emu().url}${V1}`, {
    method: 'POST',
    headers: { authorization: 'Bearer deployer-token', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function settled(job: string) {
  for (let i = 0; i < 100; i++) {
    const j = emu().world.jobs[`projects/${APP.id}/locations/${REGION}/jobs/${job}`];
    if (j && j.reconciling === false) return j;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${job} never settled`);
}

describe('v1 secret aliases', () => {
  it("a v1 create with an alias resolves to the other project's secret; v1 reads show an alias again", async () => {
    const res = await createWithAlias('aliased', {
      alias: 'cert',
      secret: `projects/${VAULT.number}/secrets/db-cert`,
      env: 'CERT',
      version: '2',
    });
    expect(res.status).toBe(200);
    const job = await settled('aliased');
    expect(job.terminalCondition).toMatchObject({ state: 'CONDITION_SUCCEEDED' });
    const v2 = await emulatorJson(
      emu(),
      'deployer-token',
      'GET',
      `/v2/projects/${APP.id}/locations/${REGION}/jobs/aliased`,
    );
    expect(v2.body.template.template.containers[0].env[0].valueSource.secretKeyRef).toEqual({
      secret: `projects/${VAULT.number}/secrets/db-cert`,
      version: '2',
    });
    const v1 = await fetch(`${emu().url}${V1}/aliased`, {
      headers: { authorization: 'Bearer deployer-token' },
    }).then((r) => r.json() as Promise<V1Job>);
    const annotation = v1.spec.template.metadata.annotations['run.googleapis.com/secrets'] ?? '';
    const [alias, path] = annotation.split(':');
    expect(path).toBe(`projects/${VAULT.number}/secrets/db-cert`);
    expect(v1.spec.template.spec.template.spec.containers[0]?.env[0]?.valueFrom.secretKeyRef.name).toBe(
      alias,
    );
  });

  it('an alias naming a secret the runtime account cannot read fails the deploy on that secret', async () => {
    const other = `projects/${VAULT.number}/secrets/missing`;
    const res = await createWithAlias('alias-missing', {
      alias: 'gone',
      secret: other,
      env: 'X',
      version: '1',
    });
    expect(res.status).toBe(200);
    const job = await settled('alias-missing');
    expect(String(asRecord(job.terminalCondition).message)).toContain(`${other}/versions/1`);
  });

  it.skipIf(!hasGcloud)(
    'gcloud --set-secrets with another project writes the alias the emulator resolves',
    async () => {
      const r = await gcloud(
        [
          'run',
          'jobs',
          'create',
          'from-gcloud',
          `--image=${IMAGE}`,
          `--service-account=${RUNNER}`,
          `--set-secrets=CERT=projects/${VAULT.number}/secrets/db-cert:1`,
          `--region=${REGION}`,
          `--project=${APP.id}`,
        ],
        'deployer-token',
      );
      expect(r.code, r.stderr).toBe(0);
      const job = await settled('from-gcloud');
      const env = (asRecord(asRecord(job.template).template) as { containers: Array<{ env: unknown[] }> })
        .containers[0]?.env;
      expect(JSON.stringify(env)).toContain(`projects/${VAULT.number}/secrets/db-cert`);
      expect(job.terminalCondition).toMatchObject({ state: 'CONDITION_SUCCEEDED' });
    },
  );
});

interface V1Job {
  spec: {
    template: {
      metadata: { annotations: Record<string, string> };
      spec: {
        template: {
          spec: { containers: Array<{ env: Array<{ valueFrom: { secretKeyRef: { name: string } } }> }> };
        };
      };
    };
  };
}

function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
}
