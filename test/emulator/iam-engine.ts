// Policy evaluation as Google IAM does it, reduced to what the action's checks exercise:
// a permission on a resource is held when a binding on the resource or any ancestor
// (project -> folders -> organization) grants a role containing it to a member matching
// the caller. Conditional bindings grant nothing unless their expression is literally
// `true`: the emulator does not evaluate CEL conditions on requests, and the action must
// treat such bindings as unprovable anyway. New bindings written through setIamPolicy
// only take effect after world.propagationDelayMs (see notePolicyWrite).
import { readFileSync } from 'node:fs';
import type { Binding, Caller, Member, Policy, World } from './contract.ts';
import { connectedResource } from './world-connected.ts';
import {
  findFolder,
  findOrganization,
  findProject,
  findRepository,
  findSecret,
  findServiceAccount,
  projectOfEmail,
} from './world-index.ts';

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
  return false;
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

/** The policies that apply to `resource`, nearest first. Unknown resources still inherit from a derivable project. */
export function policyChain(world: World, resource: string): Policy[] {
  const name = resource.replace(/^\/\/[^/]+\//, '');
  const chain: Policy[] = [];
  let project: string | undefined;
  const sa = /^projects\/([^/]+)\/serviceAccounts\/([^/:]+)/.exec(name);
  const repo = /^projects\/([^/]+)\/locations\/([^/]+)\/repositories\/([^/:]+)/.exec(name);
  const secret = /^projects\/([^/]+)\/secrets\/([^/:]+)/.exec(name);
  if (sa) {
    const email = decodeURIComponent(sa[2] as string);
    const account = findServiceAccount(world, email);
    if (account) chain.push(account.policy);
    project = account?.project ?? (sa[1] !== '-' ? sa[1] : projectOfEmail(world, email));
  } else if (repo) {
    const r = findRepository(world, repo[1] as string, repo[2] as string, repo[3] as string);
    if (r) chain.push(r.policy);
    project = repo[1];
  } else if (secret) {
    const s = findSecret(world, secret[1] as string, secret[2] as string);
    if (s) chain.push(s.policy);
    project = secret[1];
  } else if (connectedResource(world, name)) {
    const r = connectedResource(world, name) as { policy?: Policy; project: string };
    if (r.policy) chain.push(r.policy);
    project = r.project;
  } else {
    project = /^projects\/([^/:]+)/.exec(name)?.[1];
  }
  let parent: string | undefined;
  if (project) {
    const p = findProject(world, project);
    if (p) {
      chain.push(p.policy);
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
      chain.push(f.policy);
      parent = f.parent;
    } else {
      const o = findOrganization(world, id);
      if (o) chain.push(o.policy);
      break;
    }
  }
  return chain;
}

/** Only the literal condition `true` grants: the emulator never guesses what a request context would be. */
export function conditionGrants(b: Binding): boolean {
  return !b.condition || b.condition.expression.trim() === 'true';
}

export function can(
  world: World,
  caller: Caller | undefined,
  permission: string,
  resource: string,
  now = Date.now(),
): boolean {
  for (const policy of policyChain(world, resource)) {
    for (const b of policy.bindings ?? []) {
      if (!conditionGrants(b) || !roleGrants(world, b.role, permission)) continue;
      for (const m of b.members) {
        if (memberMatches(world, m, caller) && effective(policy, b, m, now)) return true;
      }
    }
  }
  return false;
}

/** The subset of `permissions` the caller holds on `resource` (testIamPermissions). */
export function heldPermissions(
  world: World,
  caller: Caller,
  permissions: string[],
  resource: string,
): string[] {
  return permissions.filter((p) => can(world, caller, p, resource));
}
