// A Cloud Run operation still running when the action stopped waiting (run.ts OperationTimeout)
// is its own finding: Cloud Run accepted the write and keeps going, so the remedy points at the
// job's conditions (console, gcloud run jobs describe) and never at the runner's network; a
// request that really got no answer is still "no answer".
import { describe, expect, it } from 'vitest';
import { diagnose } from '../src/diagnose/index.ts';
import { StepError } from '../src/gcp/errors.ts';
import { OperationTimeout } from '../src/gcp/run.ts';
import { NotReadyInTime } from '../src/job/replace.ts';
import { PLAN } from './fixtures/errors/plan.ts';

const OP = 'projects/app-prod/locations/us-central1/operations/op-7';

describe('an unfinished Cloud Run operation', () => {
  it('a job write still running at the bound: accepted, may still be reconciling, look at its conditions', () => {
    const error = new StepError(`create job ${PLAN.jobName}`, new OperationTimeout(OP, 600_000));
    const f = diagnose(error, { stage: 'deploy', plan: PLAN });
    expect(f.check).toBe('operation-unfinished');
    expect(f.status).toBe('failed');
    expect(f.title).toBe('Cloud Run accepted the write of job nightly but did not finish it in time');
    expect(f.evidence).toContain(
      `run.googleapis.com had not finished operation ${OP} after 600 s while trying to create job ${PLAN.jobName}`,
    );
    expect(f.remedy).toContain('within 600 s');
    expect(f.remedy).toContain('may still be reconciling');
    expect(f.remedy).toContain(
      'https://console.cloud.google.com/run/jobs/details/us-central1/nightly?project=app-prod',
    );
    expect(f.remedy).not.toMatch(/network|proxy|firewall/i);
    expect(f.resource).toBe(PLAN.jobName);
    expect(f.command).toBe('gcloud run jobs describe nightly --region=us-central1 --project=app-prod');
  });

  it('a job.yaml write whose job is still not Ready at the bound is the same finding (v1 has no operation)', () => {
    const error = new StepError(
      `wait for job ${PLAN.jobName} to become ready`,
      new NotReadyInTime(PLAN.jobName, 600_000),
    );
    const f = diagnose(error, { stage: 'deploy', plan: PLAN });
    expect(f.check).toBe('operation-unfinished');
    expect(f.evidence).toContain(`job ${PLAN.jobName} was not Ready after 600 s`);
    expect(f.remedy).toContain('had not finished it within 600 s');
    expect(f.remedy).not.toContain('(operation ');
    expect(f.command).toBe('gcloud run jobs describe nightly --region=us-central1 --project=app-prod');
  });

  it('another Cloud Run request (a run) is worded as a request, not a write', () => {
    const error = new StepError(`run job ${PLAN.jobName}`, new OperationTimeout(OP, 30_000));
    const f = diagnose(error, { stage: 'execute', plan: PLAN });
    expect(f.check).toBe('operation-unfinished');
    expect(f.title).toBe('Cloud Run accepted the request for job nightly but did not finish it in time');
    expect(f.remedy).not.toMatch(/network|re-run the workflow/i);
  });

  it('a request that got no answer at all is still "no answer" (the network remedy is right there)', () => {
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), {
      code: 'TimeoutError',
      config: { url: `https://run.googleapis.com/v2/${PLAN.jobName}`, timeout: 30_000 },
    });
    const f = diagnose(new StepError(`read job ${PLAN.jobName}`, timeout), { stage: 'deploy', plan: PLAN });
    expect(f.check).toBe('no-answer');
    expect(f.remedy).toContain("runner's network");
  });
});
