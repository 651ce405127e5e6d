// Policy evaluation as Google IAM does it, reduced to what the action's checks exercise:
// a permission on a resource is held when a binding on the resource or any ancestor
// (project -> folders -> organization) grants a role containing it to a member matching
// the caller, under its condition as evaluated at request time (request.time, resource.*),
// and no deny policy on the project, its folders or organization denies it (deny.ts).
// New bindings written through setIamPolicy only take effect after
// world.propagationDelayMs (see notePolicyWrite).
import { readFileSync } from 'node:fs';
import { bindingConditionHolds } from './cel.ts';
import type { Binding, Caller, Member, Policy, World } from './contract.ts';
import { deniedBy } from './deny.ts';
import { type ConnectedNode, connectedResource } from './world-connected.ts';
import {
  findFolder,
  findOrganization,
  findProject,
  findRepository,
  findSecret,
  findServiceAccount,
  projectOfEmail,
} from './world-index.ts';
import { tagsOf } from './world-tags.ts';

interface RoleDef {
  title: string;
  stage?: string;
  includedPermissions: string[];
}

export const ROLES_FILE = new URL('./data/roles.json', import.meta.url);
let predefined: Record<string, RoleDef> | undefined;

/**
 * Read and check the role data (startEmulator does this before it listens, so a missing or
 * broken file stops the emulator with its cause instead of surfacing as a 500 later).
 */
