// SERVICE_DISABLED from every API the emulator serves, in Google's shape, against the quota
// project: the caller's consumer project for client-based APIs (the pool's for a federated
// token, the service account's for its token), the resource's project for resource-based ones.
import { describe, expect, it } from 'vitest';
import { emulatorJson, useEmulator } from './helpers/emulator.ts';

const POOL =
  'principal://iam.googleapis.com/projects/333333333333/locations/global/workloadIdentityPools/github/subject/repo:acme/payments:ref:refs/heads/main';
const DEPLOYER = 'deployer@ci-proj.iam.gserviceaccount.com';

const emu = useEmulator({
  scenario: {
    projects: [
      {
        id: 'app-proj',
        number: '111111111111',
        policy: { bindings: [{ role: 'roles/owner', members: [POOL, `serviceAccount:${DEPLOYER}`] }] },
      },
      // The pool's project, without the IAM Credentials API; the deployer's project without IAM.
      { id: 'pool-proj', number: '333333333333', disabledServices: ['iamcredentials.googleapis.com'] },
      {
        id: 'ci-proj',
        number: '444444444444',
        disabledServices: ['iam.googleapis.com', 'secretmanager.googleapis.com'],
      },
      { id: 'vault-proj', number: '555555555555', disabledServices: ['secretmanager.googleapis.com'] },
    ],
    serviceAccounts: [
      {
        email: DEPLOYER,
        policy: { bindings: [{ role: 'roles/iam.serviceAccountTokenCreator', members: [POOL] }] },
      },
      { email: 'runtime@app-proj.iam.gserviceaccount.com' },
    ],
    secrets: [{ name: 'projects/app-proj/secrets/s' }, { name: 'projects/vault-proj/secrets/v' }],
  },
});

const call = (member: string, method: string, path: string, body?: unknown) =>
  emulatorJson(emu(), emu().issueToken(member), method, path, body);

describe('SERVICE_DISABLED', () => {
  it("a federated token's generateAccessToken: the pool's project, in Google's wording and shape", async () => {
    const r = await call(POOL, 'POST', `/v1/projects/-/serviceAccounts/${DEPLOYER}:generateAccessToken`, {
      scope: ['https://www.googleapis.com/auth/cloud-platform'],
    });
    const url =
      'https://console.developers.google.com/apis/api/iamcredentials.googleapis.com/overview?project=333333333333';
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({
      code: 403,
      status: 'PERMISSION_DENIED',
      message:
        `IAM Service Account Credentials API has not been used in project 333333333333 before or it is disabled. Enable it by visiting ${url} ` +
        'then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'SERVICE_DISABLED',
          domain: 'googleapis.com',
          metadata: {
            service: 'iamcredentials.googleapis.com',
            consumer: 'projects/333333333333',
            activationUrl: url,
          },
        },
        { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US' },
        { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ url }] },
      ],
    });
  });

  it("a service account's token: the account's project, for whichever API is off there", async () => {
    const sa = `serviceAccount:${DEPLOYER}`;
    const iam = await call(
      sa,
      'GET',
      '/v1/projects/app-proj/serviceAccounts/runtime@app-proj.iam.gserviceaccount.com',
    );
    expect(iam.status).toBe(403);
    expect(iam.body.error?.message).toMatch(
      /^Identity and Access Management \(IAM\) API has not been used in project 444444444444 /,
    );
    // Secret Manager is resource-based: the secret's project counts, not the caller's.
    const secret = await call(sa, 'GET', '/v1/projects/vault-proj/secrets/v');
    expect(secret.body.error?.message).toMatch(
      /^Secret Manager API has not been used in project 555555555555 /,
    );
    expect((await call(sa, 'GET', '/v1/projects/app-proj/secrets/s')).status).toBe(200);
    // APIs enabled on the consumer project answer as usual, whatever project the resource is in.
    expect((await call(sa, 'GET', '/v3/projects/app-proj')).status).toBe(200);
    expect((await call(sa, 'GET', '/v2/projects/app-proj/locations/us-central1/jobs')).status).toBe(200);
    // The same call by the federated principal (pool project has IAM on) succeeds.
    expect(
      (
        await call(
          POOL,
          'GET',
          '/v1/projects/app-proj/serviceAccounts/runtime@app-proj.iam.gserviceaccount.com',
        )
      ).status,
    ).toBe(200);
  });

  it('comes before the permission check: a caller without access still learns the API is off', async () => {
    const r = await call(
      'serviceAccount:nobody@ci-proj.iam.gserviceaccount.com',
      'GET',
      '/v1/projects/vault-proj/secrets/v',
    );
    expect(r.status).toBe(403);
    const details = (r.body.error?.details ?? []) as Array<{ reason?: string }>;
    expect(details[0]?.reason).toBe('SERVICE_DISABLED');
  });

  it("Cloud SQL Admin instances.get, off by default in a project, answers SERVICE_DISABLED for the caller's project (client-based)", async () => {
    const r = await call(`serviceAccount:${DEPLOYER}`, 'GET', '/v1/projects/app-proj/instances/main');
    expect(r.status).toBe(403);
    expect(r.body.error?.message).toMatch(/^Cloud SQL Admin API has not been used in project 444444444444 /);
    const details = (r.body.error?.details ?? []) as Array<{
      reason?: string;
      metadata?: Record<string, string>;
    }>;
    expect(details[0]).toMatchObject({
      reason: 'SERVICE_DISABLED',
      metadata: { service: 'sqladmin.googleapis.com', consumer: 'projects/444444444444' },
    });
  });
});
