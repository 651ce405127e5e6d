// setIamPolicy and testIamPermissions refuse what Google refuses, with 400 INVALID_ARGUMENT in
// Google's wording: an etag-guarded write below version 3 over a policy with conditions, a
// `_withcond_` or unknown role, and permissions that do not apply to the resource's type.
import { describe, expect, it } from 'vitest';
import { emulatorJson, useEmulator } from './helpers/emulator.ts';

const ADMIN = 'user:admin@acme.example';
const SA = 'runtime@app-proj.iam.gserviceaccount.com';
const CONDITION = { expression: "request.time < timestamp('2030-01-01T00:00:00Z')", title: 'expiry' };

const emu = useEmulator({
  scenario: {
    projects: [
      {
        id: 'app-proj',
        number: '111111111111',
        policy: {
          bindings: [
            { role: 'roles/owner', members: [ADMIN] },
            { role: 'roles/run.developer', members: ['user:bob@acme.example'], condition: CONDITION },
          ],
        },
      },
    ],
    serviceAccounts: [{ email: SA }],
    customRoles: [{ name: 'projects/app-proj/roles/jobDeployer', includedPermissions: ['run.jobs.get'] }],
  },
});

const post = (path: string, body: unknown) =>
  emulatorJson(emu(), emu().issueToken(ADMIN), 'POST', path, body);

const PROJECT = '/v1/projects/app-proj';

describe('setIamPolicy refusals', () => {
  it('a version-1 read-modify-write over a conditional policy is refused, nothing changes', async () => {
    const read = await post(`${PROJECT}:getIamPolicy`, {});
    // The version-1 reader sees the conditional binding as ROLE_withcond_HASH.
    const hidden = read.body.bindings.find((b: { role: string }) => b.role.includes('_withcond_'));
    expect(hidden).toBeDefined();
    const before = structuredClone(emu().world.projects[0]?.policy);
    const plain = read.body.bindings.filter((b: { role: string }) => !b.role.includes('_withcond_'));
    const write = await post(`${PROJECT}:setIamPolicy`, {
      policy: { etag: read.body.etag, bindings: [...plain, { role: 'roles/viewer', members: [ADMIN] }] },
    });
    expect(write).toEqual({
      status: 400,
      body: {
        error: expect.objectContaining({
          code: 400,
          status: 'INVALID_ARGUMENT',
          message:
            'Specified policy version (1) cannot be less than the existing policy version (3). ' +
            'For more information, please refer to https://cloud.google.com/iam/docs/policies#versions.',
        }),
      },
    });
    expect(emu().world.projects[0]?.policy).toEqual(before);
  });

  it('sending back the _withcond_ role is refused as an unknown role', async () => {
    const read = await post(`${PROJECT}:getIamPolicy`, {});
    const write = await post(`${PROJECT}:setIamPolicy`, {
      policy: { etag: read.body.etag, version: 3, bindings: read.body.bindings },
    });
    expect(write.status).toBe(400);
    expect(write.body.error.message).toMatch(
      /^Role \(roles\/run\.developer_withcond_[0-9a-f]+\) does not exist in the resource's hierarchy\.$/,
    );
  });

  it('unknown predefined and custom roles are refused; real and defined ones accepted', async () => {
    for (const role of ['roles/run.develper', 'projects/app-proj/roles/nope']) {
      const r = await post(`/v1/projects/app-proj/serviceAccounts/${SA}:setIamPolicy`, {
        policy: { bindings: [{ role, members: [ADMIN] }] },
      });
      expect(r.status, role).toBe(400);
      expect(r.body.error.message).toBe(`Role (${role}) does not exist in the resource's hierarchy.`);
    }
    const ok = await post(`/v1/projects/app-proj/serviceAccounts/${SA}:setIamPolicy`, {
      policy: {
        bindings: [
          { role: 'roles/iam.serviceAccountUser', members: [ADMIN] },
          { role: 'projects/app-proj/roles/jobDeployer', members: [ADMIN] },
        ],
      },
    });
    expect(ok.status).toBe(200);
  });

  it('a version-3 write keeps the condition', async () => {
    const read = await post(`${PROJECT}:getIamPolicy`, { options: { requestedPolicyVersion: 3 } });
    const r = await post(`${PROJECT}:setIamPolicy`, {
      policy: { ...read.body, bindings: [...read.body.bindings, { role: 'roles/viewer', members: [ADMIN] }] },
    });
    expect(r.status).toBe(200);
    expect(r.body.bindings).toContainEqual(expect.objectContaining({ condition: CONDITION }));
  });
});

describe('testIamPermissions refusals', () => {
  it('refuses a permission that does not apply to the resource type', async () => {
    const onSa = await post(`/v1/projects/app-proj/serviceAccounts/${SA}:testIamPermissions`, {
      permissions: ['iam.serviceAccounts.actAs', 'run.jobs.create'],
    });
    expect(onSa.status).toBe(400);
    expect(onSa.body.error).toMatchObject({
      status: 'INVALID_ARGUMENT',
      message: 'Permission run.jobs.create is not valid for this resource.',
    });
    const onProject = await post(`${PROJECT}:testIamPermissions`, {
      permissions: ['resourcemanager.organizations.get'],
    });
    expect(onProject.status).toBe(400);
  });

  it('accepts what a project contains (the job, the account) and answers the held subset', async () => {
    const r = await post(`${PROJECT}:testIamPermissions`, {
      permissions: ['run.jobs.create', 'iam.serviceAccounts.actAs', 'resourcemanager.projects.get'],
    });
    expect(r.status).toBe(200);
    expect(r.body.permissions).toContain('resourcemanager.projects.get');
  });
});
