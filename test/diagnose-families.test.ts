// The new kinds decided from the job's own facts where Google's words are ambiguous: a connector
// (other region, missing, own project, other project), Cloud SQL (instance missing vs not
// authorized), a :run of a job that does not exist, and the unknown that keeps Google's words.
import { describe, expect, it } from 'vitest';
import { diagnose, diagnoseCondition } from '../src/diagnose/index.ts';
import type { DeployPlan } from '../src/model.ts';
import { PLAN } from './fixtures/errors/plan.ts';
import { googleError } from './helpers/google-error.ts';

// The emulator's wording for a connector Cloud Run cannot use (test/emulator/run-connected.ts).
const connector = (name: string) => ({
  code: 9,
  message: `VPC connector ${name} does not exist, or Cloud Run does not have permission to use it. Grant the Cloud Run Service Agent service-123456789012@serverless-robot-prod.iam.gserviceaccount.com the Serverless VPC Access User role (roles/vpcaccess.user) on project net-host.`,
});
/** A failed operation's status as the deploy step meets it. */
const atDeploy = (status: { code: number; message: string }) =>
  diagnose(status, { stage: 'deploy', plan: PLAN });

describe('connector failures', () => {
  it('a connector in another region is named as such, with no grant', () => {
    const f = atDeploy(connector('projects/net-host/locations/europe-west1/connectors/c1'));
    expect(f).toMatchObject({
      check: 'vpc-connector',
      subject: 'vpc_connector',
      resource: 'projects/net-host/locations/europe-west1/connectors/c1',
    });
    expect(f.title).toContain('is in europe-west1, the job in us-central1');
    expect(f.grant).toBeUndefined();
  });

  it("a connector of the job's own project: the service agent lost roles/run.serviceAgent (or it does not exist)", () => {
    const f = atDeploy(connector('projects/app-prod/locations/us-central1/connectors/c1'));
    expect(f).toMatchObject({
      check: 'agent-role',
      role: 'roles/run.serviceAgent',
      resource: 'projects/app-prod',
    });
    expect(f.grant).toBeUndefined();
  });

  it('a connector of another project: roles/vpcaccess.user on that project', () => {
    const f = atDeploy(connector('projects/net-host/locations/us-central1/connectors/c1'));
    expect(f).toMatchObject({
      check: 'agent-connector',
      role: 'roles/vpcaccess.user',
      resource: 'projects/net-host',
    });
  });

  it('a connector Google says is not found', () => {
    const f = atDeploy({
      code: 5,
      message: 'VPC connector projects/app-prod/locations/us-central1/connectors/c9 was not found.',
    });
    expect(f.check).toBe('vpc-connector');
    expect(f.title).toContain('does not exist');
  });

  it('the Serverless VPC Access API disabled in the connector project points at vpc_connector', () => {
    const f = diagnose(
      googleError(
        403,
        {
          code: 403,
          status: 'PERMISSION_DENIED',
          message:
            'Serverless VPC Access API has not been used in project net-host before or it is disabled.',
          details: [
            {
              '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
              reason: 'SERVICE_DISABLED',
              domain: 'googleapis.com',
              metadata: { consumer: 'projects/net-host', service: 'vpcaccess.googleapis.com' },
            },
          ],
        },
        '403',
      ),
      { stage: 'deploy', plan: PLAN },
    );
    expect(f).toMatchObject({
      check: 'api-disabled',
      subject: 'vpc_connector',
      resource: 'projects/net-host/services/vpcaccess.googleapis.com',
    });
  });
});

describe('Cloud SQL from a failed task log (the emulator and the connectors word it so)', () => {
  const details = (line: string) => ({
    failedTasks: [{ index: 0, exitCode: 1 }],
    log: { task: 0, lines: [line] },
  });
  const failed = {
    type: 'Completed',
    state: 'CONDITION_FAILED',
    executionReason: 'NON_ZERO_EXIT_CODE',
    message: 'Task failed',
  };
  const base =
    'Cloud SQL connection failed. Please see https://cloud.google.com/sql/docs/mysql/connect-run for additional details: ensure that the account has access to "app-prod:us-central1:db" (and make sure there\'s no typo in that name). Error during generateEphemeral for app-prod:us-central1:db: ';

  it('instance missing', () => {
    const f = diagnoseCondition(failed, {
      stage: 'execute',
      plan: PLAN,
      details: details(
        `${base}googleapi: Error 404: The Cloud SQL instance does not exist., instanceDoesNotExist`,
      ),
    });
    expect(f).toMatchObject({
      check: 'cloudsql-instance',
      subject: 'cloudsql_instances',
      resource: 'projects/app-prod/instances/db',
    });
  });

  it('not authorized: roles/cloudsql.client on the instance project, for the runtime account', () => {
    const f = diagnoseCondition(failed, {
      stage: 'execute',
      plan: PLAN,
      details: details(
        `${base}googleapi: Error 403: The client is not authorized to make this request., notAuthorized`,
      ),
    });
    expect(f).toMatchObject({
      check: 'runtime-cloudsql',
      role: 'roles/cloudsql.client',
      resource: 'projects/app-prod',
      principal: `serviceAccount:${PLAN.serviceAccount}`,
    });
  });

  it('a log with no known cause stays an execution failure', () => {
    const f = diagnoseCondition(failed, {
      stage: 'execute',
      plan: PLAN,
      details: details('panic: index out of range'),
    });
    expect(f?.check).toBe('execution-failed');
  });
});

describe('runs and unknowns', () => {
  it('a :run answered NOT_FOUND is the job not found, with the command that lists the jobs', () => {
    const plan: DeployPlan = { ...PLAN };
    const f = diagnose(
      googleError(404, { code: 404, status: 'NOT_FOUND', message: 'Requested entity was not found.' }, '404'),
      { stage: 'execute', plan },
    );
    expect(f).toMatchObject({ check: 'job-not-found', subject: 'job', resource: PLAN.jobName });
    expect(f.command).toBe('gcloud run jobs list --region=us-central1 --project=app-prod');
  });

  it('an unknown failure keeps Google status and message in its title', () => {
    const f = diagnose(
      googleError(
        409,
        {
          code: 409,
          status: 'ALREADY_EXISTS',
          message: 'Resource already exists in the project.',
        },
        '409',
      ),
      { stage: 'deploy', plan: PLAN },
    );
    expect(f.check).toBe('unknown');
    expect(f.title).toBe(
      'Unclassified failure: ALREADY_EXISTS (HTTP 409): Resource already exists in the project.',
    );
  });
});
