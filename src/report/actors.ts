// Who must act on a gap, and with which permission: a binding `iam: fix` may make is the
// deployer's to close (when it may set that resource's IAM policy) or an administrator's; a
// binding the action never makes itself (the deployer's own roles, org policies) is an
// administrator's alone.
import type { Finding, Grant } from '../model.ts';

/** The permission that lets someone add a binding to each kind of policy. */
export const SET_IAM_POLICY: Record<Grant['kind'], string> = {
  serviceAccount: 'iam.serviceAccounts.setIamPolicy',
  repository: 'artifactregistry.repositories.setIamPolicy',
  secret: 'secretmanager.secrets.setIamPolicy',
  project: 'resourcemanager.projects.setIamPolicy',
  subnetwork: 'compute.subnetworks.setIamPolicy',
  bucket: 'storage.buckets.setIamPolicy',
  cryptoKey: 'cloudkms.cryptoKeys.setIamPolicy',
  job: 'run.jobs.setIamPolicy',
};

/** gcloud command prefix -> the policy it edits, for gaps that carry a command but no grant. */
const COMMAND_KIND: Array<[RegExp, Grant['kind']]> = [
  [/^gcloud iam service-accounts add-iam-policy-binding /, 'serviceAccount'],
  [/^gcloud artifacts repositories add-iam-policy-binding /, 'repository'],
  [/^gcloud secrets add-iam-policy-binding /, 'secret'],
  [/^gcloud projects add-iam-policy-binding /, 'project'],
  [/^gcloud compute networks subnets add-iam-policy-binding /, 'subnetwork'],
  [/^gcloud storage buckets add-iam-policy-binding /, 'bucket'],
  [/^gcloud kms keys add-iam-policy-binding /, 'cryptoKey'],
  [/^gcloud run jobs add-iam-policy-binding /, 'job'],
];

export interface Actor {
  /** `iam: fix` can make this grant (the deployer acts, if it holds `permission`). */
  byFix: boolean;
  /** The permission whoever acts needs, when the remedy is a binding. */
  permission?: string;
  /** The preflight tested it: the deployer holds `permission` there (true) or not (false). */
  deployerMay?: boolean;
}

export function actorFor(f: Finding): Actor {
  if (f.grant)
    return {
      byFix: true,
      permission: SET_IAM_POLICY[f.grant.kind],
      ...(f.deployerMayGrant !== undefined ? { deployerMay: f.deployerMayGrant } : {}),
    };
  const kind = COMMAND_KIND.find(([re]) => re.test(f.command ?? ''))?.[1];
  return kind ? { byFix: false, permission: SET_IAM_POLICY[kind] } : { byFix: false };
}
