// The emulator's IAM truth over real HTTP, driven by Google's client libraries: a job's own
// IAM policy (v2 and v1) honoured by Cloud Run calls, conditions evaluated at request time,
// deny policies (IAM v2) enforced and served, and the Policy Troubleshooter v3.
import { iam } from '@googleapis/iam';
import { run_v1 } from '@googleapis/run/build/v1';
import { run_v2 } from '@googleapis/run/build/v2';
import { OAuth2Client } from 'google-auth-library';
import { describe, expect, it } from 'vitest';
import { callerFor, can } from './emulator/iam-engine.ts';
import { useEmulator } from './helpers/emulator.ts';

const P = 'app-proj';
const JOB = `projects/${P}/locations/us-central1/jobs/worker`;
const OTHER = `projects/${P}/locations/us-central1/jobs/other`;
const RUNTIME = `runtime@${P}.iam.gserviceaccount.com`;
const AGENT = 'service-111111111111@serverless-robot-prod.iam.gserviceaccount.com';
const REPO = `projects/${P}/locations/us-central1/repositories/containers`;
const job = (name: string) => ({
  name,
  template: {
    taskCount: 1,
    template: {
      serviceAccount: RUNTIME,
      containers: [{ image: `us-central1-docker.pkg.dev/${P}/containers/worker:v1` }],
    },
  },
  terminalCondition: { type: 'Ready', state: 'CONDITION_SUCCEEDED' },
  etag: '"e1"',
});

const world = {
  projects: [
    {
      id: P,
      number: '111111111111',
      policy: {
        bindings: [
          { role: 'roles/owner', members: ['user:admin@example.com'] },
          { role: 'roles/viewer', members: ['user:auditor@example.com'] },
        ],
      },
    },
  ],
  serviceAccounts: [
    {
      email: RUNTIME,
      policy: {
        bindings: [
          {
            role: 'roles/iam.serviceAccountUser',
            members: ['user:valid@example.com'],
            condition: {
              title: 'until 2999',
              expression: "request.time < timestamp('2999-01-01T00:00:00Z')",
            },
          },
          {
            role: 'roles/iam.serviceAccountUser',
            members: ['user:lapsed@example.com'],
            condition: {
              title: 'until 2020',
              expression: "request.time < timestamp('2020-01-01T00:00:00Z')",
            },
          },
        ],
      },
    },
  ],
  repositories: [{ name: REPO, images: { worker: ['v1'] } }],
  jobs: { [JOB]: job(JOB), [OTHER]: job(OTHER) },
  jobPolicies: {
    [JOB]: { bindings: [{ role: 'roles/run.jobsExecutor', members: ['user:oncall@example.com'] }] },
  },
  denyPolicies: [
    {
      attachmentPoint: `projects/${P}`,
      id: 'no-agent-pulls',
      displayName: 'No pulls by the agent',
      rules: [
        {
          denyRule: {
            deniedPrincipals: [
              `principal://iam.googleapis.com/projects/-/serviceAccounts/${AGENT.toUpperCase()}`,
            ],
            deniedPermissions: ['artifactregistry.googleapis.com/repositories.downloadArtifacts'],
          },
        },
      ],
    },
  ],
};

const emu = useEmulator({ scenario: world });

function authAs(member: string): OAuth2Client {
  const c = new OAuth2Client();
  c.setCredentials({ access_token: emu().issueToken(member), expiry_date: Date.now() + 3_600_000 });
  return c;
}
const opts = (member: string) => ({ auth: authAs(member) as never, rootUrl: `${emu().url}/` });
const v2 = (member: string) => new run_v2.Run(opts(member)).projects.locations.jobs;

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (e) {
    const r = (e as { response?: { status: number } }).response;
    if (!r) throw e;
    return r.status;
  }
}

describe("a Cloud Run job's own IAM policy", () => {
  it('is served by getIamPolicy on v2 and v1, and 404 for a job that does not exist', async () => {
    const got = await v2('user:admin@example.com').getIamPolicy({ resource: JOB });
    expect(got.data.bindings).toEqual([
      { role: 'roles/run.jobsExecutor', members: ['user:oncall@example.com'] },
    ]);
    const v1 = new run_v1.Run(opts('user:admin@example.com')).projects.locations.jobs;
    expect((await v1.getIamPolicy({ resource: JOB })).data.bindings).toHaveLength(1);
    expect(await status(v2('user:admin@example.com').getIamPolicy({ resource: `${JOB}-gone` }))).toBe(404);
  });

  it('grants on that job only: run there, not on another job, nor update', async () => {
    const oncall = v2('user:oncall@example.com');
    expect(await status(oncall.run({ name: JOB, requestBody: {} }))).toBe(200);
    expect(await status(oncall.run({ name: OTHER, requestBody: {} }))).toBe(403);
    const held = await oncall.testIamPermissions({
      resource: JOB,
      requestBody: { permissions: ['run.jobs.run', 'run.jobs.update'] },
    });
    expect(held.data.permissions).toEqual(['run.jobs.run']);
    const elsewhere = await oncall.testIamPermissions({
      resource: OTHER,
      requestBody: { permissions: ['run.jobs.run'] },
    });
    expect(elsewhere.data.permissions ?? []).toEqual([]);
  });

  it('setIamPolicy changes what the job grants, and the project still grants on every job', async () => {
    const admin = v2('user:admin@example.com');
    const current = (await admin.getIamPolicy({ resource: OTHER })).data;
    await admin.setIamPolicy({
      resource: OTHER,
      requestBody: {
        policy: {
          ...current,
          bindings: [{ role: 'roles/run.developer', members: ['user:dev@example.com'] }],
        },
      },
    });
    const dev = await v2('user:dev@example.com').testIamPermissions({
      resource: OTHER,
      requestBody: { permissions: ['run.jobs.update', 'run.jobs.get'] },
    });
    expect(dev.data.permissions).toEqual(['run.jobs.update', 'run.jobs.get']);
    const owner = await admin.testIamPermissions({
      resource: OTHER,
      requestBody: { permissions: ['run.jobs.delete'] },
    });
    expect(owner.data.permissions).toEqual(['run.jobs.delete']);
  });
});

