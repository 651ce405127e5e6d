// Deny policies for principals other than the caller: an allow grant does not hold if a deny
// policy on the project, a folder or the organization takes the permission away. First ask
// the Policy Troubleshooter (one call, allow and deny both, as far as the caller may read
// them); when it cannot tell, read the deny policies of the hierarchy and evaluate them here.
// The troubleshooter is skipped when the deny policies read (early, in parallel with the allow
// policies) have no rule naming the principal: that answer needs no project number.
// When neither can see them, the verdict is unknown: never "not denied".
import type { DenyPolicy, DenyRule } from '../gcp/deny-policies.ts';
import type { PolicyResource } from './backend.ts';
import { type ConditionFacts, decideCondition } from './conditions.ts';
import type { Reader } from './reader.ts';

export type DenyVerdict =
  | { state: 'denied'; evidence: string }
  | { state: 'not-denied'; evidence: string }
  | {
      state: 'unknown';
      reasons: string[];
      /** A deny policy that was read may deny it (not only: some could not be read). */
      undecided?: boolean;
    };

/** What the Policy Troubleshooter said of the allow side, when it could tell. */
export type TroubleshooterAllow = 'granted' | 'not-granted' | undefined;

const SERVICE: Record<PolicyResource['kind'], string> = {
  serviceAccount: 'iam.googleapis.com',
  repository: 'artifactregistry.googleapis.com',
  secret: 'secretmanager.googleapis.com',
  job: 'run.googleapis.com',
  project: 'cloudresourcemanager.googleapis.com',
  folder: 'cloudresourcemanager.googleapis.com',
  organization: 'cloudresourcemanager.googleapis.com',
  subnetwork: 'compute.googleapis.com',
  bucket: 'storage.googleapis.com',
  cryptoKey: 'cloudkms.googleapis.com',
};

export function fullResourceName(r: PolicyResource): string {
  return `//${SERVICE[r.kind]}/${r.name}`;
}

/** iam.serviceAccounts.getAccessToken -> iam.googleapis.com/serviceAccounts.getAccessToken */
export function permissionFqdn(permission: string): string {
  const dot = permission.indexOf('.');
  return `${permission.slice(0, dot)}.googleapis.com/${permission.slice(dot + 1)}`;
}

/** serviceAccount:x / user:x -> the v2 principal identifier deny rules name it by. */
function v2Principal(member: string): string | undefined {
  const m = /^(serviceAccount|user):(.+)$/.exec(member);
  if (!m?.[2]) return undefined;
  const email = m[2].toLowerCase();
  return m[1] === 'serviceAccount'
    ? `principal://iam.googleapis.com/projects/-/serviceAccounts/${email}`
    : `principal://goog/subject/${email}`;
}

type Tri = boolean | undefined;

/** Is the principal among `listed`? undefined when a set it might belong to cannot be expanded. */
function listedPrincipal(listed: readonly string[], principal: string): Tri {
  let unknown = false;
  for (const raw of listed) {
    // Emails compare case-insensitively: lower the identifier after the last slash.
    const cut = raw.lastIndexOf('/') + 1;
    const p = raw.startsWith('principal') ? raw.slice(0, cut) + raw.slice(cut).toLowerCase() : raw;
    if (p === principal || p === 'principalSet://goog/public:all') return true;
    if (p.startsWith('principalSet://')) unknown = true;
  }
  return unknown ? undefined : false;
}

function listedPermission(listed: readonly string[] | undefined, fqdn: string): boolean {
  return (listed ?? []).some((p) => p === fqdn || (p.endsWith('*') && fqdn.startsWith(p.slice(0, -1))));
}

/** Does one rule deny? true, false, or undefined (a group, a principal set or a tag condition). */
export function ruleDenies(rule: DenyRule, member: string, permission: string, facts: ConditionFacts): Tri {
  const principal = v2Principal(member);
  const fqdn = permissionFqdn(permission);
  if (!listedPermission(rule.deniedPermissions, fqdn) || listedPermission(rule.exceptionPermissions, fqdn))
    return false;
  if (!principal) return undefined;
  const denied = listedPrincipal(rule.deniedPrincipals ?? [], principal);
  if (denied === false) return false;
  const excepted = listedPrincipal(rule.exceptionPrincipals ?? [], principal);
  if (excepted === true) return false;
  const condition = rule.denialCondition?.expression
    ? decideCondition(rule.denialCondition.expression, facts)
    : true;
  if (denied === true && excepted === false && condition === true) return true;
  if (condition === false) return false;
  return undefined;
}

/** A rule in words: its place in the policy, what it denies to whom, its condition. */
function ruleLabel(index: number, rule: DenyRule | undefined): string {
  const denies = (rule?.deniedPermissions ?? []).join(', ');
  const to = (rule?.deniedPrincipals ?? []).join(', ');
  const when = rule?.denialCondition
    ? ` when '${rule.denialCondition.title ?? rule.denialCondition.expression}'`
    : '';
  return `rule ${index + 1}: denies ${denies} to ${to}${when}`;
}

function policyLabel(p: DenyPolicy): string {
  return p.displayName ? `${p.name} ('${p.displayName}')` : p.name;
}

