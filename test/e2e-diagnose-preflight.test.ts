// First mistakes the preflight now names. The google-github-actions/auth habit: the deployer given as `service_account` and no
// impersonate_service_account. The workflow then calls Google as the repository's principal set,
// whose policy read of the account is refused; the mix-up is still found (the principal set may
// mint the account's tokens: testIamPermissions), in check and in fix, and fix grants nothing:
// no role for the principal set on the project or on the account. And a mistyped secret name:
// a 404 on the secret's policy read is a secret that does not exist, not an unverified check.
import { describe, expect, it } from 'vitest';
import { DEPLOYER, demo, stepInputs } from './helpers/diagnose-e2e.ts';

const SET =
  'principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/attribute.repository/acme/payments';

import { emulatorPerTest } from './helpers/e2e-emulator.ts';
import { runAction } from './helpers/run-action.ts';

const start = emulatorPerTest(demo);
type F = {
  check: string;
  status: string;
  title: string;
  remedy?: string;
  grant?: unknown;
  principal?: string;
  resource?: string;
  command?: string;
};
const findings = (o: Record<string, string>) => JSON.parse(o.findings ?? '[]') as F[];

describe('deployer passed as service_account without impersonation', () => {
  it.each(['check', 'fix'])('iam: %s names the mix-up and never widens the principal set', async (iam) => {
    const e = await start();
    const res = await runAction({
      emulator: e,
      inputs: stepInputs({ iam, impersonate_service_account: '', service_account: DEPLOYER }),
    });
    const all = findings(res.outputs);
    const mixup = all.find((f) => f.check === 'service-account-mixup');
    expect(mixup, JSON.stringify(all.map((f) => [f.check, f.status, f.title]))).toBeDefined();
    expect(mixup?.title).toMatch(
      new RegExp(
        `service_account ${DEPLOYER.replace(/\./g, '\\.')} (is an account this workflow may impersonate|looks like the deployer)`,
      ),
    );
    expect(mixup?.remedy).toContain('impersonate_service_account');
    // Nothing granted, and no finding offers the principal set a project-level role.
    expect(res.outputs.granted).toBe('[]');
    expect(e.requestLog.filter((r) => r.path.endsWith(':setIamPolicy'))).toEqual([]);
    for (const f of all) {
      if (f.principal?.startsWith('principalSet://'))
        expect(f.command ?? '', f.check).not.toMatch(
          /gcloud projects add-iam-policy-binding \S+ --member=principalSet/,
        );
    }
  });

  it.each(['check', 'fix'])(
    'iam: %s finds it by testIamPermissions when the preflight runs (policy unreadable) and fix grants nothing',
    async (iam) => {
      const world = demo();
      // The principal set may read the project and its jobs, so the plan resolves and the preflight runs.
      world.projects[0]?.policy?.bindings?.push({ role: 'roles/run.viewer', members: [SET] });
      const e = await start(world);
      const res = await runAction({
        emulator: e,
        inputs: stepInputs({ iam, impersonate_service_account: '', service_account: DEPLOYER }),
      });
      const mixup = findings(res.outputs).find((f) => f.check === 'service-account-mixup');
      expect(mixup?.title, res.outputs.findings).toContain(
        `service_account ${DEPLOYER} is an account this workflow may impersonate`,
      );
      expect(res.outputs.granted).toBe('[]');
      expect(e.requestLog.filter((r) => r.path.endsWith(':setIamPolicy'))).toEqual([]);
    },
  );
});

describe('a mistyped secret name', () => {
  it('is "does not exist" in the preflight (a 404 on its policy read), not "unverified", and nothing is deployed', async () => {
    const world = demo();
    // The deployer administers the project's secrets, so Secret Manager tells a missing secret (404) apart.
    world.projects[0]?.policy?.bindings?.push({
      role: 'roles/secretmanager.admin',
      members: [`serviceAccount:${DEPLOYER}`],
    });
    const e = await start(world);
    const res = await runAction({
      emulator: e,
      inputs: stepInputs({ iam: 'check', secrets: 'DB_PASSWORD=db-passwrd:1' }),
    });
    const f = findings(res.outputs).find((x) => x.resource === 'projects/demo-app/secrets/db-passwrd');
    expect(f, res.outputs.findings).toMatchObject({ check: 'secret-not-found', status: 'missing' });
    expect(f?.grant).toBeUndefined();
    expect(res.code).toBe(1);
    expect(e.requestLog.filter((r) => r.method === 'POST' && /\/jobs(\?|$)/.test(r.path))).toEqual([]);
  });
});
