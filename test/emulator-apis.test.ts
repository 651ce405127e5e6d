// The emulator's IAM-family APIs over real HTTP, driven by Google's own client libraries.
import { cloudresourcemanager } from '@googleapis/cloudresourcemanager';
import { iam } from '@googleapis/iam';
import { iamcredentials } from '@googleapis/iamcredentials';
import { secretmanager } from '@googleapis/secretmanager';
import { IdentityPoolClient, OAuth2Client } from 'google-auth-library';
import { describe, expect, it } from 'vitest';
import { signGithubToken } from './emulator/oidc.ts';
import { startEmulator } from './emulator/server.ts';
import { useEmulator } from './helpers/emulator.ts';

const DEMO = 'test/emulator/scenarios/demo.yaml';
const DEPLOYER = 'deployer@demo-app.iam.gserviceaccount.com';
const RUNTIME = 'runtime@demo-app.iam.gserviceaccount.com';
const REPO = 'projects/demo-images/locations/us-central1/repositories/containers';

const emu = useEmulator({ scenario: DEMO });

function authAs(token: string): OAuth2Client {
  const c = new OAuth2Client();
  c.setCredentials({ access_token: token, expiry_date: Date.now() + 3_600_000 });
  return c;
}
/** googleapis-common pins its own google-auth-library copy; any client works at run time. */
const apiAuth = (c: OAuth2Client | IdentityPoolClient) => c as never;
const root = () => `${emu().url}/`;

/** Status and google.rpc.Status body of a failed client call. */
async function failure(p: Promise<unknown>): Promise<{ status: number; error: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    const r = (e as { response?: { status: number; data: { error: Record<string, unknown> } } }).response;
    if (!r) throw e;
    return { status: r.status, error: r.data.error };
  }
  throw new Error('call unexpectedly succeeded');
}