export function loadPredefinedRoles(file: URL | string = ROLES_FILE): Record<string, RoleDef> {
  const where = file instanceof URL ? file.pathname : file;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot load the role data ${where}: ${(e as Error).message}`);
  }
  const roles = (raw as { roles?: unknown } | null)?.roles;
  if (!roles || typeof roles !== 'object') throw new Error(`role data ${where} has no "roles" object`);
  for (const [name, def] of Object.entries(roles as Record<string, unknown>)) {
    const perms = (def as { includedPermissions?: unknown } | null)?.includedPermissions;
    if (!name.startsWith('roles/') || !Array.isArray(perms) || !perms.every((p) => typeof p === 'string'))
      throw new Error(
        `role data ${where}: ${JSON.stringify(name)} needs a roles/ name and includedPermissions strings`,
      );
  }
  predefined = roles as Record<string, RoleDef>;
  return predefined;
}

/** Real permission lists of the predefined roles this product touches. */
export function predefinedRoles(): Record<string, RoleDef> {
  return predefined ?? loadPredefinedRoles();
}

/** Role definition for `roles/x`, `projects/P/roles/x` or `organizations/O/roles/x`, or undefined when unknown. */
export function roleDefinition(world: World, role: string): RoleDef | undefined {
  if (role.startsWith('roles/')) return predefinedRoles()[role];
  const custom = world.customRoles.find(
    (r) => r.name === role || r.name === normaliseCustomRole(world, role),
  );
  if (!custom) return undefined;
  return {
    title: custom.title ?? role.split('/').pop() ?? role,
    includedPermissions: custom.includedPermissions,
  };
}

/** `projects/NUMBER/roles/x` -> `projects/ID/roles/x`, as custom roles are stored by project id. */
function normaliseCustomRole(world: World, role: string): string {
  const m = /^projects\/([^/]+)\/roles\/(.+)$/.exec(role);
  if (!m?.[1]) return role;
  const p = findProject(world, m[1]);
  return p ? `projects/${p.id}/roles/${m[2]}` : role;
}

export function roleGrants(world: World, role: string, permission: string): boolean {
  return roleDefinition(world, role)?.includedPermissions.includes(permission) ?? false;
}

// ---- members ----

function lowerEmailMember(m: Member): string {
  const i = m.indexOf(':');
  if (i < 0 || m.startsWith('principal')) return m;
  return `${m.slice(0, i)}:${m.slice(i + 1).toLowerCase()}`;
}

/** Groups (transitively) containing any of `members`. */
function groupsOf(world: World, members: Member[]): Member[] {
  const found = new Set<string>();
  const frontier = members.map(lowerEmailMember);
  while (frontier.length > 0) {
    const m = frontier.pop() as string;
    for (const g of world.groups) {
      const gm = `group:${g.email.toLowerCase()}`;
      if (!found.has(gm) && g.members.map(lowerEmailMember).includes(m)) {
        found.add(gm);
        frontier.push(gm);
      }
    }
  }
  return [...found];
}

/** Build a Caller for a member, with the groups the world puts it in. */
export function callerFor(world: World, member: Member, extra: Member[] = []): Caller {
  const email = /^(user|serviceAccount):(.+)$/.exec(member)?.[2];
  const caller: Caller = { member, alsoMatches: [...extra, ...groupsOf(world, [member, ...extra])] };
  if (email) caller.email = email;
  return caller;
}

/** Does a policy member entry match the caller (or the anonymous public when caller is undefined)? */
export function memberMatches(world: World, entry: Member, caller: Caller | undefined): boolean {
  if (entry === 'allUsers') return true;
  if (!caller) return false;
  if (entry === 'allAuthenticatedUsers') return true;
  const e = lowerEmailMember(entry);
  const own = [caller.member, ...caller.alsoMatches].map(lowerEmailMember);
  if (own.includes(e)) return true;
  if (e.startsWith('group:')) return groupsOf(world, own).includes(e);
  if (e.startsWith('domain:')) {
    const domain = e.slice('domain:'.length);
    return caller.member.startsWith('user:') && (caller.email ?? '').toLowerCase().endsWith(`@${domain}`);
  }
  return legacyProjectMember(world, entry, caller);
}

/**
 * Cloud Storage's convenience members projectOwner:ID, projectEditor:ID, projectViewer:ID: the
 * principals holding roles/owner, roles/editor or roles/viewer on that project (storage v1
 * Policy.bindings.members, gcloud's storage_v1_messages.py), without conditions.
 */
function legacyProjectMember(world: World, entry: Member, caller: Caller): boolean {
  const m = /^project(Owner|Editor|Viewer):(.+)$/.exec(entry);
  if (!m?.[1] || !m[2]) return false;
  const project = findProject(world, m[2]);
  const role = `roles/${m[1].toLowerCase()}`;
  return (project?.policy.bindings ?? []).some(
    (b) =>
      b.role === role &&
      !b.condition &&
      b.members.some((x) => !x.startsWith('project') && memberMatches(world, x, caller)),
  );
}

// ---- propagation delay ----

const pending = new WeakMap<Policy, Map<string, number>>();
const grantKey = (role: string, member: Member, b: Binding) =>
  `${role}\n${lowerEmailMember(member)}\n${b.condition?.expression ?? ''}`;

/**
 * Record a policy write: grants in `next` absent from `prev` become effective only after the
 * world's propagation delay; grants still propagating from earlier writes stay pending.
 */
export function notePolicyWrite(world: World, prev: Policy, next: Policy, now = Date.now()): void {
  const before = new Set<string>();
  for (const b of prev.bindings ?? []) for (const m of b.members) before.add(grantKey(b.role, m, b));
  const carried = pending.get(prev) ?? new Map<string, number>();
  const map = new Map<string, number>();
  for (const b of next.bindings ?? []) {
    for (const m of b.members) {
      const k = grantKey(b.role, m, b);
      const earlier = carried.get(k);
      if (earlier !== undefined && earlier > now) map.set(k, earlier);
      else if (!before.has(k) && world.propagationDelayMs > 0) map.set(k, now + world.propagationDelayMs);
    }
  }
  if (map.size > 0) pending.set(next, map);
}

function effective(policy: Policy, b: Binding, member: Member, now: number): boolean {
  const at = pending.get(policy)?.get(grantKey(b.role, member, b));
  return at === undefined || at <= now;
}

// ---- resources and ancestors ----

interface ChainLink {
  /** projects/ID, folders/N, organizations/N, or the resource itself. */
  name: string;
  policy: Policy;
  hierarchy: boolean;
}

/** The policies that apply to `resource`, nearest first, with where each is attached. */
function chainOf(world: World, resource: string): ChainLink[] {
  const name = resource.replace(/^\/\/[^/]+\//, '');
  const chain: ChainLink[] = [];
  const own = (policy: Policy) => chain.push({ name, policy, hierarchy: false });
  let project: string | undefined;
  const sa = /^projects\/([^/]+)\/serviceAccounts\/([^/:]+)/.exec(name);
  const repo = /^projects\/([^/]+)\/locations\/([^/]+)\/repositories\/([^/:]+)/.exec(name);
  const secret = /^projects\/([^/]+)\/secrets\/([^/:]+)/.exec(name);
  const job = /^projects\/([^/]+)\/locations\/([^/]+)\/jobs\/([^/:]+)/.exec(name);
  if (sa) {
    const email = decodeURIComponent(sa[2] as string);
    const account = findServiceAccount(world, email);
    if (account) own(account.policy);
    project = account?.project ?? (sa[1] !== '-' ? sa[1] : projectOfEmail(world, email));
  } else if (repo) {
    const r = findRepository(world, repo[1] as string, repo[2] as string, repo[3] as string);
    if (r) own(r.policy);
    project = repo[1];
  } else if (secret) {
    const s = findSecret(world, secret[1] as string, secret[2] as string);
    if (s) own(s.policy);
    project = secret[1];
  } else if (job) {
    // A job's own policy (executions inherit it); a job that does not exist has none.
    const id = findProject(world, job[1] as string)?.id ?? job[1];
    const key = `projects/${id}/locations/${job[2]}/jobs/${job[3]}`;
    const policy = world.jobs[key] ? world.jobPolicies?.[key] : undefined;
    if (policy) own(policy);
    project = job[1];
  } else if (connectedResource(world, name)) {
    const r = connectedResource(world, name) as ConnectedNode;
    if (r.policy) own(r.policy);
    // A key inherits its key ring's policy before the project's.
    for (const a of r.ancestors ?? []) chain.push({ name: a.name, policy: a.policy, hierarchy: false });
    project = r.project;
  } else {
    project = /^projects\/([^/:]+)/.exec(name)?.[1];
  }
  let parent: string | undefined;
  if (project) {
    const p = findProject(world, project);
    if (p) {
      chain.push({ name: `projects/${p.id}`, policy: p.policy, hierarchy: true });
      parent = p.parent;
    }
  } else if (/^(folders|organizations)\/[^/:]+/.test(name)) {
    parent = /^((?:folders|organizations)\/[^/:]+)/.exec(name)?.[1];
  }
  // Walk folders up to the organization; guard against cycles in hand-written scenarios.
  for (let depth = 0; parent && depth < 20; depth++) {
    const [kind, id = ''] = parent.split('/');
    if (kind === 'folders') {
      const f = findFolder(world, id);
      if (!f) break;
      chain.push({ name: parent, policy: f.policy, hierarchy: true });
      parent = f.parent;
    } else {
      const o = findOrganization(world, id);
      if (o) chain.push({ name: parent, policy: o.policy, hierarchy: true });
      break;
    }
  }
  return chain;
}

/** The policies that apply to `resource`, nearest first. Unknown resources still inherit from a derivable project. */
export function policyChain(world: World, resource: string): Policy[] {
  return chainOf(world, resource).map((l) => l.policy);
}

/** Names of every resource whose allow policy applies to `resource` (itself, then its ancestors). */
export function policyHolders(world: World, resource: string): string[] {
  return chainOf(world, resource).map((l) => l.name);
}

/** The project, folders and organization above `resource` (deny policies attach there). */
export function hierarchyOf(world: World, resource: string): string[] {
  return chainOf(world, resource)
    .filter((l) => l.hierarchy)
    .map((l) => l.name);
}

/**
 * What IAM conditions see of a resource: its name, type and service, for the services whose
 * resources carry resource attributes (Secret Manager, Resource Manager); empty otherwise,
 * as other services do not recognise resource attributes.
 */
export function conditionResource(
  world: World,
  resource: string,
): { name: string; type: string; service: string } {
  const name = resource.replace(/^\/\/[^/]+\//, '');
  const secret = /^projects\/([^/]+)\/secrets\/([^/:]+)$/.exec(name);
  if (secret) {
    const number = findProject(world, secret[1] as string)?.number ?? secret[1];
    return {
      name: `projects/${number}/secrets/${secret[2]}`,
      type: 'secretmanager.googleapis.com/Secret',
      service: 'secretmanager.googleapis.com',
    };
  }
  const project = /^projects\/([^/:]+)$/.exec(name);
  if (project) {
    const number = findProject(world, project[1] as string)?.number ?? project[1];
    return {
      name: `projects/${number}`,
      type: 'cloudresourcemanager.googleapis.com/Project',
      service: 'cloudresourcemanager.googleapis.com',
    };
  }
  return { name: '', type: '', service: '' };
}

/**
 * Does a binding's condition hold for this request? Evaluated as IAM does: `request.time`
 * is now, `resource` the accessed resource; an expression that cannot be evaluated grants
 * nothing.
 */
export function conditionGrants(world: World, b: Binding, resource: string, now = Date.now()): boolean {
  if (!b.condition) return true;
  return bindingConditionHolds(b.condition.expression, {
    now,
    resource: conditionResource(world, resource),
    tags: tagsOf(world, policyHolders(world, resource)),
  });
}

/** A verdict on one permission of a caller on a resource, at `now` (the wall clock unless given). */
export type PermissionVerdict = (
  world: World,
  caller: Caller | undefined,
  permission: string,
  resource: string,
  now?: number,
) => boolean;

/** The allow-policy verdict alone (Policy Troubleshooter explains the two separately). */
export const allowedByPolicies: PermissionVerdict = (
  world,
  caller,
  permission,
  resource,
  now = Date.now(),
) => {
  for (const policy of policyChain(world, resource)) {
    for (const b of policy.bindings ?? []) {
      if (!roleGrants(world, b.role, permission) || !conditionGrants(world, b, resource, now)) continue;
      for (const m of b.members) {
        if (memberMatches(world, m, caller) && effective(policy, b, m, now)) return true;
      }
    }
  }
  return false;
};

/** Allow policies grant it and no deny policy on the hierarchy takes it away. */
export const can: PermissionVerdict = (world, caller, permission, resource, now = Date.now()) =>
  allowedByPolicies(world, caller, permission, resource, now) &&
  !deniedBy(world, caller, permission, resource, now);

/** The subset of `permissions` the caller holds on `resource` (testIamPermissions). */
export function heldPermissions(
  world: World,
  caller: Caller,
  permissions: string[],
  resource: string,
): string[] {
  return permissions.filter((p) => can(world, caller, p, resource));
}