/** Evaluate the deny policies attached to each name of `hierarchy`. */
async function fromPolicies(
  reader: Reader,
  hierarchy: readonly string[],
  member: string,
  permission: string,
  facts: ConditionFacts,
): Promise<DenyVerdict> {
  const reads = await Promise.all(hierarchy.map((h) => reader.denyPolicies(h)));
  const reasons: string[] = [];
  let undecided = false;
  for (const [i, read] of reads.entries()) {
    if (!read.ok) {
      reasons.push(`deny policies not readable on ${hierarchy[i]} (${read.error.message})`);
      continue;
    }
    for (const policy of read.value) {
      for (const [n, rule] of policy.rules.entries()) {
        const verdict = rule.denyRule ? ruleDenies(rule.denyRule, member, permission, facts) : false;
        if (verdict === true)
          return {
            state: 'denied',
            evidence: `deny policy ${policyLabel(policy)} on ${hierarchy[i]} denies it (${ruleLabel(n, rule.denyRule)})`,
          };
        if (verdict === undefined) undecided = true;
        if (verdict === undefined)
          reasons.push(
            `deny policy ${policyLabel(policy)} on ${hierarchy[i]} may deny it (a principal set or condition that cannot be decided here)`,
          );
      }
    }
  }
  if (reasons.length > 0) return { state: 'unknown', reasons, ...(undecided ? { undecided } : {}) };
  return { state: 'not-denied', evidence: `no deny policy on ${hierarchy.join(', ')} denies it` };
}

/**
 * "Not denied", when every deny policy of the whole hierarchy was read and no rule names the
 * principal (or each one that does also exempts it by name); otherwise undefined. Only the
 * principal is matched here: a rule that names it is left to the troubleshooter, whatever
 * permissions it lists (permission aliases and wildcards are Google's to expand).
 */
async function namesNoRuleFor(
  reader: Reader,
  hierarchy: readonly string[],
  member: string,
): Promise<DenyVerdict | undefined> {
  const principal = v2Principal(member);
  if (!principal || hierarchy.length === 0) return undefined;
  const reads = await Promise.all(hierarchy.map((h) => reader.denyPolicies(h)));
  for (const read of reads) {
    if (!read.ok) return undefined;
    for (const { denyRule } of read.value.flatMap((p) => p.rules)) {
      if (!denyRule) continue;
      const denied = denyRule.deniedPrincipals ?? [];
      // A service account named by its unique id could be this one: not decided here.
      const byId = denied.some((p) => /\/serviceAccounts\/[^@/]+$/.test(p));
      if (!byId && listedPrincipal(denied, principal) === false) continue;
      if (listedPrincipal(denyRule.exceptionPrincipals ?? [], principal) === true) continue;
      return undefined;
    }
  }
  return { state: 'not-denied', evidence: `no deny rule on ${hierarchy.join(', ')} names it` };
}

/**
 * The deny verdict for `member` holding `permission` on `resource`, plus the troubleshooter's
 * allow verdict when it gave one (it can see allow policies the caller's own reads could not).
 */
export async function denyVerdict(
  reader: Reader,
  o: {
    member: string;
    permission: string;
    resource: PolicyResource;
    /** Every ancestor of the resource, when the walk reached the top. */
    hierarchy: readonly string[];
    facts: ConditionFacts;
    /**
     * The allow side is decided without the troubleshooter and `hierarchy` is complete: when
     * the deny policies read show no rule for the principal, the troubleshooter is not asked.
     */
    settled?: boolean;
  },
): Promise<{ deny: DenyVerdict; allow: TroubleshooterAllow }> {
  if (o.settled) {
    const clear = await namesNoRuleFor(reader, o.hierarchy, o.member);
    if (clear) return { deny: clear, allow: undefined };
  }
  const email = /^(?:serviceAccount|user):(.+)$/.exec(o.member)?.[1];
  let allow: TroubleshooterAllow;
  let asked = '';
  if (email) {
    const t = await reader.troubleshoot({
      principal: email,
      fullResourceName: fullResourceName(o.resource),
      permission: o.permission,
    });
    if (t.ok) {
      const a = t.value.allowPolicyExplanation?.allowAccessState;
      allow =
        a === 'ALLOW_ACCESS_STATE_GRANTED'
          ? 'granted'
          : a === 'ALLOW_ACCESS_STATE_NOT_GRANTED'
            ? 'not-granted'
            : undefined;
      const d = t.value.denyPolicyExplanation?.denyAccessState;
      if (d === 'DENY_ACCESS_STATE_DENIED') {
        // Name the policy and its rule when the deny policies can be read.
        const named = await fromPolicies(reader, o.hierarchy, o.member, o.permission, o.facts);
        const which = named.state === 'denied' ? `: ${named.evidence}` : '';
        return {
          deny: {
            state: 'denied',
            evidence: `the Policy Troubleshooter reports a deny policy denies it${which}`,
          },
          allow,
        };
      }
      if (d === 'DENY_ACCESS_STATE_NOT_DENIED')
        return {
          deny: {
            state: 'not-denied',
            evidence: 'the Policy Troubleshooter finds no deny policy denying it',
          },
          allow,
        };
      asked = `the Policy Troubleshooter could not evaluate the deny policies (${d ?? 'no deny verdict'})`;
    } else {
      asked = `the Policy Troubleshooter was not available (${t.error.message})`;
    }
  }
  const deny = await fromPolicies(reader, o.hierarchy, o.member, o.permission, o.facts);
  if (deny.state === 'unknown' && asked) deny.reasons.unshift(asked);
  return { deny, allow };
}
