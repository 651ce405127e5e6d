import { describe, expect, it } from 'vitest';
import { grantCommand, orgPolicyCommand, shellQuote, wifUserCommand } from '../src/iam/commands.ts';
import { deployPermissions, memberOf, type Requirement, requirementsFor } from '../src/iam/requirements.ts';
import { plan } from './fixtures/config.ts';

const ids = (reqs: Requirement[]) => reqs.map((r) => r.check);

describe('requirementsFor', () => {
  it('same project: account, actAs, run, image for deployer and agent; nothing cross-project', () => {
    const reqs = requirementsFor(plan());
    expect(ids(reqs)).toEqual([
      'runtime-sa',
      'deployer-actas',
      'deployer-run',
      'deployer-image',
      'agent-image',
      'agent-role',
      'orgpolicy-job',
    ]);
    const agentRole = reqs.find((r) => r.check === 'agent-role');
    // The service agent's own role on the project: only an administrator restores it.
    expect(agentRole?.type === 'principal' && agentRole.grant).toMatchObject({
      kind: 'project',
      role: 'roles/run.serviceAgent',
    });
    const agentImage = reqs.find((r) => r.check === 'agent-image');
    expect(agentImage?.type === 'principal' && agentImage.note).toMatch(/roles\/run\.serviceAgent/);
    const run = reqs.find((r) => r.check === 'deployer-run');
    expect(run?.type === 'caller' && run.permissions).toEqual([
      'run.jobs.create',
      'run.jobs.update',
      'run.jobs.get',
      'run.operations.get',
    ]);
    // Deploy rights are project-wide: never something fix may grant.
    expect(run?.type === 'caller' && run.grant).toBe(undefined);
    expect(run?.type === 'caller' && run.remedyGrant?.kind).toBe('project');
  });

  it('execute adds run.jobs.run and points at the execute input', () => {
    const run = requirementsFor(plan({ execute: true })).find((r) => r.check === 'deployer-run');
    expect(run?.type === 'caller' && run.permissions).toContain('run.jobs.run');
    expect(run?.subject).toBe('execute');
  });

  it('cross-project account: agent token creator on the account and the org policy of its project', () => {
    const reqs = requirementsFor(
      plan({ serviceAccount: 'runner@ids.iam.gserviceaccount.com', serviceAccountProject: 'ids' }),
    );
    const token = reqs.find((r) => r.check === 'agent-token');
    expect(token).toMatchObject({
      type: 'principal',
      principal: 'serviceAccount:service-111@serverless-robot-prod.iam.gserviceaccount.com',
      permission: 'iam.serviceAccounts.getAccessToken',
      role: 'roles/iam.serviceAccountTokenCreator',
      resource: {
        kind: 'serviceAccount',
        name: 'projects/ids/serviceAccounts/runner@ids.iam.gserviceaccount.com',
      },
      project: 'ids',
      subject: 'service_account',
    });
    expect(reqs.find((r) => r.check === 'orgpolicy-xproject')).toMatchObject({
      constraint: 'iam.disableCrossProjectServiceAccountUsage',
      project: 'ids',
    });
  });

  it('image in another project: agent check reads that project, without the same-project note', () => {
    const image = {
      ...plan().image,
      project: 'shared',
      repositoryName: 'projects/shared/locations/us/repositories/images',
    };
    const agent = requirementsFor(plan({ image })).find((r) => r.check === 'agent-image');
    expect(agent).toMatchObject({
      project: 'shared',
      grant: { kind: 'repository', resource: image.repositoryName },
    });
    expect(agent?.type === 'principal' && agent.note).toBe(undefined);
  });

  it('one runtime-secret check per referenced secret, placed on its env var', () => {
    const reqs = requirementsFor(
      plan({
        secrets: [
          { name: 'DB_PASSWORD', project: 'app', secret: 'db', version: 'latest' },
          { name: 'API_KEY', project: 'vault', secret: 'api', version: '3' },
        ],
      }),
    );
    const secrets = reqs.filter((r) => r.check === 'runtime-secret');
    expect(secrets.map((s) => s.subject)).toEqual(['secret:DB_PASSWORD', 'secret:API_KEY']);
    expect(secrets[1]).toMatchObject({
      principal: 'serviceAccount:runner@app.iam.gserviceaccount.com',
      resource: { kind: 'secret', name: 'projects/vault/secrets/api' },
      project: 'vault',
      grant: { role: 'roles/secretmanager.secretAccessor' },
    });
  });

  it.each([
    { jobExists: false, execute: false, want: ['run.jobs.create', 'run.jobs.get', 'run.operations.get'] },
    { jobExists: true, execute: false, want: ['run.jobs.update', 'run.jobs.get', 'run.operations.get'] },
    {
      jobExists: undefined,
      execute: false,
      want: ['run.jobs.create', 'run.jobs.update', 'run.jobs.get', 'run.operations.get'],
    },
    {
      jobExists: true,
      execute: true,
      want: ['run.jobs.update', 'run.jobs.get', 'run.operations.get', 'run.jobs.run'],
    },
    {
      jobExists: false,
      execute: true,
      want: ['run.jobs.create', 'run.jobs.get', 'run.operations.get', 'run.jobs.run'],
    },
  ])('deploy permissions: job exists $jobExists, execute $execute', ({ jobExists, execute, want }) => {
    expect(deployPermissions(jobExists, execute)).toEqual(want);
    const base = plan({ execute });
    const p = jobExists === undefined ? base : { ...base, jobExists };
    const run = requirementsFor(p).find((r) => r.check === 'deployer-run');
    expect(run?.type === 'caller' && run.permissions).toEqual(want);
  });

  it('no registry checks for images outside Artifact Registry', () => {
    const reqs = requirementsFor(plan({ image: { url: 'docker.io/library/busybox', registry: 'other' } }));
    expect(ids(reqs)).not.toContain('deployer-image');
    expect(ids(reqs)).not.toContain('agent-image');
  });

  it('unknown deployer: checks still run but carry no grant', () => {
    const { deployer: _d, ...rest } = plan();
    const reqs = requirementsFor(rest);
    const actAs = reqs.find((r) => r.check === 'deployer-actas');
    expect(actAs?.type === 'caller' && actAs.grant).toBe(undefined);
    expect(actAs?.type === 'caller' && actAs.principal).toBe(undefined);
  });

  it.each([
    ['deployer@p.iam.gserviceaccount.com', 'serviceAccount:deployer@p.iam.gserviceaccount.com'],
    ['me@example.com', 'user:me@example.com'],
    ['principal://iam.googleapis.com/projects/1/x', 'principal://iam.googleapis.com/projects/1/x'],
    ['group:g@example.com', 'group:g@example.com'],
  ])('memberOf(%s)', (identity, member) => {
    expect(memberOf(identity)).toBe(member);
  });
});

