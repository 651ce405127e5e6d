// The emulator's organization policies: list and boolean constraints set on the organization,
// a folder and the project, merged into the effective policy served by Org Policy v2
// getEffectivePolicy, and enforced where Google enforces them (Cloud Run job writes; setIamPolicy
// for iam.allowedPolicyMemberDomains) with Google's PreconditionFailure answers.
import { describe, expect, it } from 'vitest';
import { emulatorJson, useEmulator } from './helpers/emulator.ts';

const ADMIN = 'user:admin@org-1000000001.example.com';
const ORG = '1000000001';
const CUSTOMER = `C0${ORG.slice(-7)}`;

const emu = useEmulator({
  scenario: {
    organizations: [
      {
        id: ORG,
        policy: { bindings: [{ role: 'roles/owner', members: [ADMIN] }] },
        orgPolicies: {
          'gcp.resourceLocations': { rules: [{ values: { allowedValues: ['in:us-locations'] } }] },
          'iam.allowedPolicyMemberDomains': { rules: [{ values: { allowedValues: [CUSTOMER] } }] },
        },
      },
    ],
    folders: [
      {
        id: '42',
        parent: `organizations/${ORG}`,
        policy: {},
        orgPolicies: {
          'gcp.resourceLocations': {
            inheritFromParent: true,
            rules: [{ values: { allowedValues: ['europe-west1'], deniedValues: ['us-east1'] } }],
          },
          'run.allowedVPCEgress': { rules: [{ values: { allowedValues: ['all-traffic'] } }] },
        },
      },
    ],
    projects: [
      { id: 'app-proj', number: '111111111111', parent: 'folders/42', policy: {} },
      {
        id: 'free-proj',
        number: '222222222222',
        parent: `organizations/${ORG}`,
        policy: {},
        orgPolicies: { 'gcp.resourceLocations': { reset: true } },
      },
    ],
    serviceAccounts: [{ email: 'runtime@app-proj.iam.gserviceaccount.com' }],
    repositories: [
      { name: 'projects/app-proj/locations/us-central1/repositories/containers', images: { worker: ['v1'] } },
    ],
  },
});

const call = (method: 'GET' | 'POST', path: string, body?: unknown) =>
  emulatorJson(emu(), emu().issueToken(ADMIN), method, path, body);
const effective = (node: string, c: string) => call('GET', `/v2/${node}/policies/${c}:getEffectivePolicy`);

describe('getEffectivePolicy', () => {
  it('merges a list constraint inherited from the organization through a folder', async () => {
    const got = await effective('projects/app-proj', 'gcp.resourceLocations');
    expect(got).toEqual({
      status: 200,
      body: {
        name: 'projects/111111111111/policies/gcp.resourceLocations',
        spec: {
          rules: [
            { values: { allowedValues: ['in:us-locations', 'europe-west1'], deniedValues: ['us-east1'] } },
          ],
        },
      },
    });
  });

  it('reset restores the default; a list constraint set nowhere allows all; booleans keep their default', async () => {
    expect((await effective('projects/free-proj', 'gcp.resourceLocations')).body.spec).toEqual({
      rules: [{ allowAll: true }],
    });
    expect((await effective('projects/free-proj', 'run.allowedVPCEgress')).body.spec).toEqual({
      rules: [{ allowAll: true }],
    });
    expect(
      (await effective('projects/app-proj', 'iam.disableCrossProjectServiceAccountUsage')).body.spec,
    ).toEqual({ rules: [{ enforce: true }] });
    expect((await effective('folders/42', 'run.allowedVPCEgress')).body.spec).toEqual({
      rules: [{ values: { allowedValues: ['all-traffic'] } }],
    });
  });
});

const JOB = {
  template: {
    template: {
      serviceAccount: 'runtime@app-proj.iam.gserviceaccount.com',
      containers: [{ image: 'us-central1-docker.pkg.dev/app-proj/containers/worker:v1' }],
    },
  },
};

describe('Cloud Run enforces the constraints on a job write', () => {
  it('refuses an egress the folder does not allow and a region it denies, naming each constraint', async () => {
    const res = await call('POST', '/v2/projects/app-proj/locations/us-east1/jobs?jobId=worker', JOB);
    expect(res.status).toBe(400);
    expect(res.body.error.status).toBe('FAILED_PRECONDITION');
    expect(res.body.error.message).toBe('Precondition check failed.');
    const [detail] = res.body.error.details;
    expect(detail['@type']).toBe('type.googleapis.com/google.rpc.PreconditionFailure');
    expect(detail.violations.map((v: { type: string; subject: string }) => [v.type, v.subject])).toEqual([
      ['constraints/gcp.resourceLocations', 'orgpolicy:projects/app-proj?configvalue=us-east1'],
      ['constraints/run.allowedVPCEgress', 'orgpolicy:projects/app-proj?configvalue='],
    ]);
    expect(emu().world.jobs['projects/app-proj/locations/us-east1/jobs/worker']).toBeUndefined();
  });

  it('accepts the job once its region and egress are allowed', async () => {
    const job = structuredClone(JOB) as typeof JOB & Record<string, unknown>;
    Object.assign(job.template.template, {
      vpcAccess: { egress: 'ALL_TRAFFIC', networkInterfaces: [{ network: 'default' }] },
    });
    const res = await call('POST', '/v2/projects/app-proj/locations/us-central1/jobs?jobId=worker', job);
    expect(res.status).toBe(200);
  });
});

describe('setIamPolicy enforces iam.allowedPolicyMemberDomains', () => {
  it("refuses the Cloud Run service agent (Google's, not the organization's customer) and keeps the policy", async () => {
    const path = '/v1/projects/app-proj/serviceAccounts/runtime@app-proj.iam.gserviceaccount.com';
    const read = await call('POST', `${path}:getIamPolicy`, {});
    const agent = 'service-111111111111@serverless-robot-prod.iam.gserviceaccount.com';
    const res = await call('POST', `${path}:setIamPolicy`, {
      policy: {
        etag: read.body.etag,
        bindings: [{ role: 'roles/iam.serviceAccountUser', members: [`serviceAccount:${agent}`] }],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'One or more users named in the policy do not belong to a permitted customer.',
    );
    expect(res.body.error.details[0].violations).toEqual([
      {
        type: 'constraints/iam.allowedPolicyMemberDomains',
        subject: `orgpolicy:projects/app-proj?configvalue=${encodeURIComponent(agent)}`,
        description: `User ${agent} is not in permitted organization.`,
      },
    ]);
  });

  it("accepts a member of the organization's own customer", async () => {
    const path = '/v1/projects/app-proj/serviceAccounts/runtime@app-proj.iam.gserviceaccount.com';
    const read = await call('POST', `${path}:getIamPolicy`, {});
    const res = await call('POST', `${path}:setIamPolicy`, {
      policy: {
        etag: read.body.etag,
        bindings: [
          { role: 'roles/iam.serviceAccountUser', members: ['user:dev@org-1000000001.example.com'] },
        ],
      },
    });
    expect(res.status).toBe(200);
  });
});
