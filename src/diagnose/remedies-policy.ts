// Refusals by an organization policy: a constraint that refuses a job setting, and the domain
// restriction (iam.allowedPolicyMemberDomains) that refuses a grant. No IAM grant closes either:
// the remedy names the constraint, the setting it refuses and what to change, or whom to ask.
// Constraint facts: https://cloud.google.com/resource-manager/docs/organization-policy/org-policy-constraints
// (gcp.resourceLocations, gcp.restrictNonCmekServices, gcp.restrictCmekCryptoKeyProjects,
// iam.allowedPolicyMemberDomains, compute.*), and Cloud Run's own constraints (run.allowedIngress,
// run.allowedVPCEgress, run.allowedBinaryAuthorizationPolicies) in
// https://cloud.google.com/run/docs/securing/using-vpc-service-controls and the Binary Authorization guide
// https://cloud.google.com/binary-authorization/docs/run/enabling-binauthz-cloud-run.
import { shellQuote } from '../iam/commands.ts';
import type { Finding, Subject } from '../model.ts';
import { type Base, cmd, flag, withSubject } from './remedy-parts.ts';

interface Setting {
  subject?: Subject;
  /** The job setting the constraint decides, in words. */
  what: string;
  /** What the job can change to comply. */
  change: string;
}

/** What each constraint a job deploy can meet refuses, and how the job can comply. */
const SETTINGS: Record<string, Setting> = {
  'run.allowedVPCEgress': {
    subject: 'vpc_egress',
    what: 'VPC egress setting',
    change: 'set vpc_egress to a value the policy allows (all-traffic or private-ranges-only)',
  },
  'run.allowedBinaryAuthorizationPolicies': {
    subject: 'binary_authorization',
    what: 'Binary Authorization policy',
    change: 'set binary_authorization to a policy the constraint allows (e.g. default)',
  },
  'run.allowedIngress': { what: 'ingress setting', change: 'use an ingress value the policy allows' },
  'gcp.resourceLocations': {
    subject: 'region',
    what: 'location',
    change: 'deploy to a region the policy allows (set region), or create referenced resources there',
  },
  'gcp.restrictNonCmekServices': {
    subject: 'kms_key',
    what: 'encryption (the policy requires a customer-managed key)',
    change: 'set kms_key to a Cloud KMS key',
  },
  'gcp.restrictCmekCryptoKeyProjects': {
    subject: 'kms_key',
    what: 'encryption key project',
    change: 'use a kms_key from a project the policy allows',
  },
  'compute.restrictVpcPeering': {
    subject: 'network',
    what: 'network',
    change: 'use a network the policy allows',
  },
  'compute.requireOsLogin': { what: 'compute setting', change: 'ask an organization policy administrator' },
};

/** `orgpolicy:projects/123?configvalue=...` or `projects/p` -> the project the policy was evaluated on. */
export function policyProject(subject: string | undefined, text: string): string | undefined {
  const fromSubject =
    /(?:^|:)projects\/([a-z0-9-]+)/.exec(subject ?? '')?.[1] ??
    /\borgpolicy:projects\/([a-z0-9-]+)/.exec(text)?.[1];
  return (
    fromSubject ??
    /\b(?:for|on the resource) (?:\[?orgpolicy:)?projects?\/?\s?\[?([a-z0-9-]{4,30})\]?/.exec(text)?.[1]
  );
}

function describe(constraint: string, project: string): string {
  return cmd([
    'gcloud org-policies describe',
    shellQuote(constraint),
    '--effective',
    flag('project', project),
  ]);
}

export function orgConstraint(
  o: Base & { constraint: string; project: string | undefined; from: 'structure' | 'text' },
): Finding {
  const s = SETTINGS[o.constraint];
  const project = o.project ?? 'PROJECT_ID';
  const said = o.from === 'structure' ? 'PreconditionFailure names' : 'the message names';
  const f: Finding = {
    check: 'orgpolicy-constraint',
    status: 'failed',
    title: `Org policy constraint ${o.constraint} refuses the job's ${s?.what ?? 'configuration'}`,
    resource: `projects/${project}/policies/${o.constraint}`,
    evidence: o.evidence,
    remedy:
      `Google refused the write because ${said} constraints/${o.constraint}, enforced on project ${project} (or inherited). ` +
      `${s ? `To comply, ${s.change}` : 'Change the setting the constraint governs'}; otherwise ask an organization policy administrator for an exception on project ${project}. ` +
      'No IAM grant can close this, and iam: fix does not change org policies.',
    command: describe(o.constraint, project),
  };
  return withSubject(f, o.subject ?? s?.subject);
}

/** "User X is not in permitted organization." / `configvalue=X` -> X. */
export function refusedMember(subject: string | undefined, text: string): string | undefined {
  const byValue =
    /configvalue=([^\s&"']+)/.exec(subject ?? '')?.[1] ?? /configvalue=([^\s&"']+@[^\s&"']+)/.exec(text)?.[1];
  return byValue ?? /\bUser (\S+@\S+?)\s+is not in permitted organization/i.exec(text)?.[1];
}

export function grantBlocked(
  o: Base & { member: string | undefined; project: string | undefined; grantedHere?: boolean },
): Finding {
  const project = o.project ?? 'PROJECT_ID';
  const who = o.member ?? 'the member of the binding';
  const f: Finding = {
    check: 'grant-blocked',
    status: 'failed',
    title: `Org policy iam.allowedPolicyMemberDomains refuses a binding for ${who}`,
    evidence: o.evidence,
    remedy:
      `The domain restriction on project ${project} admits only members of the allowed Cloud Identity customers, and ${who} is not one. ` +
      'Re-running iam: fix is refused the same way. Either use a principal of your organization, or have an organization policy ' +
      'administrator allow its customer ID in constraints/iam.allowedPolicyMemberDomains (or grant an exception on this project).',
    resource: `projects/${project}/policies/iam.allowedPolicyMemberDomains`,
    command: describe('iam.allowedPolicyMemberDomains', project),
  };
  if (o.member) f.principal = o.member.includes(':') ? o.member : `serviceAccount:${o.member}`;
  return withSubject(f, o.subject);
}
