// The organization's list constraints that can refuse this job, each mapped to the job setting
// it restricts, read (Org Policy v2 effective policy) before any write. Which constraints:
// gcp.resourceLocations (the region), run.allowedVPCEgress (all-traffic / private-ranges-only;
// values as hardened organizations set them, e.g. GoogleCloudPlatform/cloud-foundation-fabric
// org policies), run.allowedBinaryAuthorizationPolicies (`default` or a policy's name; a job
// that sets none has no value, which a non-empty allowed list refuses), gcp.restrictNonCmekServices
// (run.googleapis.com denied: a customer-managed key is required) and
// gcp.restrictCmekCryptoKeyProjects (the key's project, `under:` a project, folder or
// organization). iam.disableCrossProjectServiceAccountUsage is its own row (rows-core.ts);
// iam.allowedPolicyMemberDomains is read before a grant is planned (member-domains.ts).
import type { ConstraintCheck } from './requirements.ts';
import type { RequirementRow } from './rows.ts';

const orgPolicyJob: RequirementRow = {
  check: 'orgpolicy-job',
  type: 'org-constraints',
  who: 'organization',
  permissions: ['orgpolicy.policy.get'],
  grantableAt: [],
  closedBy: 'none',
  source:
    "Org Policy v2 getEffectivePolicy (gcloud's orgpolicy v2 messages); the constraints' values as organizations set them",
  expand: (plan) => {
    const r = plan.resources;
    const admin = 'an organization policy administrator';
    const constraints: ConstraintCheck[] = [
      {
        constraint: 'gcp.resourceLocations',
        value: plan.region,
        setting: 'region',
        subject: 'region',
        match: 'location',
        remedy: `Deploy to a region the organization allows, or ask ${admin} to allow ${plan.region} in gcp.resourceLocations.`,
      },
      {
        constraint: 'run.allowedVPCEgress',
        ...(r?.vpcEgress ? { value: r.vpcEgress } : {}),
        setting: 'VPC egress',
        subject: r?.connector ? 'vpc_connector' : 'network',
        match: 'exact',
        remedy: `Send the job's traffic through a VPC (network/subnet or vpc_connector) with a vpc_egress the organization allows, or ask ${admin} to allow it in run.allowedVPCEgress.`,
      },
      {
        constraint: 'run.allowedBinaryAuthorizationPolicies',
        ...(r?.binaryAuthorization ? { value: r.binaryAuthorization } : {}),
        setting: 'Binary Authorization policy',
        subject: 'job',
        match: 'exact',
        remedy: `Set binary_authorization to a policy the organization allows, or ask ${admin} to allow it in run.allowedBinaryAuthorizationPolicies.`,
      },
    ];
    const key = r?.kmsKey;
    const keyProject = key ? /^projects\/([^/]+)/.exec(key)?.[1] : undefined;
    if (keyProject)
      constraints.push({
        constraint: 'gcp.restrictCmekCryptoKeyProjects',
        value: keyProject,
        setting: "encryption key's project",
        subject: 'kms_key',
        match: 'under',
        remedy: `Use a Cloud KMS key from a project the organization allows, or ask ${admin} to allow project ${keyProject} in gcp.restrictCmekCryptoKeyProjects.`,
      });
    else
      constraints.push({
        constraint: 'gcp.restrictNonCmekServices',
        value: 'run.googleapis.com',
        setting: 'encryption (no customer-managed key)',
        subject: 'kms_key',
        match: 'exact',
        remedy: `The organization requires a customer-managed encryption key for Cloud Run: set kms_key to a Cloud KMS key (the Cloud Run service agent needs roles/cloudkms.cryptoKeyEncrypterDecrypter on it).`,
      });
    return [
      {
        type: 'org-constraints',
        check: 'orgpolicy-job',
        title: `The organization's policies refuse this job's settings in project ${plan.project}`,
        holds: `The organization's policies allow this job's settings in project ${plan.project}`,
        subject: 'job',
        project: plan.project,
        constraints,
      },
    ];
  },
};

export const ORG_POLICY_ROWS: readonly RequirementRow[] = [orgPolicyJob];