describe('IAM v1 service accounts and roles', () => {
  it('gets a service account and its policy', async () => {
    const client = iam({ version: 'v1', auth: apiAuth(authAs('admin-token')), rootUrl: root() });
    const sa = await client.projects.serviceAccounts.get({ name: `projects/-/serviceAccounts/${RUNTIME}` });
    expect(sa.data).toMatchObject({
      email: RUNTIME,
      projectId: 'demo-app',
      name: `projects/demo-app/serviceAccounts/${RUNTIME}`,
    });
    const policy = await client.projects.serviceAccounts.getIamPolicy({
      resource: `projects/demo-app/serviceAccounts/${RUNTIME}`,
      'options.requestedPolicyVersion': 3,
    });
    expect(policy.data.bindings).toEqual([
      { role: 'roles/iam.serviceAccountUser', members: [`serviceAccount:${DEPLOYER}`] },
    ]);
    expect(policy.data.etag).toBeTruthy();
  });

  it('refuses a caller without permission with the real error shape', async () => {
    const client = iam({
      version: 'v1',
      auth: apiAuth(authAs(emu().issueToken('user:mallory@evil.example'))),
      rootUrl: root(),
    });
    const { status, error } = await failure(
      client.projects.serviceAccounts.getIamPolicy({ resource: `projects/-/serviceAccounts/${RUNTIME}` }),
    );
    expect(status).toBe(403);
    expect(error).toMatchObject({
      code: 403,
      status: 'PERMISSION_DENIED',
      message: "Permission 'iam.serviceAccounts.getIamPolicy' denied on resource (or it may not exist).",
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'IAM_PERMISSION_DENIED',
          domain: 'iam.googleapis.com',
          metadata: { permission: 'iam.serviceAccounts.getIamPolicy' },
        },
      ],
    });
    expect(error.errors).toEqual([expect.objectContaining({ reason: 'forbidden' })]);
  });

  it('answers 404 for a missing account only to callers allowed to look', async () => {
    const admin = iam({ version: 'v1', auth: apiAuth(authAs('admin-token')), rootUrl: root() });
    const missing = { name: 'projects/-/serviceAccounts/ghost@demo-app.iam.gserviceaccount.com' };
    expect((await failure(admin.projects.serviceAccounts.get(missing))).status).toBe(404);
    const stranger = iam({
      version: 'v1',
      auth: apiAuth(authAs(emu().issueToken('user:x@evil.example'))),
      rootUrl: root(),
    });
    expect((await failure(stranger.projects.serviceAccounts.get(missing))).status).toBe(403);
  });

  it('answers 401 without a token', async () => {
    const res = await fetch(`${emu().url}/v1/projects/-/serviceAccounts/${RUNTIME}`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { status: string } }).error.status).toBe('UNAUTHENTICATED');
  });

  it('setIamPolicy: stale etag -> 409 ABORTED, fresh etag writes and keeps the rest', async () => {
    const client = iam({ version: 'v1', auth: apiAuth(authAs('admin-token')), rootUrl: root() });
    const resource = `projects/demo-app/serviceAccounts/${RUNTIME}`;
    const before = (await client.projects.serviceAccounts.getIamPolicy({ resource })).data;
    const added = {
      ...before,
      bindings: [
        ...(before.bindings ?? []),
        { role: 'roles/iam.serviceAccountTokenCreator', members: ['user:ops@acme.example'] },
      ],
    };
    const stale = await failure(
      client.projects.serviceAccounts.setIamPolicy({
        resource,
        requestBody: { policy: { ...added, etag: 'BwYAAAAAAAA=' } },
      }),
    );
    expect(stale.status).toBe(409);
    expect(stale.error.status).toBe('ABORTED');
    const written = (
      await client.projects.serviceAccounts.setIamPolicy({ resource, requestBody: { policy: added } })
    ).data;
    expect(written.etag).not.toBe(before.etag);
    const after = (await client.projects.serviceAccounts.getIamPolicy({ resource })).data;
    expect(after.bindings).toEqual(added.bindings);
    // the old etag is now stale
    expect(
      (
        await failure(
          client.projects.serviceAccounts.setIamPolicy({ resource, requestBody: { policy: added } }),
        )
      ).status,
    ).toBe(409);
  });

  it('testIamPermissions returns only the held subset', async () => {
    const client = iam({
      version: 'v1',
      auth: apiAuth(authAs(emu().issueToken(`serviceAccount:${DEPLOYER}`))),
      rootUrl: root(),
    });
    const res = await client.projects.serviceAccounts.testIamPermissions({
      resource: `projects/-/serviceAccounts/${RUNTIME}`,
      requestBody: { permissions: ['iam.serviceAccounts.actAs', 'iam.serviceAccounts.getAccessToken'] },
    });
    expect(res.data.permissions).toEqual(['iam.serviceAccounts.actAs']);
  });

  it('roles.get serves real predefined permission lists and custom roles', async () => {
    const client = iam({ version: 'v1', auth: apiAuth(authAs('alice-token')), rootUrl: root() });
    const role = (await client.roles.get({ name: 'roles/artifactregistry.reader' })).data;
    expect(role.includedPermissions).toContain('artifactregistry.repositories.downloadArtifacts');
    expect((await failure(client.roles.get({ name: 'roles/does.notExist' }))).status).toBe(404);
  });
});

describe('Resource Manager and Org Policy', () => {
  it('gets a project by id or number and inherits viewer from the folder through a group', async () => {
    const crm = cloudresourcemanager({
      version: 'v3',
      auth: apiAuth(authAs('alice-token')),
      rootUrl: root(),
    });
    const byId = (await crm.projects.get({ name: 'projects/demo-app' })).data;
    expect(byId).toMatchObject({
      name: 'projects/123456789012',
      projectId: 'demo-app',
      parent: 'folders/880011223344',
      state: 'ACTIVE',
    });
    expect((await crm.projects.get({ name: 'projects/123456789012' })).data.projectId).toBe('demo-app');
    // demo-images sits directly under the organization, outside the folder alice's group can view
    const denied = await failure(crm.projects.get({ name: 'projects/demo-images' }));
    expect(denied.status).toBe(403);
    expect(denied.error.message).toContain('resourcemanager.projects.get');
  });

  it('returns the project policy including the default service agent binding', async () => {
    const crm = cloudresourcemanager({
      version: 'v3',
      auth: apiAuth(authAs('admin-token')),
      rootUrl: root(),
    });
    const policy = (
      await crm.projects.getIamPolicy({
        resource: 'projects/demo-app',
        requestBody: { options: { requestedPolicyVersion: 3 } },
      })
    ).data;
    const roles = (policy.bindings ?? []).map((b) => b.role);
    expect(roles).toEqual(
      expect.arrayContaining(['roles/run.developer', 'roles/editor', 'roles/run.serviceAgent']),
    );
  });

  it('getEffectivePolicy reports the cross-project constraint enforced by default', async () => {
    const res = await authAs('admin-token').request<{
      name: string;
      spec: { rules: Array<{ enforce: boolean }> };
    }>({
      url: `${emu().url}/v2/projects/demo-app/policies/iam.disableCrossProjectServiceAccountUsage:getEffectivePolicy`,
    });
    expect(res.data).toEqual({
      name: 'projects/123456789012/policies/iam.disableCrossProjectServiceAccountUsage',
      spec: { rules: [{ enforce: true }] },
    });
  });
});