describe('gcloud commands', () => {
  it.each([
    [
      {
        kind: 'serviceAccount' as const,
        resource: 'projects/ids/serviceAccounts/r@ids.iam.gserviceaccount.com',
      },
      'gcloud iam service-accounts add-iam-policy-binding r@ids.iam.gserviceaccount.com --project=ids --member=serviceAccount:a@b.iam.gserviceaccount.com --role=roles/x --condition=None',
    ],
    [
      { kind: 'repository' as const, resource: 'projects/shared/locations/europe-west1/repositories/images' },
      'gcloud artifacts repositories add-iam-policy-binding images --location=europe-west1 --project=shared --member=serviceAccount:a@b.iam.gserviceaccount.com --role=roles/x --condition=None',
    ],
    [
      { kind: 'secret' as const, resource: 'projects/vault/secrets/api' },
      'gcloud secrets add-iam-policy-binding api --project=vault --member=serviceAccount:a@b.iam.gserviceaccount.com --role=roles/x --condition=None',
    ],
    [
      { kind: 'project' as const, resource: 'projects/app' },
      'gcloud projects add-iam-policy-binding app --member=serviceAccount:a@b.iam.gserviceaccount.com --role=roles/x --condition=None',
    ],
  ])('%o', (target, command) => {
    expect(
      grantCommand({ ...target, role: 'roles/x', member: 'serviceAccount:a@b.iam.gserviceaccount.com' }),
    ).toBe(command);
  });

  it('org policy and workload identity commands', () => {
    expect(orgPolicyCommand('iam.disableCrossProjectServiceAccountUsage', 'ids')).toBe(
      'gcloud resource-manager org-policies disable-enforce iam.disableCrossProjectServiceAccountUsage --project=ids',
    );
    expect(
      wifUserCommand(
        'principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/gh/attribute.repository/o/r',
        'd@app.iam.gserviceaccount.com',
        'app',
      ),
    ).toBe(
      'gcloud iam service-accounts add-iam-policy-binding d@app.iam.gserviceaccount.com --project=app --member=principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/gh/attribute.repository/o/r --role=roles/iam.workloadIdentityUser --condition=None',
    );
  });

  it('quotes only what a shell would misread', () => {
    expect(shellQuote('roles/x')).toBe('roles/x');
    expect(shellQuote("a b'c")).toBe(`'a b'\\''c'`);
    expect(shellQuote('$(rm -rf /)')).toBe(`'$(rm -rf /)'`);
  });
});
