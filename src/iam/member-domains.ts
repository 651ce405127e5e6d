// iam.allowedPolicyMemberDomains (domain restricted sharing), read before a grant is planned:
// setIamPolicy refuses a new member outside the customers the effective policy permits (400
// FAILED_PRECONDITION "One or more users named in the policy do not belong to a permitted
// customer.", e.g. terraform-google-modules/terraform-example-foundation#1454, where a Google
// service agent (gcp-sa-logging) was refused; GoogleCloudPlatform/cloud-foundation-fabric#1835,
// a system.gserviceaccount.com account). Allowed values are Cloud Identity customer IDs, which
// the action cannot map an arbitrary member to; what it can tell: Google's own service agents
// belong to no customer of the organization, so a restricted policy refuses them. Such a grant
// is dropped from the plan (fix never attempts it) with the reason; other members are left to
// the write, which reports a refusal.
import type { Finding } from '../model.ts';
import { exactMatch, listVerdict } from './org-constraints.ts';
import type { Reader } from './reader.ts';
import type { Requirement } from './requirements.ts';

export const MEMBER_DOMAINS = 'iam.allowedPolicyMemberDomains';

/** Google-managed service agents: they belong to Google, not to the organization's customer. */
export function isGoogleServiceAgent(member: string): boolean {
  return /^serviceAccount:[^@]+@(serverless-robot-prod\.iam|gcp-sa-[a-z0-9-]+\.iam|system)\.gserviceaccount\.com$/.test(
    member,
  );
}

/** The project whose effective policy judges a grant on `resource`. */
async function projectOf(resource: string, reader: Reader): Promise<string | undefined> {
  const own = /^projects\/([^/_][^/]*)/.exec(resource)?.[1];
  if (own) return own;
  const parent = await reader.parent(resource);
  return parent.ok ? /^projects\/([^/]+)$/.exec(parent.value ?? '')?.[1] : undefined;
}

/**
 * Drop planned grants that the organization's iam.allowedPolicyMemberDomains would refuse,
 * saying why; a policy that cannot be read is a caveat (the write reports a refusal).
 */
export async function screenGrantMembers(
  findings: Finding[],
  deps: { reader: Reader; caveat?: (text: string) => void },
): Promise<void> {
  const planned = findings.filter(
    (f) =>
      f.grant &&
      (f.status === 'missing' || f.status === 'unverified') &&
      isGoogleServiceAgent(f.grant.member),
  );
  await Promise.all(
    planned.map(async (f) => {
      const grant = f.grant;
      if (!grant) return;
      const project = await projectOf(grant.resource, deps.reader);
      if (!project) return;
      const read = await deps.reader.orgPolicy(project, MEMBER_DOMAINS);
      if (!read.ok) {
        deps.caveat?.(
          `${MEMBER_DOMAINS} on project ${project} could not be read (${read.error.message}): a grant to a Google service agent there may be refused when it is written.`,
        );
        return;
      }
      // A service agent is in no customer the policy can list: any allowed list leaves it out.
      const verdict = listVerdict(read.value, '(a Google service agent)', exactMatch);
      if (verdict.state !== 'denied') return;
      delete f.grant;
      f.status = 'missing';
      f.evidence += ` The effective policy of ${MEMBER_DOMAINS} on project ${project} ${verdict.why}: ${grant.member} is a Google service agent, outside every customer the organization permits, so setIamPolicy would refuse this grant (FAILED_PRECONDITION); fix does not attempt it.`;
      f.remedy = `An organization policy administrator must let project ${project} grant to Google's service agents (an exception to ${MEMBER_DOMAINS}, e.g. allowing all values on that project), then ${f.remedy ? f.remedy.charAt(0).toLowerCase() + f.remedy.slice(1) : 'grant the role'}`;
    }),
  );
}

/**
 * Start, without waiting, the reads screenGrantMembers will make: the policy of each project
 * where a grant to a Google service agent could be planned, read alongside the checks so the
 * screen adds no round trip after them.
 */
export function prefetchMemberDomains(requirements: readonly Requirement[], reader: Reader): void {
  for (const r of requirements) {
    if (r.type !== 'principal' || !isGoogleServiceAgent(r.grant.member)) continue;
    const project = /^projects\/([^/_][^/]*)/.exec(r.grant.resource)?.[1];
    if (project) void reader.orgPolicy(project, MEMBER_DOMAINS);
  }
}