describe('Artifact Registry and Secret Manager', () => {
  it('serves the repository, its images and its policy (GET getIamPolicy)', async () => {
    const admin = authAs('admin-token');
    const repo = await admin.request<{ name: string; format: string }>({ url: `${emu().url}/v1/${REPO}` });
    expect(repo.data).toMatchObject({ name: REPO, format: 'DOCKER' });
    const images = await admin.request<{ dockerImages: Array<{ uri: string; tags: string[] }> }>({
      url: `${emu().url}/v1/${REPO}/dockerImages`,
    });
    expect(images.data.dockerImages[0]?.tags).toEqual(['latest', 'v1.4.2']);
    expect(images.data.dockerImages[0]?.uri).toMatch(
      /^us-central1-docker\.pkg\.dev\/demo-images\/containers\/payments\/nightly-report@sha256:/,
    );
    const policy = await admin.request<{ bindings: Array<{ members: string[] }> }>({
      url: `${emu().url}/v1/${REPO}:getIamPolicy?options.requestedPolicyVersion=3`,
    });
    expect(policy.data.bindings[0]?.members).toContain(
      'serviceAccount:service-123456789012@serverless-robot-prod.iam.gserviceaccount.com',
    );
  });

  it('secret policy via the Secret Manager client, by project number', async () => {
    const sm = secretmanager({ version: 'v1', auth: apiAuth(authAs('admin-token')), rootUrl: root() });
    const policy = (
      await sm.projects.secrets.getIamPolicy({
        resource: 'projects/123456789012/secrets/db-password',
        'options.requestedPolicyVersion': 3,
      })
    ).data;
    expect(policy.bindings).toEqual([
      { role: 'roles/secretmanager.secretAccessor', members: [`serviceAccount:${RUNTIME}`] },
    ]);
    const runtime = secretmanager({
      version: 'v1',
      auth: apiAuth(authAs(emu().issueToken(`serviceAccount:${RUNTIME}`))),
      rootUrl: root(),
    });
    const held = await runtime.projects.secrets.testIamPermissions({
      resource: 'projects/demo-app/secrets/db-password',
      requestBody: { permissions: ['secretmanager.versions.access', 'secretmanager.secrets.setIamPolicy'] },
    });
    expect(held.data.permissions).toEqual(['secretmanager.versions.access']);
  });
});

