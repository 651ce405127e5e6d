// Which input a denied Cloud Run call points at: running the job is `execute`, managing it is
// `job`, whatever wording and transport (client library body, gcloud text) carried the denial.
import { describe, expect, it } from 'vitest';
import { diagnose, type Stage } from '../src/diagnose/index.ts';
import { PLAN } from './fixtures/errors/plan.ts';
import { googleError } from './helpers/google-error.ts';

const denied = (permission: string) =>
  googleError(403, {
    code: 403,
    status: 'PERMISSION_DENIED',
    message: `Permission '${permission}' denied on resource 'projects/app-prod/locations/us-central1/jobs/nightly' (or resource may not exist).`,
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'IAM_PERMISSION_DENIED',
        domain: 'run.googleapis.com',
        metadata: { permission },
      },
    ],
  });

const gcloudText = (permission: string) =>
  new Error(
    `ERROR: (gcloud.run.jobs.execute) PERMISSION_DENIED: Permission '${permission}' denied on resource 'namespaces/app-prod/jobs/nightly' (or resource may not exist).`,
  );

describe('subject of a denied Cloud Run call', () => {
  it('run.jobs.runWithOverrides (API body) -> deployer-overrides at execute, on the job', () => {
    const f = diagnose(denied('run.jobs.runWithOverrides'), {
      stage: 'execute',
      plan: PLAN,
      repository: 'acme/batch',
    });
    expect(f).toMatchObject({
      check: 'deployer-overrides',
      subject: 'execute',
      role: 'roles/run.jobsExecutorWithOverrides',
    });
    expect(f.resource).toBe(PLAN.jobName);
  });

  it.each<[string, Error, Stage, string]>([
    ['run.jobs.run (API body)', denied('run.jobs.run'), 'execute', 'execute'],
    ['run.jobs.run (gcloud text)', gcloudText('run.jobs.run'), 'execute', 'execute'],
    ['run.jobs.create', denied('run.jobs.create'), 'deploy', 'job'],
    ['run.jobs.update', denied('run.jobs.update'), 'deploy', 'job'],
    ['run.jobs.get', denied('run.jobs.get'), 'resolve', 'job'],
  ])('%s -> deployer-run at %s', (_, error, stage, subject) => {
    const f = diagnose(error, { stage, plan: PLAN, repository: 'acme/batch' });
    expect(f.check).toBe('deployer-run');
    expect(f.subject).toBe(subject);
  });
});
