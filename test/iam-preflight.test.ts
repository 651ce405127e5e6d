import { OAuth2Client } from 'google-auth-library';
import { describe, expect, it } from 'vitest';
import { BUILTIN_ROLES } from '../src/iam/builtin-roles.ts';
import { addedMembers } from '../src/iam/diff.ts';
import { iamStatus, preflight } from '../src/iam/index.ts';
import type { Config, DeployPlan, Finding } from '../src/model.ts';
import { config, plan } from './fixtures/config.ts';
import { FakeBackend, type FakeWorld } from './iam-fake.ts';

const DEPLOYER = 'serviceAccount:deployer@app.iam.gserviceaccount.com';
const AGENT = 'serviceAccount:service-111@serverless-robot-prod.iam.gserviceaccount.com';
const RUNNER = 'runner@ids.iam.gserviceaccount.com';
const SA = `projects/ids/serviceAccounts/${RUNNER}`;
const REPO = 'projects/shared/locations/us/repositories/images';
const SECRET = 'projects/app/secrets/db';

/** Runtime account in project ids, image in project shared, one secret in app. */
const crossPlan: DeployPlan = plan({
  serviceAccount: RUNNER,
  serviceAccountProject: 'ids',
  image: {
    url: 'us-docker.pkg.dev/shared/images/worker:1',
    registry: 'artifact-registry',
    project: 'shared',
    location: 'us',
    repository: 'images',
    repositoryName: REPO,
  },
  secrets: [{ name: 'DB_PASSWORD', project: 'app', secret: 'db', version: 'latest' }],
});

function world(over: Partial<FakeWorld> = {}): Partial<FakeWorld> {
  return {
    caller: DEPLOYER,
    roles: {
      ...structuredClone(BUILTIN_ROLES as Record<string, string[]>),
      'roles/editor': ['run.jobs.create'],
    },
    parents: {
      'projects/app': 'organizations/1',
      'projects/ids': 'folders/9',
      'folders/9': 'organizations/1',
      'projects/shared': 'organizations/1',
    },
    serviceAccounts: { [RUNNER]: {} },
    policies: {
      'projects/app': {
        bindings: [
          { role: 'roles/run.developer', members: [DEPLOYER] },
          { role: 'roles/run.serviceAgent', members: [AGENT] },
        ],
      },
      [SA]: { bindings: [{ role: 'roles/iam.serviceAccountUser', members: [DEPLOYER] }] },
      [REPO]: {
        version: 1,
        bindings: [{ role: 'roles/artifactregistry.reader', members: [DEPLOYER, 'user:reader@example.com'] }],
        auditConfigs: [
          { service: 'artifactregistry.googleapis.com', auditLogConfigs: [{ logType: 'DATA_READ' }] },
        ],
      },
      [SECRET]: {
        bindings: [
          {
            role: 'roles/secretmanager.admin',
            members: ['user:ops@example.com'],
            condition: { title: 'office hours', expression: 'request.time.getHours("Europe/Berlin") < 18' },
          },
        ],
      },
    },
    ...over,
  };
}

const logs: string[] = [];
const log = { info: (m: string) => logs.push(m), warning: (m: string) => logs.push(m), debug: () => {} };
const auth = new OAuth2Client();
const noSleep = async () => {};

async function run(backend: FakeBackend, p: DeployPlan, c: Partial<Config> = {}) {
  return preflight({ plan: p, config: config(c), auth, env: {}, log, sleep: noSleep, backend });
}

const byCheck = (findings: Finding[], check: string) => findings.filter((f) => f.check === check);
const one = (findings: Finding[], check: string) => {
  const found = byCheck(findings, check);
  expect(found).toHaveLength(1);
  return found[0] as Finding;
};

