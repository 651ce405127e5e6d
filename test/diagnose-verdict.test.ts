// One verdict per gap, never a wider identity: every corpus failure is replayed against a
// preflight that had proven its binding present (the merged finding must then recommend no
// grant and say what was proven), and every finding's scope is checked: a project-level role
// only where nothing narrower holds the permission, and never for a repository's principal set.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type DiagnoseContext,
  diagnose,
  diagnoseCondition,
  type JobCondition,
} from '../src/diagnose/index.ts';
import { mergeFailure } from '../src/diagnose/merge.ts';
import type { ExecutionDetails, Finding } from '../src/model.ts';
import { PLAN } from './fixtures/errors/plan.ts';
import { CORPUS_CONFIG as CONFIG, googleError } from './helpers/google-error.ts';

interface Case {
  name: string;
  stage: DiagnoseContext['stage'];
  plan?: boolean;
  config?: boolean;
  error?: { http?: number; body?: unknown; operation?: Record<string, unknown>; text?: string };
  condition?: JobCondition;
  execution?: string;
  details?: ExecutionDetails;
}

const dir = join(import.meta.dirname, 'fixtures/errors');
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) =>
    (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { cases: Case[] }).cases.map((c) => ({
      ...c,
      file: f,
    })),
  );

function thrown(e: NonNullable<Case['error']>): unknown {
  if (e.http !== undefined)
    return Object.assign(new Error(`Request failed with status code ${e.http}`), {
      response: { status: e.http, data: e.body },
    });
  return e.operation ?? new Error(e.text ?? '');
}

function diagnosed(c: Case): Finding | undefined {
  const ctx: DiagnoseContext = { stage: c.stage, repository: 'acme/batch' };
  if (c.config !== false) ctx.config = CONFIG;
  if (c.plan !== false) ctx.plan = PLAN;
  if (c.condition)
    return diagnoseCondition(c.condition, {
      ...ctx,
      ...(c.execution ? { execution: c.execution } : {}),
      ...(c.details ? { details: c.details } : {}),
    });
  return c.error ? diagnose(thrown(c.error), ctx) : undefined;
}

const all = cases
  .map((c) => ({ c, f: diagnosed(c) }))
  .filter((x): x is { c: (typeof cases)[number]; f: Finding } => !!x.f);
const granting = all.filter(({ f }) => f.role && f.command?.includes('add-iam-policy-binding'));

// Where a project is the narrowest scope Google offers for the permission: creating a job (no job
// policy yet), the service agent's own role, a connector (no IAM of its own), Cloud SQL instances
// (no IAM of their own). Sources: src/iam/requirements*.ts rows and their comments.
const PROJECT_IS_NARROWEST = new Set([
  'deployer-run',
  'agent-role',
  'agent-connector',
  'runtime-cloudsql',
  'deployer-identity',
  'service-account-mixup',
]);

describe('a binding the preflight proved present is never recommended again', () => {
  it('replays enough failures that recommend a grant', () =>
    expect(granting.length).toBeGreaterThanOrEqual(40));

  it.each(granting.map(({ c, f }) => [`${c.file}: ${c.name}`, f] as const))('%s', (_, f) => {
    const proven: Finding = {
      check: f.check,
      status: 'satisfied',
      title: 'held',
      evidence: `testIamPermissions: ${f.permission ?? f.role} is held`,
      ...(f.principal ? { principal: f.principal } : {}),
      ...(f.resource ? { resource: f.resource } : {}),
      ...(f.permission ? { permission: f.permission } : {}),
    };
    const { failure } = mergeFailure([proven], f);
    expect(failure.status).toBe('failed');
    expect(failure.grant).toBeUndefined();
    expect(failure.command ?? '').not.toContain('add-iam-policy-binding');
    expect(failure.remedy).toMatch(/preflight proved .* so a grant will not help/);
    expect(failure.evidence).toContain('Preflight (satisfied)');
  });

  it('names a deny policy the preflight read, and propagation for a grant of this run', () => {
    const f = granting[0]?.f as Finding;
    const deny: Finding = {
      check: 'deny',
      status: 'unverified',
      title: 'deny',
      evidence: 'deny policy projects/app-prod/denypolicies/no-run on projects/app-prod denies it',
      ...(f.principal ? { principal: f.principal } : {}),
    };
    const granted: Finding = {
      check: f.check,
      status: 'granted',
      title: 'granted',
      evidence: 'Granted.',
      ...(f.principal ? { principal: f.principal } : {}),
    };
    const { failure } = mergeFailure([granted, deny], f);
    expect(failure.remedy).toContain('deny policy projects/app-prod/denypolicies/no-run');
    expect(failure.remedy).toContain('propagation');
  });
});

