import { describe, expect, it } from 'vitest';
import { diagnose } from '../src/diagnose/index.ts';
import { mergeFailure } from '../src/diagnose/merge.ts';
import type { Finding } from '../src/model.ts';
import { PLAN } from './fixtures/errors/plan.ts';
import { googleError } from './helpers/google-error.ts';

const agent = 'serviceAccount:service-1@serverless-robot-prod.iam.gserviceaccount.com';
const repo = 'projects/img/locations/us/repositories/r';

const unverified: Finding = {
  check: 'agent-image',
  status: 'unverified',
  title: 'The Cloud Run service agent may not pull the image',
  principal: agent,
  resource: repo,
  evidence: 'no permission to read the IAM policy of organizations/1',
  command: 'gcloud artifacts repositories add-iam-policy-binding r ... --condition=None',
  grant: { kind: 'repository', resource: repo, role: 'roles/artifactregistry.reader', member: agent },
  subject: 'image',
};
const failed: Finding = {
  check: 'agent-image',
  status: 'failed',
  title: 'Cloud Run service agent cannot pull the image',
  principal: 'serviceAccount:SERVICE-1@serverless-robot-prod.iam.gserviceaccount.com',
  evidence: 'PERMISSION_DENIED: ... downloadArtifacts ...',
  command: 'gcloud artifacts repositories add-iam-policy-binding r ...',
};

describe('mergeFailure', () => {
  it('folds a failure into the preflight check it proves, keeping the check’s grant and command', () => {
    const other: Finding = { check: 'deployer-actas', status: 'satisfied', title: 'ok', evidence: 'held' };
    const { findings, failure } = mergeFailure([other, unverified], failed);
    expect(findings).toHaveLength(2);
    expect(findings[0]).toBe(other);
    expect(failure).toBe(findings[1]);
    expect(failure).toMatchObject({
      check: 'agent-image',
      status: 'failed',
      title: failed.title,
      principal: agent,
      resource: repo,
      grant: unverified.grant,
      command: unverified.command,
      subject: 'image',
    });
    expect(failure.evidence).toContain('downloadArtifacts');
    expect(failure.evidence).toContain('Preflight (unverified): no permission');
  });

  it('appends a failure no check matches, or one about another principal', () => {
    const other = { ...failed, principal: 'serviceAccount:someone@p.iam.gserviceaccount.com' };
    expect(mergeFailure([unverified], other).findings).toEqual([unverified, other]);
    const quota: Finding = { check: 'quota', status: 'failed', title: 'Quota', evidence: '429' };
    expect(mergeFailure([unverified], quota)).toEqual({ findings: [unverified, quota], failure: quota });
  });

  it('folds a secret failure into the check of the secret it names, not the first secret check', () => {
    const runtime = 'serviceAccount:runtime@app.iam.gserviceaccount.com';
    const check = (secret: string): Finding => ({
      check: 'runtime-secret',
      status: 'unverified',
      title: 'secret',
      principal: runtime,
      resource: `projects/app/secrets/${secret}`,
      evidence: 'only under condition',
      subject: `secret:${secret.toUpperCase()}`,
    });
    const failure: Finding = {
      check: 'runtime-secret',
      status: 'failed',
      title: "Job's service account cannot read a secret",
      principal: runtime,
      resource: 'projects/app/secrets/db',
      evidence: 'Permission denied on secret: projects/app/secrets/db/versions/1',
    };
    const { findings } = mergeFailure([check('api'), check('db')], failure);
    expect(findings.map((f) => [f.resource, f.status])).toEqual([
      ['projects/app/secrets/api', 'unverified'],
      ['projects/app/secrets/db', 'failed'],
    ]);
  });

  it("folds Cloud Run's own image denial of the deployer (no permission named) into deployer-image of the plan's repository", () => {
    const message =
      `User must have permission to read the image, ${PLAN.image.url}. Ensure that the provided container image URL ` +
      'is correct and that the above account has permission to access the image. If you just enabled the Cloud Run ' +
      'API, the permissions might take a few minutes to propagate.';
    const thrown = googleError(403, { code: 403, status: 'PERMISSION_DENIED', message });
    const deployer = `serviceAccount:${PLAN.deployer}`;
    const repository = PLAN.image.repositoryName ?? '';
    const check: Finding = {
      check: 'deployer-image',
      status: 'unverified',
      title: 'The deployer may not read the image',
      principal: deployer,
      resource: repository,
      evidence: 'testIamPermissions could not be called',
      subject: 'image',
    };
    const finding = diagnose(thrown, { stage: 'deploy', plan: PLAN });
    expect(finding).toMatchObject({
      check: 'deployer-image',
      principal: deployer,
      permission: 'artifactregistry.repositories.downloadArtifacts',
      resource: repository,
    });
    expect(finding.command).toContain('add-iam-policy-binding containers');
    expect(finding.command).toContain('--project=shared-images');
    const merged = mergeFailure([check], finding);
    expect(merged.findings).toHaveLength(1);
    expect(merged.failure).toMatchObject({
      check: 'deployer-image',
      status: 'failed',
      resource: check.resource,
    });
  });
});