describe('preflight check', () => {
  it('reports each proven gap with principal, role, resource, grant and gcloud command', async () => {
    const backend = new FakeBackend(world());
    const result = await run(backend, crossPlan);
    expect(result.status).toBe('missing');
    const statuses = Object.fromEntries(result.findings.map((f) => [f.check, f.status]));
    expect(statuses).toEqual({
      'runtime-sa': 'satisfied',
      'deployer-actas': 'satisfied',
      'deployer-run': 'satisfied',
      'deployer-image': 'satisfied',
      'agent-image': 'missing',
      'agent-token': 'missing',
      'orgpolicy-xproject': 'satisfied',
      'runtime-secret': 'missing',
    });
    const token = one(result.findings, 'agent-token');
    expect(token).toMatchObject({
      principal: AGENT,
      permission: 'iam.serviceAccounts.getAccessToken',
      role: 'roles/iam.serviceAccountTokenCreator',
      resource: SA,
      subject: 'service_account',
      grant: { kind: 'serviceAccount', resource: SA, member: AGENT },
      command: `gcloud iam service-accounts add-iam-policy-binding ${RUNNER} --project=ids --member=${AGENT} --role=roles/iam.serviceAccountTokenCreator --condition=None`,
    });
    expect(token.evidence).toContain('folders/9');
    expect(token.evidence).toContain('organizations/1');
    expect(one(result.findings, 'runtime-secret').subject).toBe('secret:DB_PASSWORD');
    expect(one(result.findings, 'agent-image').command).toBe(
      `gcloud artifacts repositories add-iam-policy-binding images --location=us --project=shared --member=${AGENT} --role=roles/artifactregistry.reader --condition=None`,
    );
    expect(result.granted).toEqual([]);
    expect(backend.calls.filter((c) => c.startsWith('set '))).toEqual([]);
  });

  it('reads each policy, parent and role once however many checks need it', async () => {
    const backend = new FakeBackend(world());
    await run(backend, crossPlan);
    const counts = new Map<string, number>();
    for (const c of backend.calls) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect([...counts.entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect(counts.get('get organizations/1')).toBe(1);
  });

  it('a policy it may not read makes the check unverified, never missing', async () => {
    const backend = new FakeBackend(world({ denied: ['get projects/ids'] }));
    const result = await run(backend, crossPlan);
    const token = one(result.findings, 'agent-token');
    expect(token.status).toBe('unverified');
    expect(token.evidence).toMatch(/no permission to read the IAM policy of project projects\/ids/);
  });

  it('an unreadable parent also leaves the gap unproven', async () => {
    const backend = new FakeBackend(world({ denied: ['parent projects/ids'] }));
    const token = one((await run(backend, crossPlan)).findings, 'agent-token');
    expect(token.status).toBe('unverified');
    expect(token.evidence).toMatch(/could not find what contains projects\/ids/);
  });

  it('finds permissions inherited from a folder and through custom roles', async () => {
    const w = world();
    w.roles = {
      ...w.roles,
      'organizations/1/roles/puller': ['artifactregistry.repositories.downloadArtifacts'],
    };
    w.policies = {
      ...w.policies,
      'folders/9': { bindings: [{ role: 'roles/iam.serviceAccountTokenCreator', members: [AGENT] }] },
      'organizations/1': { bindings: [{ role: 'organizations/1/roles/puller', members: [AGENT] }] },
    };
    const result = await run(new FakeBackend(w), crossPlan);
    expect(one(result.findings, 'agent-token').status).toBe('satisfied');
    expect(one(result.findings, 'agent-token').evidence).toContain('folders/9');
    expect(one(result.findings, 'agent-image').status).toBe('satisfied');
  });

  it.each([
    ['still valid', 'request.time < timestamp("2999-01-01T00:00:00Z")', 'satisfied', 'which holds now'],
    ['expired', 'request.time < timestamp("2020-01-01T00:00:00Z")', 'missing', 'does not replace it'],
    ['undecidable', "resource.matchTag('env', 'prod')", 'unverified', 'cannot be decided'],
  ])(
    'a %s conditional grant is decided where it can be, and never replaced by fix',
    async (_, expression, status, text) => {
      const w = world();
      w.policies = {
        ...w.policies,
        [SECRET]: {
          bindings: [
            {
              role: 'roles/secretmanager.secretAccessor',
              members: [`serviceAccount:${RUNNER}`],
              condition: { title: 'bounded', expression },
            },
          ],
        },
      };
      const secret = one((await run(new FakeBackend(w), crossPlan)).findings, 'runtime-secret');
      expect(secret.status).toBe(status);
      expect(secret.evidence).toContain(text);
      expect(secret.grant).toBeUndefined();
    },
  );

  it('falls back to the built-in table when roles.get is refused; basic roles then stay unverified', async () => {
    const w = world({ denied: ['role roles/run.serviceAgent', 'role roles/editor'] });
    w.policies = {
      ...w.policies,
      'projects/app': { bindings: [{ role: 'roles/run.serviceAgent', members: [AGENT] }] },
      'projects/ids': { bindings: [{ role: 'roles/editor', members: [AGENT] }] },
    };
    const sameProjectImage = plan({ serviceAccount: RUNNER, serviceAccountProject: 'ids' });
    const result = await run(new FakeBackend(w), sameProjectImage);
    expect(one(result.findings, 'agent-image').status).toBe('satisfied');
    const token = one(result.findings, 'agent-token');
    expect(token.status).toBe('unverified');
    expect(token.evidence).toContain('could not expand role roles/editor');
  });

  it('checks the org policy, the runtime account and warns about the default compute account', async () => {
    const enforced = world({
      orgPolicies: { ids: { spec: { rules: [{ enforce: true }] } } },
      serviceAccounts: { [RUNNER]: { disabled: true } },
    });
    const result = await run(new FakeBackend(enforced), crossPlan);
    expect(one(result.findings, 'orgpolicy-xproject')).toMatchObject({
      status: 'missing',
      command:
        'gcloud resource-manager org-policies disable-enforce iam.disableCrossProjectServiceAccountUsage --project=ids',
    });
    expect(one(result.findings, 'runtime-sa')).toMatchObject({
      status: 'missing',
      evidence: `${RUNNER} is disabled.`,
    });

    const gone = await run(new FakeBackend(world({ serviceAccounts: {} })), crossPlan);
    expect(one(gone.findings, 'runtime-sa').status).toBe('missing');
    expect(one(gone.findings, 'runtime-sa').evidence).toMatch(/does not exist/);

    const hidden = await run(new FakeBackend(world({ denied: [`sa ${RUNNER}`] })), crossPlan);
    expect(one(hidden.findings, 'runtime-sa').status).toBe('unverified');

    const compute = '111-compute@developer.gserviceaccount.com';
    const dflt = await run(
      new FakeBackend(world({ serviceAccounts: { [compute]: {} } })),
      plan({ serviceAccount: compute, serviceAccountIsDefault: true }),
    );
    const sa = byCheck(dflt.findings, 'runtime-sa');
    expect(sa.map((f) => f.status).sort()).toEqual(['satisfied', 'warning']);
  });

  it('iam off does nothing', async () => {
    const backend = new FakeBackend(world());
    expect(await run(backend, crossPlan, { iam: 'off' })).toEqual({
      findings: [],
      granted: [],
      status: 'ok',
    });
    expect(backend.calls).toEqual([]);
  });
});

describe('preflight fix', () => {
  it('grants exactly the missing bindings on the resources, keeps everything else, and a second run grants nothing', async () => {
    const backend = new FakeBackend(world());
    const before = structuredClone(backend.world.policies);
    const result = await run(backend, crossPlan, { iam: 'fix' });
    expect(result.status).toBe('fixed');
    expect(result.granted).toEqual(
      expect.arrayContaining([
        { kind: 'repository', resource: REPO, role: 'roles/artifactregistry.reader', member: AGENT },
        { kind: 'serviceAccount', resource: SA, role: 'roles/iam.serviceAccountTokenCreator', member: AGENT },
        {
          kind: 'secret',
          resource: SECRET,
          role: 'roles/secretmanager.secretAccessor',
          member: `serviceAccount:${RUNNER}`,
        },
      ]),
    );
    expect(result.granted).toHaveLength(3);
    for (const f of result.findings.filter((x) => x.grant)) expect(f.status).not.toBe('missing');
    // A granted requirement reads as the fact it now is.
    expect(result.findings.find((f) => f.check === 'agent-token')?.title).toMatch(
      /^The Cloud Run service agent can get tokens/,
    );
    // Every policy before/after: only the intended members were added, nothing else moved.
    const after = backend.world.policies;
    const changes = Object.keys(after).flatMap((name) =>
      addedMembers(before[name] ?? {}, after[name] ?? {}).map((a) => `${name} ${a.role} ${a.member}`),
    );
    expect(changes.sort()).toEqual(
      [
        `${REPO} roles/artifactregistry.reader ${AGENT}`,
        `${SA} roles/iam.serviceAccountTokenCreator ${AGENT}`,
        `${SECRET} roles/secretmanager.secretAccessor serviceAccount:${RUNNER}`,
      ].sort(),
    );
    expect(after[REPO]?.auditConfigs).toEqual(before[REPO]?.auditConfigs);
    expect(after[SECRET]?.bindings?.[0]).toEqual(before[SECRET]?.bindings?.[0]);
    expect(after[REPO]?.version).toBe(3);

    backend.calls.length = 0;
    const again = await run(backend, crossPlan, { iam: 'fix' });
    expect(again.status).toBe('ok');
    expect(again.granted).toEqual([]);
    expect(backend.calls.filter((c) => c.startsWith('set '))).toEqual([]);
  });

  it('re-reads and retries when another writer changes the policy first (409 ABORTED), keeping their binding', async () => {
    const backend = new FakeBackend(world());
    backend.races.set(SA, { role: 'roles/iam.serviceAccountAdmin', member: 'user:admin@example.com' });
    const waits: number[] = [];
    const result = await preflight({
      plan: crossPlan,
      config: config({ iam: 'fix' }),
      auth,
      env: {},
      log,
      sleep: async (ms) => {
        waits.push(ms);
      },
      backend,
    });
    expect(one(result.findings, 'agent-token').status).toBe('granted');
    expect(backend.calls.filter((c) => c === `set ${SA}`)).toHaveLength(2);
    expect(waits.length).toBeGreaterThanOrEqual(1);
    const bindings = backend.world.policies[SA]?.bindings ?? [];
    expect(bindings.map((b) => b.role)).toEqual([
      'roles/iam.serviceAccountUser',
      'roles/iam.serviceAccountAdmin',
      'roles/iam.serviceAccountTokenCreator',
    ]);
  });

  it('a binding someone else adds at the same moment is recognised as satisfied, not written twice', async () => {
    const backend = new FakeBackend(world());
    backend.races.set(SA, { role: 'roles/iam.serviceAccountTokenCreator', member: AGENT });
    const result = await run(backend, crossPlan, { iam: 'fix' });
    const token = one(result.findings, 'agent-token');
    expect(token.status).toBe('satisfied');
    expect(token.evidence).toContain('Someone else added');
    expect(result.granted).not.toContainEqual(expect.objectContaining({ resource: SA }));
    expect(backend.calls.filter((c) => c === `set ${SA}`)).toHaveLength(1);
  });

  it('where the caller may not write a policy the gap stays missing with the command for an administrator', async () => {
    const backend = new FakeBackend(world({ denied: [`set ${SECRET}`] }));
    const result = await run(backend, crossPlan, { iam: 'fix' });
    const secret = one(result.findings, 'runtime-secret');
    expect(secret.status).toBe('missing');
    expect(secret.evidence).toMatch(
      /lacks secretmanager\.secrets\.setIamPolicy on secret projects\/app\/secrets\/db .*on any run .*administrator/,
    );
    // Asked first, so the refused write is never attempted.
    expect(backend.calls).not.toContain('set projects/app/secrets/db');
    expect(secret.command).toBe(
      `gcloud secrets add-iam-policy-binding db --project=app --member=serviceAccount:${RUNNER} --role=roles/secretmanager.secretAccessor --condition=None`,
    );
    expect(result.status).toBe('missing');
    expect(result.granted).toHaveLength(2);
  });

  it('never grants at the project or touches the org policy', async () => {
    const w = world({ orgPolicies: { ids: { spec: { rules: [{ enforce: true }] } } } });
    w.policies = { ...w.policies, 'projects/app': {} };
    const backend = new FakeBackend(w);
    const result = await run(backend, crossPlan, { iam: 'fix' });
    const deploy = one(result.findings, 'deployer-run');
    expect(deploy.status).toBe('missing');
    expect(deploy.grant).toBe(undefined);
    expect(deploy.command).toBe(
      `gcloud projects add-iam-policy-binding app --member=${DEPLOYER} --role=roles/run.developer --condition=None`,
    );
    expect(one(result.findings, 'orgpolicy-xproject').status).toBe('missing');
    expect(backend.calls.filter((c) => c === 'set projects/app' || c === 'set projects/ids')).toEqual([]);
  });

  it('grants the deployer actAs on the account itself when its own check fails', async () => {
    const w = world();
    w.policies = {
      ...w.policies,
      [SA]: { bindings: [{ role: 'roles/iam.serviceAccountAdmin', members: [DEPLOYER] }] },
    };
    const result = await run(new FakeBackend(w), crossPlan, { iam: 'fix' });
    expect(one(result.findings, 'deployer-actas').status).toBe('granted');
    expect(result.granted).toContainEqual({
      kind: 'serviceAccount',
      resource: SA,
      role: 'roles/iam.serviceAccountUser',
      member: DEPLOYER,
    });
  });

  it('dry run writes nothing and shows each grant as a policy diff and a command', async () => {
    const backend = new FakeBackend(world());
    const before = structuredClone(backend.world.policies);
    const result = await run(backend, crossPlan, { iam: 'fix', dryRun: true });
    expect(backend.calls.filter((c) => c.startsWith('set '))).toEqual([]);
    expect(backend.world.policies).toEqual(before);
    expect(result.status).toBe('missing');
    expect(result.granted).toEqual([]);
    const token = one(result.findings, 'agent-token');
    const plus = (token.plannedChange ?? '').split('\n').filter((l) => l.startsWith('+'));
    expect(plus.join('\n')).toContain(AGENT);
    expect(plus.join('\n')).toContain('roles/iam.serviceAccountTokenCreator');
    expect(token.command).toContain('add-iam-policy-binding');
  });
});

describe('iamStatus', () => {
  const f = (status: Finding['status']): Finding => ({ check: 'x', status, title: '', evidence: '' });
  const g = { kind: 'secret' as const, resource: 'r', role: 'r', member: 'm' };
  it.each([
    [[f('satisfied'), f('warning')], [], 'ok'],
    [[f('satisfied'), f('unverified')], [], 'unverified'],
    [[f('missing'), f('unverified')], [], 'missing'],
    [[f('granted'), f('unverified')], [g], 'fixed'],
    [[f('granted'), f('missing')], [g], 'missing'],
  ])('%#', (findings, granted, status) => {
    expect(iamStatus(findings, granted)).toBe(status);
  });
});

describe('preflight fix with a binding that is present but not yet effective', () => {
  it('does not claim a grant it did not make', async () => {
    // The caller is bound, but testIamPermissions is refused the answer (as while a grant propagates).
    const w = world();
    const backend = new FakeBackend(w);
    const test = backend.testIamPermissions.bind(backend);
    backend.testIamPermissions = async (r, perms) =>
      r.name === SA ? perms.filter((p) => p.endsWith('.setIamPolicy')) : test(r, perms);
    const result = await run(backend, crossPlan, { iam: 'fix' });
    const actAs = one(result.findings, 'deployer-actas');
    expect(actAs.status).toBe('unverified');
    expect(actAs.evidence).toMatch(/already binds .* propagating/);
    expect(result.granted).not.toContainEqual(
      expect.objectContaining({ role: 'roles/iam.serviceAccountUser' }),
    );
  });
});

describe('deny policies for principals other than the caller', () => {
  const tokenDeny = {
    name: 'policies/cloudresourcemanager.googleapis.com%2Fprojects%2Fids/denypolicies/no-tokens',
    rules: [
      {
        denyRule: {
          deniedPrincipals: [
            'principal://iam.googleapis.com/projects/-/serviceAccounts/SERVICE-111@serverless-robot-prod.iam.gserviceaccount.com',
          ],
          deniedPermissions: ['iam.googleapis.com/serviceAccounts.*'],
        },
      },
    ],
  };
  const withToken = () => {
    const w = world();
    w.policies = {
      ...w.policies,
      [SA]: {
        bindings: [
          { role: 'roles/iam.serviceAccountUser', members: [DEPLOYER] },
          { role: 'roles/iam.serviceAccountTokenCreator', members: [AGENT] },
        ],
      },
    };
    return w;
  };

  it('a deny rule read from the hierarchy (troubleshooter refused) makes an allowed permission missing, with nothing to grant', async () => {
    const w = withToken();
    w.denyPolicies = { 'projects/ids': [tokenDeny] };
    const result = await run(new FakeBackend(w), crossPlan, { iam: 'fix' });
    const token = one(result.findings, 'agent-token');
    expect(token.status).toBe('missing');
    expect(token.evidence).toContain(
      'deny policy policies/cloudresourcemanager.googleapis.com%2Fprojects%2Fids/denypolicies/no-tokens on projects/ids denies it',
    );
    expect(token.grant).toBeUndefined();
    expect(result.granted).not.toContainEqual(expect.objectContaining({ resource: SA }));
  });

  it('when neither the troubleshooter nor the deny policies can be read, an allowed permission keeps its verdict with a caveat; fail_on: unverified keeps it unverified', async () => {
    const w = withToken();
    w.denied = ['deny folders/9'];
    const lenient = await run(new FakeBackend(w), crossPlan);
    const token = one(lenient.findings, 'agent-token');
    expect(token.status).toBe('satisfied');
    expect(token.evidence).toMatch(
      /deny policies could not be read \(.*deny policies not readable on folders\/9/,
    );
    expect(lenient.caveats?.some((c) => c.includes('Some deny policies could not be read'))).toBe(true);

    const strict = one(
      (await run(new FakeBackend(w), crossPlan, { failOn: 'unverified' })).findings,
      'agent-token',
    );
    expect(strict.status).toBe('unverified');
    expect(strict.title).toMatch(/\(deny policies not readable\)$/);
    expect(strict.evidence).toMatch(
      /the Policy Troubleshooter was not available .*deny policies not readable on folders\/9/,
    );
  });

  it("the troubleshooter's verdict settles the deny side in one call", async () => {
    const w = withToken();
    w.denied = ['deny projects/ids', 'deny folders/9', 'deny organizations/1'];
    w.troubleshooter = {
      [`${AGENT.slice('serviceAccount:'.length)} iam.serviceAccounts.getAccessToken`]: {
        overallAccessState: 'CAN_ACCESS',
        denyPolicyExplanation: { denyAccessState: 'DENY_ACCESS_STATE_NOT_DENIED' },
      },
    };
    const backend = new FakeBackend(w);
    const token = one((await run(backend, crossPlan)).findings, 'agent-token');
    expect(token.status).toBe('satisfied');
    expect(token.evidence).toContain('the Policy Troubleshooter finds no deny policy denying it');
    expect(
      backend.calls.filter((c) => c.startsWith('troubleshoot ') && c.includes('getAccessToken')),
    ).toHaveLength(1);
  });

  const troubleshot = (b: FakeBackend) => b.calls.filter((c) => c.startsWith('troubleshoot '));

  it('deny policies read across the whole hierarchy with no rule naming the agent settle it without the troubleshooter', async () => {
    const w = withToken();
    const other = structuredClone(tokenDeny);
    (other.rules[0] as { denyRule: { deniedPrincipals: string[] } }).denyRule.deniedPrincipals = [
      'principal://iam.googleapis.com/projects/-/serviceAccounts/someone-else@ids.iam.gserviceaccount.com',
    ];
    w.denyPolicies = { 'projects/ids': [other] };
    const backend = new FakeBackend(w);
    const token = one((await run(backend, crossPlan)).findings, 'agent-token');
    expect(token.status).toBe('satisfied');
    expect(token.evidence).toContain('no deny rule on projects/ids, folders/9, organizations/1 names it');
    expect(troubleshot(backend)).toEqual([]);
  });

  it('a rule naming the agent for another permission is left to the troubleshooter (aliases, wildcards)', async () => {
    const w = withToken();
    const other = structuredClone(tokenDeny);
    (other.rules[0] as { denyRule: { deniedPermissions: string[] } }).denyRule.deniedPermissions = [
      'iam.googleapis.com/roles.delete',
    ];
    w.denyPolicies = { 'projects/ids': [other] };
    const backend = new FakeBackend(w);
    const token = one((await run(backend, crossPlan)).findings, 'agent-token');
    expect(token.status).toBe('satisfied');
    expect(troubleshot(backend).some((c) => c.includes('getAccessToken'))).toBe(true);
  });

  it('a principal set or a unique id in a rule, or a hierarchy that could not be walked to the top, is left to the troubleshooter', async () => {
    const w = withToken();
    const set = structuredClone(tokenDeny);
    (set.rules[0] as { denyRule: { deniedPrincipals: string[] } }).denyRule.deniedPrincipals = [
      'principalSet://goog/group/admins@example.com',
    ];
    w.denyPolicies = { 'projects/ids': [set] };
    const bySet = new FakeBackend(w);
    await run(bySet, crossPlan);
    expect(troubleshot(bySet).some((c) => c.includes('getAccessToken'))).toBe(true);
    (set.rules[0] as { denyRule: { deniedPrincipals: string[] } }).denyRule.deniedPrincipals = [
      'principal://iam.googleapis.com/projects/-/serviceAccounts/112233445566778899',
    ];
    const byId = new FakeBackend(w);
    await run(byId, crossPlan);
    expect(troubleshot(byId).some((c) => c.includes('getAccessToken'))).toBe(true);
    const cut = new FakeBackend({ ...withToken(), denied: ['parent folders/9'] });
    await run(cut, crossPlan);
    expect(troubleshot(cut).some((c) => c.includes('getAccessToken'))).toBe(true);
  });
});
