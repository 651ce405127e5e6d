// An in-memory IamBackend for orchestration tests (pure units only; real-HTTP tests use the
// emulator). It keeps etags like the real APIs and can stage a concurrent writer.
import type { DenyPolicy } from '../src/gcp/deny-policies.ts';
import type { Policy, ServiceAccountInfo } from '../src/gcp/iam.ts';
import type { EffectiveOrgPolicy } from '../src/gcp/orgpolicy.ts';
import type { AccessTuple, Troubleshooting } from '../src/gcp/policy-troubleshooter.ts';
import type { IamBackend, LookupKind, PolicyResource } from '../src/iam/backend.ts';
import { evaluatePermission } from '../src/iam/policy.ts';

/** The shape gaxios throws for a Google error response. */
export function apiError(httpStatus: number, status: string, message: string): Error {
  return Object.assign(new Error(message), {
    response: { status: httpStatus, data: { error: { code: httpStatus, status, message } } },
  });
}

export interface FakeWorld {
  policies: Record<string, Policy>;
  parents: Record<string, string>;
  roles: Record<string, string[]>;
  serviceAccounts: Record<string, { disabled?: boolean }>;
  orgPolicies: Record<string, EffectiveOrgPolicy>;
  /** The caller's member, for testIamPermissions (evaluated from the policies, no groups). */
  caller: string;
  /** Deny policies by attachment point (projects/P, folders/N, organizations/N). */
  denyPolicies: Record<string, DenyPolicy[]>;
  /** Policy Troubleshooter answers by `PRINCIPAL PERMISSION`; absent ones answer 403. */
  troubleshooter: Record<string, Troubleshooting>;
  /** Operations refused with 403: 'get NAME', 'set NAME', 'parent NAME', 'role NAME', 'org PROJECT', 'sa EMAIL', 'test NAME', 'deny NAME', 'lookup NAME'. */
  denied: string[];
  /** Resources lookup() finds (Cloud SQL instances, connectors, services, subnetworks): name -> body. */
  resources: Record<string, Record<string, unknown>>;
}

export class FakeBackend implements IamBackend {
  readonly world: FakeWorld;
  readonly calls: string[] = [];
  /** Before the next setIamPolicy on NAME, another writer adds this binding (our etag goes stale). */
  readonly races = new Map<string, { role: string; member: string }>();
  private etagCounter = 0;

  constructor(world: Partial<FakeWorld>) {
    this.world = {
      policies: {},
      parents: {},
      roles: {},
      serviceAccounts: {},
      orgPolicies: {},
      denyPolicies: {},
      troubleshooter: {},
      resources: {},
      caller: 'serviceAccount:deployer@app.iam.gserviceaccount.com',
      denied: [],
      ...world,
    };
    for (const [name, p] of Object.entries(this.world.policies))
      this.world.policies[name] = { etag: this.nextEtag(), ...p };
  }

  private nextEtag(): string {
    this.etagCounter += 1;
    return `etag-${this.etagCounter}`;
  }

  private guard(op: string): void {
    this.calls.push(op);
    if (this.world.denied.includes(op)) throw apiError(403, 'PERMISSION_DENIED', `Permission denied: ${op}`);
  }

  /** A resource without a policy reads as an empty one (with a fixed etag) and is stored on first write. */
  private stored(name: string): Policy {
    return this.world.policies[name] ?? { etag: 'etag-empty' };
  }

  async getIamPolicy(r: PolicyResource): Promise<Policy> {
    this.guard(`get ${r.name}`);
    return structuredClone(this.stored(r.name));
  }

  async setIamPolicy(r: PolicyResource, policy: Policy): Promise<Policy> {
    this.guard(`set ${r.name}`);
    const race = this.races.get(r.name);
    if (race) {
      this.races.delete(r.name);
      const current = this.stored(r.name);
      this.world.policies[r.name] = {
        ...current,
        bindings: [...(current.bindings ?? []), { role: race.role, members: [race.member] }],
        etag: this.nextEtag(),
      };
    }
    if (policy.etag !== this.stored(r.name).etag) {
      throw apiError(
        409,
        'ABORTED',
        'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.',
      );
    }
    const next = { ...structuredClone(policy), etag: this.nextEtag() };
    this.world.policies[r.name] = next;
    return structuredClone(next);
  }

  async testIamPermissions(r: PolicyResource, permissions: string[]): Promise<string[]> {
    // Refused per resource ('test NAME'); asking only whether a policy may be set is its own read.
    if (
      permissions.every((p) => p.endsWith('.setIamPolicy')) &&
      !this.world.denied.includes(`test ${r.name}`)
    )
      this.calls.push(`test-set ${r.name}`);
    else this.guard(`test ${r.name}`);
    const chain: string[] = [r.name];
    const project = /^projects\/[^/]+/.exec(r.name)?.[0];
    if (project && project !== r.name) chain.push(project);
    for (let cur = project; cur && this.world.parents[cur]; ) {
      cur = this.world.parents[cur];
      if (cur) chain.push(cur);
    }
    // Writing a policy is modelled by the `set NAME` refusal, not by roles.
    const writable = permissions.filter(
      (p) => p.endsWith('.setIamPolicy') && !this.world.denied.includes(`set ${r.name}`),
    );
    const policies = chain.map((name) => ({ resource: name, policy: this.stored(name) }));
    const lookup = (role: string) => (this.world.roles[role] ? new Set(this.world.roles[role]) : undefined);
    return permissions.filter(
      (perm) =>
        writable.includes(perm) ||
        evaluatePermission(this.world.caller, perm, policies, lookup).outcome === 'granted',
    );
  }

  async getParent(name: string): Promise<string | undefined> {
    this.guard(`parent ${name}`);
    return this.world.parents[name];
  }

  async getServiceAccount(email: string): Promise<ServiceAccountInfo> {
    this.guard(`sa ${email}`);
    const sa = this.world.serviceAccounts[email];
    if (!sa) throw apiError(404, 'NOT_FOUND', `Unknown service account ${email}`);
    return { email, disabled: sa.disabled === true };
  }

  async getRole(name: string): Promise<string[]> {
    this.guard(`role ${name}`);
    const perms = this.world.roles[name];
    if (!perms) throw apiError(404, 'NOT_FOUND', `The role named ${name} was not found.`);
    return perms;
  }

  async getEffectiveOrgPolicy(project: string, constraint: string): Promise<EffectiveOrgPolicy> {
    // Refused per project ('org PROJECT'); each constraint is its own read.
    if (this.world.denied.includes(`org ${project}`)) this.guard(`org ${project}`);
    else this.calls.push(`org ${project} ${constraint}`);
    return (
      this.world.orgPolicies[project] ?? { name: `projects/${project}/policies/${constraint}`, spec: {} }
    );
  }

  async getDenyPolicies(name: string): Promise<DenyPolicy[]> {
    this.guard(`deny ${name}`);
    return this.world.denyPolicies[name] ?? [];
  }

  async troubleshoot(tuple: AccessTuple): Promise<Troubleshooting> {
    this.guard(`troubleshoot ${tuple.principal} ${tuple.permission} ${tuple.fullResourceName}`);
    const answer = this.world.troubleshooter[`${tuple.principal} ${tuple.permission}`];
    if (!answer) throw apiError(403, 'PERMISSION_DENIED', 'The caller does not have permission');
    return answer;
  }

  async lookup(_kind: LookupKind, name: string): Promise<Record<string, unknown>> {
    this.guard(`lookup ${name}`);
    const found = this.world.resources[name];
    if (!found) throw apiError(404, 'NOT_FOUND', `${name} not found`);
    return structuredClone(found);
  }
}