describe('no remedy widens an identity', () => {
  it.each(all.map(({ c, f }) => [`${c.file}: ${c.name}`, f] as const))('%s', (_, f) => {
    const command = f.command ?? '';
    const projectGrant =
      /gcloud projects add-iam-policy-binding/.test(command) || f.grant?.kind === 'project';
    if (projectGrant) expect(PROJECT_IS_NARROWEST, f.check).toContain(f.check);
    // A repository's principal set never gets a project-level role, whatever the kind.
    for (const line of command.split('\n'))
      if (line.startsWith('gcloud projects add-iam-policy-binding'))
        expect(line).not.toContain('--member=principalSet://');
    if (f.grant?.kind === 'project') expect(f.grant.member).not.toMatch(/^principalSet:/);
  });

  it('a denied run or update of an existing job is granted on the job, not the project', () => {
    const plan = { ...PLAN, jobExists: true };
    const f = diagnose(
      googleError(
        403,
        {
          code: 403,
          status: 'PERMISSION_DENIED',
          message: "Permission 'run.jobs.update' denied on resource",
        },
        '403',
      ),
      { stage: 'deploy', plan, config: CONFIG },
    );
    expect(f).toMatchObject({ check: 'deployer-run', resource: PLAN.jobName, role: 'roles/run.developer' });
    expect(f.command).toMatch(/^gcloud run jobs add-iam-policy-binding nightly /);
  });
});

describe('a deny policy the preflight found', () => {
  it('replaces the grant a failure would suggest: the agent already holds the allow binding', () => {
    const failure = diagnose(
      googleError(
        403,
        {
          code: 403,
          status: 'PERMISSION_DENIED',
          message:
            'Google Cloud Run Service Agent does not have permission to get access tokens for the service account runner@identity-hub.iam.gserviceaccount.com. Please give service-123456789012@serverless-robot-prod.iam.gserviceaccount.com permission iam.serviceAccounts.getAccessToken on the service account.',
        },
        '403',
      ),
      { stage: 'deploy', plan: PLAN, config: CONFIG },
    );
    expect(failure.check).toBe('agent-token');
    expect(failure.command).toContain('add-iam-policy-binding');
    const check: Finding = {
      check: 'agent-token',
      status: 'missing',
      title: 'The Cloud Run service agent cannot get tokens for runner',
      principal: failure.principal as string,
      evidence: `${failure.principal} cannot use iam.serviceAccounts.getAccessToken: deny policy policies/cloudresourcemanager.googleapis.com%2Fprojects%2Fidentity-hub/denypolicies/no-tokens on projects/identity-hub denies it.`,
      remedy:
        'A deny policy blocks iam.serviceAccounts.getAccessToken: an administrator of the deny policy must exempt it.',
    };
    const { failure: merged } = mergeFailure([check], failure);
    expect(merged.grant).toBeUndefined();
    expect(merged.command).toBeUndefined();
    expect(merged.title).toContain('a deny policy blocks it');
    expect(merged.remedy).toContain('deny policy');
    expect(merged.evidence).toContain('denypolicies/no-tokens');
  });
});
