// IAM deny policies (IAM v2 `policies` of kind denypolicies), as Google evaluates them: a
// policy attached to a project, folder or organization denies its rules' permissions to its
// rules' principals on every resource below, whatever allow policies grant; exception
// principals and permissions are carved out, and a rule whose denialCondition does not hold
// does not apply. Principals and permissions use the v2 forms:
// principal://iam.googleapis.com/projects/-/serviceAccounts/EMAIL, principal://goog/subject/EMAIL,
// principalSet://goog/group/EMAIL, principalSet://goog/public:all; SERVICE_FQDN/RESOURCE.VERB.
import { bindingConditionHolds } from './cel.ts';
import type { Caller, DenyRule, World, WorldDenyPolicy } from './contract.ts';
import { conditionResource, hierarchyOf, type PermissionVerdict, policyHolders } from './iam-engine.ts';
import { findProject } from './world-index.ts';
import { tagsOf } from './world-tags.ts';

/** run.jobs.create -> run.googleapis.com/jobs.create (the v2 permission form). */
export function permissionFqdn(permission: string): string {
  if (permission.includes('/')) return permission;
  const dot = permission.indexOf('.');
  return `${permission.slice(0, dot)}.googleapis.com/${permission.slice(dot + 1)}`;
}

/** The v2 principal identifiers a caller is known by (itself and its groups). */
export function v2Principals(caller: Caller | undefined): string[] {
  const out = ['principalSet://goog/public:all'];
  if (!caller) return out;
  const members = [caller.member, ...caller.alsoMatches];
  for (const m of members) {
    const [kind, rest = ''] = [m.slice(0, m.indexOf(':')), m.slice(m.indexOf(':') + 1)];
    if (kind === 'serviceAccount')
      out.push(`principal://iam.googleapis.com/projects/-/serviceAccounts/${rest.toLowerCase()}`);
    else if (kind === 'user') out.push(`principal://goog/subject/${rest.toLowerCase()}`);
    else if (kind === 'group') out.push(`principalSet://goog/group/${rest.toLowerCase()}`);
    else out.push(m);
  }
  return out;
}

/** Emails compare case-insensitively: lower the identifier after the last slash. */
function lowerTail(p: string): string {
  const i = p.lastIndexOf('/');
  return /^principal(Set)?:\/\/(goog|iam\.googleapis\.com\/projects\/-)\//.test(p)
    ? p.slice(0, i + 1) + p.slice(i + 1).toLowerCase()
    : p;
}

function permissionMatches(listed: string, fqdn: string): boolean {
  if (listed === fqdn) return true;
  // SERVICE/* and SERVICE/RESOURCE.* wildcards.
  return listed.endsWith('*') && fqdn.startsWith(listed.slice(0, -1));
}

/** Does this rule deny `permission` to the caller on `resource` now? */
export function ruleDenies(
  world: World,
  rule: DenyRule,
  principals: readonly string[],
  permission: string,
  resource: string,
  now: number,
): boolean {
  const fqdn = permissionFqdn(permission);
  const has = (list: string[] | undefined) => (list ?? []).map(lowerTail).some((p) => principals.includes(p));
  if (!has(rule.deniedPrincipals) || has(rule.exceptionPrincipals)) return false;
  if (!(rule.deniedPermissions ?? []).some((p) => permissionMatches(p, fqdn))) return false;
  if ((rule.exceptionPermissions ?? []).some((p) => permissionMatches(p, fqdn))) return false;
  if (!rule.denialCondition) return true;
  return bindingConditionHolds(rule.denialCondition.expression, {
    now,
    resource: conditionResource(world, resource),
    tags: tagsOf(world, policyHolders(world, resource)),
    deny: true,
  });
}

/** The deny policies attached to `point` (projects/ID|NUMBER, folders/N, organizations/N). */
export function denyPoliciesAt(world: World, point: string): WorldDenyPolicy[] {
  const canonical = canonicalPoint(world, point);
  return (world.denyPolicies ?? []).filter((p) => canonicalPoint(world, p.attachmentPoint) === canonical);
}

/** projects/NUMBER -> projects/ID, as worlds name projects by id. */
export function canonicalPoint(world: World, point: string): string {
  const m = /^projects\/([^/]+)$/.exec(point);
  const p = m?.[1] ? findProject(world, m[1]) : undefined;
  return p ? `projects/${p.id}` : point;
}

/** The deny policy (and rule) that denies, or undefined. */
export function denyingPolicy(
  world: World,
  caller: Caller | undefined,
  permission: string,
  resource: string,
  now = Date.now(),
): WorldDenyPolicy | undefined {
  if (!world.denyPolicies || world.denyPolicies.length === 0) return undefined;
  const principals = v2Principals(caller);
  for (const point of hierarchyOf(world, resource)) {
    for (const policy of denyPoliciesAt(world, point)) {
      if (policy.rules.some((r) => ruleDenies(world, r.denyRule, principals, permission, resource, now)))
        return policy;
    }
  }
  return undefined;
}

export const deniedBy: PermissionVerdict = (world, caller, permission, resource, now = Date.now()) =>
  denyingPolicy(world, caller, permission, resource, now) !== undefined;
