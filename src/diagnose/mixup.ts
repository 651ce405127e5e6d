// `service_account` is the job's runtime identity here but the deployer in
// google-github-actions/auth. A user who passes the deployer gets an actAs gap on the deployer
// itself, whose literal remedy widens the deployer. Detect the likely mix-up and say so.
import type { Policy } from '../gcp/iam.ts';
import type { PolicyResource } from '../iam/backend.ts';
import type { Read } from '../iam/reader.ts';
import type { DeployPlan, Finding } from '../model.ts';

const FEDERATED = /^principal(?:Set)?:\/\//;
const IMPERSONATION_ROLES = new Set([
  'roles/iam.workloadIdentityUser',
  'roles/iam.serviceAccountTokenCreator',
]);

function finding(plan: DeployPlan, title: string, evidence: string): Finding {
  return {
    check: 'service-account-mixup',
    status: 'warning',
    title,
    evidence,
    remedy:
      "In this action `service_account` is the identity the job runs as (google-github-actions/auth uses the same name for the deployer). Move the deployer to impersonate_service_account, create a runtime account holding only what the job needs and set service_account to it. Do not grant the deployer (or the repository's principal set) roles on itself or on the project to make this pass; iam: fix grants nothing while this is unresolved.",
    command: `gcloud iam service-accounts create JOB-runtime --project=${plan.project}`,
    resource: `projects/${plan.serviceAccountProject}/serviceAccounts/${plan.serviceAccount}`,
    subject: 'service_account',
  };
}

type PolicyRead = (resource: PolicyResource) => Promise<Read<Policy>>;
type PermissionTest = (resource: PolicyResource, permissions: string[]) => Promise<Read<string[]>>;

const IMPERSONATE = 'iam.serviceAccounts.getAccessToken';

/**
 * The warning, when the runtime account is the deployer the action runs as, or an account
 * workload identity federation may impersonate: read from its policy, or, when the policy is not
 * readable (the usual case: a federated caller may impersonate an account without reading its
 * policy), from testIamPermissions: a federated caller that may mint the account's tokens
 * (google-github-actions/auth's `service_account` set-up) was handed the deployer.
 */
export async function serviceAccountMixup(
  plan: DeployPlan,
  readPolicy?: PolicyRead,
  testPermissions?: PermissionTest,
): Promise<Finding | undefined> {
  const runtime = plan.serviceAccount.toLowerCase();
  if (plan.deployer && plan.deployer.toLowerCase() === runtime)
    return finding(
      plan,
      `service_account is the deployer ${plan.serviceAccount}, not a runtime account for the job`,
      `The action authenticates as ${plan.deployer}, and service_account names the same account: the job would run with the deployer's permissions.`,
    );
  if (!readPolicy || plan.serviceAccountIsDefault) return undefined;
  const resource = {
    kind: 'serviceAccount' as const,
    name: `projects/${plan.serviceAccountProject}/serviceAccounts/${plan.serviceAccount}`,
  };
  const read = await readPolicy(resource).catch(() => undefined);
  const policy = read?.ok ? read.value : undefined;
  const binding = policy?.bindings?.find(
    (b) => IMPERSONATION_ROLES.has(b.role ?? '') && (b.members ?? []).some((m) => FEDERATED.test(m)),
  );
  if (binding) {
    const who = (binding.members ?? []).find((m) => FEDERATED.test(m));
    return finding(
      plan,
      `service_account ${plan.serviceAccount} is an account workload identity federation impersonates (a deployer?)`,
      `Its IAM policy grants ${binding.role} to ${who}: GitHub workflows can act as it, which is what a deployer is for, not a job's runtime identity.`,
    );
  }
  // Only a federated caller (no impersonated deployer) can show the habit this way.
  const federated = !plan.deployer || FEDERATED.test(plan.deployer);
  if (policy || !federated || !testPermissions) return undefined;
  const held = await testPermissions(resource, [IMPERSONATE]).catch(() => undefined);
  if (!held?.ok || !held.value.includes(IMPERSONATE)) return undefined;
  return finding(
    plan,
    `service_account ${plan.serviceAccount} is an account this workflow may impersonate (the deployer?)`,
    `The workflow's federated identity${plan.deployer ? ` ${plan.deployer}` : ''} holds ${IMPERSONATE} on ${plan.serviceAccount} (testIamPermissions) and impersonate_service_account is not set: this is google-github-actions/auth's service_account, the deployer, not a runtime identity for the job.`,
  );
}