describe('conditions are evaluated at request time', () => {
  it('a still-valid time-bound grant holds, an expired one does not', async () => {
    const test = (member: string) =>
      iam({ version: 'v1', ...opts(member) }).projects.serviceAccounts.testIamPermissions({
        resource: `projects/-/serviceAccounts/${RUNTIME}`,
        requestBody: { permissions: ['iam.serviceAccounts.actAs'] },
      });
    expect((await test('user:valid@example.com')).data.permissions).toEqual(['iam.serviceAccounts.actAs']);
    expect((await test('user:lapsed@example.com')).data.permissions ?? []).toEqual([]);
  });
});

describe('deny policies (IAM v2)', () => {
  const parent = `policies/${encodeURIComponent(`cloudresourcemanager.googleapis.com/projects/${P}`)}/denypolicies`;

  it('lists metadata without rules, gets the rules, and refuses a caller without iam.denypolicies.list', async () => {
    const policies = iam({ version: 'v2', ...opts('user:auditor@example.com') }).policies;
    const list = await policies.listPolicies({ parent });
    expect(list.data.policies).toHaveLength(1);
    const [meta] = list.data.policies ?? [];
    expect(meta).toMatchObject({
      kind: 'DenyPolicy',
      // Responses name the project by number (GoogleIamV2Policy.name).
      name: `policies/${encodeURIComponent('cloudresourcemanager.googleapis.com/projects/111111111111')}/denypolicies/no-agent-pulls`,
      displayName: 'No pulls by the agent',
    });
    expect(meta?.rules).toBeUndefined();
    const full = await policies.get({ name: meta?.name ?? '' });
    expect(full.data.rules?.[0]?.denyRule?.deniedPermissions).toEqual([
      'artifactregistry.googleapis.com/repositories.downloadArtifacts',
    ]);
    const stranger = iam({ version: 'v2', ...opts('user:oncall@example.com') }).policies;
    expect(await status(stranger.listPolicies({ parent }))).toBe(403);
  });

  it('takes away what an allow policy grants (emails compared case-insensitively)', async () => {
    const agent = emu().world.projects[0]?.policy.bindings?.find((b) => b.role === 'roles/run.serviceAgent');
    expect(agent?.members).toContain(`serviceAccount:${AGENT}`);
    expect(
      can(
        emu().world,
        callerFor(emu().world, `serviceAccount:${AGENT}`),
        'artifactregistry.repositories.downloadArtifacts',
        REPO,
      ),
    ).toBe(false);
    expect(
      can(
        emu().world,
        callerFor(emu().world, `serviceAccount:${AGENT}`),
        'iam.serviceAccounts.getAccessToken',
        `projects/${P}/serviceAccounts/${RUNTIME}`,
      ),
    ).toBe(true);
  });
});

describe('Policy Troubleshooter v3', () => {
  const troubleshoot = (member: string, permission: string, fullResourceName: string) =>
    authAs(member).request<Record<string, unknown>>({
      url: `${emu().url}/v3/iam:troubleshoot`,
      method: 'POST',
      data: { accessTuple: { principal: AGENT, fullResourceName, permission } },
    });

  it('explains allow and deny for a sender who may read both', async () => {
    const res = await troubleshoot(
      'user:auditor@example.com',
      'artifactregistry.repositories.downloadArtifacts',
      `//artifactregistry.googleapis.com/${REPO}`,
    );
    expect(res.data).toMatchObject({
      overallAccessState: 'CANNOT_ACCESS',
      allowPolicyExplanation: { allowAccessState: 'ALLOW_ACCESS_STATE_GRANTED' },
      denyPolicyExplanation: { denyAccessState: 'DENY_ACCESS_STATE_DENIED' },
      accessTuple: { permissionFqdn: 'artifactregistry.googleapis.com/repositories.downloadArtifacts' },
    });
    const token = await troubleshoot(
      'user:auditor@example.com',
      'iam.serviceAccounts.getAccessToken',
      `//iam.googleapis.com/projects/${P}/serviceAccounts/${RUNTIME}`,
    );
    expect(token.data.overallAccessState).toBe('CAN_ACCESS');
  });

  it('says UNKNOWN_INFO to a sender who may not read the deny policies', async () => {
    const res = await troubleshoot(
      'user:oncall@example.com',
      'iam.serviceAccounts.getAccessToken',
      `//iam.googleapis.com/projects/${P}/serviceAccounts/${RUNTIME}`,
    );
    expect(res.data).toMatchObject({
      overallAccessState: 'UNKNOWN_INFO',
      denyPolicyExplanation: { denyAccessState: 'DENY_ACCESS_STATE_UNKNOWN_INFO' },
    });
  });
});