describe('Workload identity federation and impersonation', () => {
  const provider =
    'projects/123456789012/locations/global/workloadIdentityPools/github/providers/github-actions';
  function wifClient(claims: Record<string, string>, impersonate: boolean): IdentityPoolClient {
    const jwt = signGithubToken(claims, `https://iam.googleapis.com/${provider}`, emu().url);
    return new IdentityPoolClient({
      type: 'external_account',
      audience: `//iam.googleapis.com/${provider}`,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: `${emu().url}/v1/token`,
      subject_token_supplier: { getSubjectToken: async () => jwt },
      ...(impersonate
        ? {
            service_account_impersonation_url: `${emu().url}/v1/projects/-/serviceAccounts/${DEPLOYER}:generateAccessToken`,
          }
        : {}),
    });
  }

  it('exchanges the GitHub token and impersonates the deployer', async () => {
    const auth = wifClient(emu().world.github.claims, true);
    const creds = iamcredentials({ version: 'v1', auth: apiAuth(auth), rootUrl: root() });
    // the deployer may not mint tokens for the runtime account: proves the token acts as the deployer
    const denied = await failure(
      creds.projects.serviceAccounts.generateAccessToken({
        name: `projects/-/serviceAccounts/${RUNTIME}`,
        requestBody: { scope: ['https://www.googleapis.com/auth/cloud-platform'] },
      }),
    );
    expect(denied.status).toBe(403);
    expect(denied.error.details).toEqual([
      expect.objectContaining({
        metadata: { permission: 'iam.serviceAccounts.getAccessToken', resource: expect.any(String) },
      }),
    ]);
    const caller = emu().requestLog.at(-1)?.caller;
    expect(caller).toBe(`serviceAccount:${DEPLOYER}`);
  });

  it('rejects another repository by the attribute condition with the OAuth error', async () => {
    const auth = wifClient({ ...emu().world.github.claims, repository: 'acme/other' }, false);
    const err = await auth.getAccessToken().then(
      () => undefined,
      (e: { response?: { status: number; data: unknown } }) => e.response,
    );
    expect(err?.status).toBe(400);
    expect(err?.data).toEqual({
      error: 'unauthorized_client',
      error_description: 'The given credential is rejected by the attribute condition.',
    });
  });

  it('rejects a forged token as invalid_grant', async () => {
    const good = signGithubToken(
      emu().world.github.claims,
      `https://iam.googleapis.com/${provider}`,
      emu().url,
    );
    const [h, p] = good.split('.');
    const res = await fetch(`${emu().url}/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        audience: `//iam.googleapis.com/${provider}`,
        subject_token: `${h}.${p}.${Buffer.from('forged').toString('base64url')}`,
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_grant');
  });
});

describe('server plumbing', () => {
  it('logs every request with timing and caller, and injects latency', async () => {
    const slow = await startEmulator({ scenario: DEMO, latencyMs: 120 });
    try {
      const t0 = Date.now();
      const res = await fetch(`${slow.url}/v3/projects/demo-app`, {
        headers: { authorization: 'Bearer admin-token' },
      });
      expect(res.status).toBe(200);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(115);
      expect(slow.requestLog).toEqual([
        expect.objectContaining({
          method: 'GET',
          path: '/v3/projects/demo-app',
          status: 200,
          caller: 'user:admin@acme.example',
        }),
      ]);
      const e = slow.requestLog[0];
      expect((e?.end ?? 0) - (e?.start ?? 0)).toBeGreaterThanOrEqual(115);
    } finally {
      await slow.stop();
    }
  });

  it('makes a grant effective only after the propagation delay', async () => {
    const lag = await startEmulator({ scenario: DEMO, propagationDelayMs: 400 });
    try {
      const admin = iam({ version: 'v1', auth: apiAuth(authAs('admin-token')), rootUrl: `${lag.url}/` });
      const resource = `projects/-/serviceAccounts/${RUNTIME}`;
      const policy = (await admin.projects.serviceAccounts.getIamPolicy({ resource })).data;
      policy.bindings = [
        ...(policy.bindings ?? []),
        { role: 'roles/iam.serviceAccountTokenCreator', members: ['user:ops@acme.example'] },
      ];
      await admin.projects.serviceAccounts.setIamPolicy({ resource, requestBody: { policy } });
      const ops = iam({
        version: 'v1',
        auth: apiAuth(authAs(lag.issueToken('user:ops@acme.example'))),
        rootUrl: `${lag.url}/`,
      });
      const test = () =>
        ops.projects.serviceAccounts
          .testIamPermissions({
            resource,
            requestBody: { permissions: ['iam.serviceAccounts.getAccessToken'] },
          })
          .then((r) => r.data.permissions ?? []);
      expect(await test()).toEqual([]);
      await new Promise((r) => setTimeout(r, 450));
      expect(await test()).toEqual(['iam.serviceAccounts.getAccessToken']);
    } finally {
      await lag.stop();
    }
  });
});
