// Pure IAM policy logic: does a member hold a permission given the policies of a resource and
// its ancestors, and how to add one binding while leaving everything else untouched.

import type { Policy } from '../gcp/iam.ts';
import type { ConditionalBinding } from './expiry.ts';

/** A policy together with the resource it is attached to (for evidence). */
export interface PolicyOnResource {
  resource: string;
  policy: Policy;
}

/** Role name -> its permissions; `undefined` when the role could not be expanded. */
export type RolePermissions = (role: string) => ReadonlySet<string> | undefined;

/** A binding's condition decided: true/false, or undefined when it depends on the unknown. */
export type DecideCondition = (condition: { title?: string; expression: string }) => boolean | undefined;

export type Evaluation = (
  | {
      outcome: 'granted';
      resource: string;
      role: string;
      via: string;
      condition?: string;
      /** The condition of the granting binding itself (a time-bound grant shows its end). */
      bound?: ConditionalBinding['condition'];
    }
  | { outcome: 'unverified'; reasons: string[] }
  | { outcome: 'not-granted' }
) & {
  /**
   * Conditional bindings that concern the member and permission, whatever their condition
   * decided: a deliberate restriction (time-bound, per resource) fix must not undo with an
   * unconditional grant.
   */
  conditional: string[];
  /** The same bindings, structured (expiry.ts reads their ends). */
  conditionalBindings: ConditionalBinding[];
};

/** How a policy member relates to the member being checked. */
export type MemberMatch = 'yes' | 'no' | 'unknown';

function lower(s: string): string {
  return s.toLowerCase();
}

function emailOf(member: string): string | undefined {
  const m = /^(user|serviceAccount|group):(.+)$/.exec(member);
  return m?.[2] ? lower(m[2]) : undefined;
}

// principal://iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/POOL/subject/S
// -> the pool prefix, which principalSet://.../POOL/* (and attribute sets) share.
const POOL_PREFIX =
  /^principal(?:Set)?:\/\/iam\.googleapis\.com\/(projects\/[^/]+\/locations\/[^/]+\/workloadIdentityPools\/[^/]+)\//;

/**
 * Does the policy member `bound` include `member`? 'unknown' when it might but cannot be
 * proven from here (a group we cannot expand, an attribute-based principal set).
 */
export function matchMember(bound: string, member: string): MemberMatch {
  if (bound.startsWith('deleted:')) return 'no';
  if (bound === 'allUsers' || bound === 'allAuthenticatedUsers') return 'yes';
  if (lower(bound) === lower(member)) return 'yes';
  if (bound.startsWith('group:')) return 'unknown';
  if (bound.startsWith('domain:')) {
    const email = emailOf(member);
    return email?.endsWith(`@${lower(bound.slice('domain:'.length))}`) ? 'yes' : 'no';
  }
  if (bound.startsWith('principalSet://')) {
    const boundPool = POOL_PREFIX.exec(bound)?.[1];
    if (boundPool) {
      // A workload identity pool set only ever holds principals of that pool.
      const memberPool = POOL_PREFIX.exec(member)?.[1];
      if (!memberPool || memberPool !== boundPool) return 'no';
      return bound.endsWith(`${boundPool}/*`) ? 'yes' : 'unknown';
    }
    // Other principal sets (e.g. all service accounts of a project) cannot be expanded here.
    return 'unknown';
  }
  return 'no';
}

function describeCondition(condition: { title?: string; expression: string }): string {
  return condition.title ? `'${condition.title}'` : `'${condition.expression}'`;
}

/**
 * Does `member` hold `permission` through any of `policies`? A grant whose condition holds
 * (decided by `decide`, e.g. a request.time bound not yet reached) wins like an unconditional
 * one; one whose condition is decided false grants nothing; any grant that cannot be proven
 * (undecidable condition, unexpandable group or role) makes the answer unverified with every
 * reason; otherwise not granted.
 */
export function evaluatePermission(
  member: string,
  permission: string,
  policies: readonly PolicyOnResource[],
  roles: RolePermissions,
  decide: DecideCondition = () => undefined,
): Evaluation {
  const reasons: string[] = [];
  const conditional: string[] = [];
  const conditionalBindings: ConditionalBinding[] = [];
  for (const { resource, policy } of policies) {
    for (const binding of policy.bindings ?? []) {
      const matches = binding.members.map((m) => [m, matchMember(m, member)] as const);
      const yes = matches.find(([, r]) => r === 'yes');
      const unknown = matches.filter(([, r]) => r === 'unknown');
      if (!yes && unknown.length === 0) continue;
      const perms = roles(binding.role);
      if (!perms) {
        reasons.push(`could not expand role ${binding.role} bound on ${resource}`);
        continue;
      }
      if (!perms.has(permission)) continue;
      if (binding.condition) {
        const where = `${binding.role} on ${resource} under condition ${describeCondition(binding.condition)}`;
        const structured = { resource, role: binding.role, condition: { ...binding.condition } };
        if (yes) {
          conditional.push(where);
          conditionalBindings.push(structured);
        }
        const holds = decide(binding.condition);
        if (holds === false) continue;
        if (holds === true && yes) {
          const condition = describeCondition(binding.condition);
          return {
            outcome: 'granted',
            resource,
            role: binding.role,
            via: yes[0],
            condition,
            bound: structured.condition,
            conditional,
            conditionalBindings,
          };
        }
        if (holds === undefined) {
          reasons.push(
            `granted by ${binding.role} on ${resource} only under condition ${describeCondition(binding.condition)}, which cannot be decided before the request`,
          );
          continue;
        }
      }
      if (yes)
        return {
          outcome: 'granted',
          resource,
          role: binding.role,
          via: yes[0],
          conditional,
          conditionalBindings,
        };
      for (const [m] of unknown) {
        reasons.push(
          `${binding.role} on ${resource} is granted to ${m}, whose members cannot be listed here`,
        );
      }
    }
  }
  return reasons.length > 0
    ? { outcome: 'unverified', reasons, conditional, conditionalBindings }
    : { outcome: 'not-granted', conditional, conditionalBindings };
}

/** Roles named in `policies` whose bindings could concern `member` (what needs expanding). */
export function rolesConcerning(member: string, policies: readonly PolicyOnResource[]): string[] {
  const roles = new Set<string>();
  for (const { policy } of policies) {
    for (const binding of policy.bindings ?? []) {
      if (binding.members.some((m) => matchMember(m, member) !== 'no')) roles.add(binding.role);
    }
  }
  return [...roles];
}

/** Does the policy already hold `member` in an unconditioned binding of `role`? */
export function hasBinding(policy: Policy, role: string, member: string): boolean {
  return (policy.bindings ?? []).some(
    (b) => b.role === role && !b.condition && b.members.some((m) => lower(m) === lower(member)),
  );
}

/**
 * A new policy with `member` added to the unconditioned binding of `role` (created at the
 * end if absent). Every other binding, condition, audit config and the etag are kept as
 * they were; version becomes 3 so conditional bindings survive the write.
 */
export function addBinding(policy: Policy, role: string, member: string): Policy {
  if (hasBinding(policy, role, member)) return policy;
  const bindings = policy.bindings ?? [];
  const index = bindings.findIndex((b) => b.role === role && !b.condition);
  const next =
    index >= 0
      ? bindings.map((b, i) => (i === index ? { ...b, members: [...b.members, member] } : b))
      : [...bindings, { role, members: [member] }];
  return { ...policy, version: 3, bindings: next };
}
