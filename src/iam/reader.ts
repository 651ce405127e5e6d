// Every read the preflight makes goes through here: each distinct read happens once per run
// (checks share policies, parents and roles), transient failures are retried with backoff,
// and failures are wrapped with what was being read. Results are settled, never thrown, so
// a failed read becomes an "unverified" reason instead of ending the run.

import type { DenyPolicy } from '../gcp/deny-policies.ts';
import { attempt, type StepError } from '../gcp/errors.ts';
import type { Policy, ServiceAccountInfo } from '../gcp/iam.ts';
import type { EffectiveOrgPolicy } from '../gcp/orgpolicy.ts';
import type { AccessTuple, Troubleshooting } from '../gcp/policy-troubleshooter.ts';
import { isTransient, type Sleep, withRetry } from '../gcp/retry.ts';
import type { IamBackend, LookupKind, PolicyResource } from './backend.ts';

export type Read<T> = { ok: true; value: T } | { ok: false; error: StepError };

export function describeResource(r: PolicyResource): string {
  const label: Record<PolicyResource['kind'], string> = {
    serviceAccount: 'service account',
    repository: 'repository',
    secret: 'secret',
    job: 'job',
    project: 'project',
    folder: 'folder',
    organization: 'organization',
    subnetwork: 'subnetwork',
    bucket: 'bucket',
    cryptoKey: 'key',
  };
  return `${label[r.kind]} ${r.name}`;
}

export interface Reader {
  policy(r: PolicyResource): Promise<Read<Policy>>;
  /** Fresh read that bypasses and refreshes the cache (for read-modify-write and re-verify). */
  freshPolicy(r: PolicyResource): Promise<Read<Policy>>;
  testPermissions(r: PolicyResource, permissions: string[]): Promise<Read<string[]>>;
  parent(name: string): Promise<Read<string | undefined>>;
  serviceAccount(email: string): Promise<Read<ServiceAccountInfo>>;
  role(name: string): Promise<Read<string[]>>;
  orgPolicy(project: string, constraint: string): Promise<Read<EffectiveOrgPolicy>>;
  denyPolicies(hierarchyName: string): Promise<Read<DenyPolicy[]>>;
  troubleshoot(tuple: AccessTuple): Promise<Read<Troubleshooting>>;
  /** The run's clock: conditions are judged at this instant. */
  now(): Date;
  lookup(kind: LookupKind, name: string): Promise<Read<Record<string, unknown>>>;
  /** Read a repository itself (absent when the backend cannot). */
  repository?(name: string): Promise<Read<unknown>>;
}

export function createReader(
  backend: IamBackend,
  sleep?: Sleep,
  clock: () => Date = () => new Date(),
): Reader {
  const cache = new Map<string, Promise<Read<unknown>>>();
  const run = <T>(what: string, call: () => Promise<T>): Promise<Read<T>> =>
    attempt(what, () =>
      withRetry(call, { attempts: 4, retryable: isTransient, ...(sleep ? { sleep } : {}) }),
    ).then(
      (value) => ({ ok: true as const, value }),
      (error: StepError) => ({ ok: false as const, error }),
    );
  const once = <T>(key: string, what: string, call: () => Promise<T>): Promise<Read<T>> => {
    let hit = cache.get(key) as Promise<Read<T>> | undefined;
    if (!hit) {
      hit = run(what, call);
      cache.set(key, hit);
    }
    return hit;
  };
  const policyKey = (r: PolicyResource) => `policy ${r.name}`;
  const policyWhat = (r: PolicyResource) => `read the IAM policy of ${describeResource(r)}`;
  return {
    policy: (r) => once(policyKey(r), policyWhat(r), () => backend.getIamPolicy(r)),
    freshPolicy: (r) => {
      const p = run(policyWhat(r), () => backend.getIamPolicy(r));
      cache.set(policyKey(r), p);
      return p;
    },
    testPermissions: (r, permissions) =>
      once(
        `test ${r.name} ${[...permissions].sort().join(',')}`,
        `test the caller's permissions on ${describeResource(r)}`,
        () => backend.testIamPermissions(r, permissions),
      ),
    parent: (name) => once(`parent ${name}`, `read the parent of ${name}`, () => backend.getParent(name)),
    serviceAccount: (email) =>
      once(`sa ${email}`, `read service account ${email}`, () => backend.getServiceAccount(email)),
    role: (name) => once(`role ${name}`, `read role ${name}`, () => backend.getRole(name)),
    ...(backend.getRepository
      ? {
          repository: (name: string) =>
            once(`repository ${name}`, `read repository ${name}`, () =>
              (backend.getRepository as (n: string) => Promise<unknown>)(name),
            ),
        }
      : {}),
    orgPolicy: (project, constraint) =>
      once(
        `orgpolicy ${project} ${constraint}`,
        `read the org policy ${constraint} of project ${project}`,
        () => backend.getEffectiveOrgPolicy(project, constraint),
      ),
    denyPolicies: (name) =>
      once(`deny ${name}`, `read the deny policies of ${name}`, () => backend.getDenyPolicies(name)),
    troubleshoot: (tuple) =>
      once(
        `troubleshoot ${tuple.principal} ${tuple.fullResourceName} ${tuple.permission}`,
        `ask the Policy Troubleshooter whether ${tuple.principal} holds ${tuple.permission}`,
        () => backend.troubleshoot(tuple, clock()),
      ),
    now: clock,
    lookup: (kind, name) => once(`lookup ${kind} ${name}`, `read ${name}`, () => backend.lookup(kind, name)),
  };
}
