// Cloud Run v2 jobs' own IAM policies: Cloud Run honours roles granted on one job (e.g.
// roles/run.developer or roles/run.jobsExecutor there), and testIamPermissions on the job
// answers with what the caller holds on it, inherited project grants included.
import type { ApiContext } from './clients.ts';
import { policyCalls } from './iam.ts';

/** Jobs are named projects/P/locations/R/jobs/J; getIamPolicy is a GET (run v2 discovery). */
export function createJobPoliciesClient(o: ApiContext) {
  return policyCalls(o, 'run', 'v2', 'get-query');
}
