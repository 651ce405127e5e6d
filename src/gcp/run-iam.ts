// Cloud Run v2 jobs' own IAM policies: Cloud Run honours roles granted on one job (e.g.
// roles/run.developer or roles/run.jobsExecutor there), and testIamPermissions on the job
// answers with what the caller holds on it, inherited project grants included.
import { run_v2 } from '@googleapis/run/build/v2';
import { decodeAnswer, permissionsAnswer } from './answer.ts';
import { type ApiContext, clientOptions } from './clients.ts';
import { CALL_OPTIONS, decodePolicy, type Policy, type ReadPolicy } from './iam.ts';

const SERVICE = 'run.googleapis.com';

export function createJobPoliciesClient(o: ApiContext) {
  const jobs = new run_v2.Run(clientOptions('run', o)).projects.locations.jobs;
  return {
    async getIamPolicy(job: string): Promise<ReadPolicy> {
      const res = await jobs.getIamPolicy(
        { resource: job, 'options.requestedPolicyVersion': 3 },
        CALL_OPTIONS,
      );
      return decodePolicy(SERVICE, res.data);
    },
    async setIamPolicy(job: string, policy: Policy): Promise<ReadPolicy> {
      const res = await jobs.setIamPolicy(
        {
          resource: job,
          requestBody: { policy: policy as run_v2.Schema$GoogleIamV1Policy, updateMask: 'bindings,etag' },
        },
        CALL_OPTIONS,
      );
      return decodePolicy(SERVICE, res.data);
    },
    async testIamPermissions(job: string, permissions: string[]): Promise<string[]> {
      const res = await jobs.testIamPermissions(
        { resource: job, requestBody: { permissions } },
        CALL_OPTIONS,
      );
      return decodeAnswer(SERVICE, 'a TestIamPermissionsResponse', permissionsAnswer, res.data);
    },
  };
}
