// The calls the IAM preflight makes, behind one interface so the orchestration can be tested
// with an in-memory fake and run for real against Google (or the emulator).
import { createArtifactRegistryClient } from '../gcp/artifactregistry.ts';
import type { ApiContext } from '../gcp/clients.ts';
import { createComputeClient } from '../gcp/compute.ts';
import { createDenyPoliciesClient, type DenyPolicy } from '../gcp/deny-policies.ts';
import { createIamClient, type Policy, type ServiceAccountInfo } from '../gcp/iam.ts';
import { createKmsClient } from '../gcp/kms.ts';
import { createLookupClient } from '../gcp/lookups.ts';
import { createOrgPolicyClient, type EffectiveOrgPolicy } from '../gcp/orgpolicy.ts';
import {
  type AccessTuple,
  createTroubleshooterClient,
  type Troubleshooting,
} from '../gcp/policy-troubleshooter.ts';
import { createResourcePoliciesClient } from '../gcp/resource-policies.ts';
import { createJobPoliciesClient } from '../gcp/run-iam.ts';
import { createSecretManagerClient } from '../gcp/secretmanager.ts';
import { createStorageClient } from '../gcp/storage.ts';

export type PolicyResourceKind =
  | 'serviceAccount'
  | 'repository'
  | 'secret'
  | 'job'
  | 'project'
  | 'folder'
  | 'organization'
  | 'subnetwork'
  | 'bucket'
  | 'cryptoKey';

/** Things a job connects to whose existence or state is checked, by full name. */
export type LookupKind = 'sqlInstance' | 'connector' | 'service' | 'subnetwork';

/**
 * A resource that has an IAM policy. `name` is the full resource name:
 * projects/P/serviceAccounts/EMAIL, projects/P/locations/L/repositories/R, projects/P/secrets/S,
 * projects/P/locations/L/jobs/J, projects/P, folders/N, organizations/N, projects/P/regions/R/subnetworks/S,
 * projects/_/buckets/B, projects/P/locations/L/keyRings/R/cryptoKeys/K.
 */
export interface PolicyResource {
  kind: PolicyResourceKind;
  name: string;
}

export interface IamBackend {
  getIamPolicy(r: PolicyResource): Promise<Policy>;
  setIamPolicy(r: PolicyResource, policy: Policy): Promise<Policy>;
  testIamPermissions(r: PolicyResource, permissions: string[]): Promise<string[]>;
  /** Parent (folders/N | organizations/N) of projects/P or folders/N, projects/N of a bucket; undefined at the top. */
  getParent(name: string): Promise<string | undefined>;
  /** The resource as its API returns it; rejects (NOT_FOUND, ...) like the API does. */
  lookup(kind: LookupKind, name: string): Promise<Record<string, unknown>>;
  getServiceAccount(email: string): Promise<ServiceAccountInfo>;
  /** Included permissions of roles/x, projects/p/roles/x or organizations/o/roles/x. */
  getRole(name: string): Promise<string[]>;
  getEffectiveOrgPolicy(project: string, constraint: string): Promise<EffectiveOrgPolicy>;
  /** Deny policies (with rules) attached to projects/P, folders/N or organizations/N. */
  getDenyPolicies(hierarchyName: string): Promise<DenyPolicy[]>;
  /** Policy Troubleshooter v3 on another principal's access, conditions evaluated at `now`. */
  troubleshoot(tuple: AccessTuple, now: Date): Promise<Troubleshooting>;
  /** projects/P/locations/L/repositories/R itself, to tell a missing repository from a denied one. */
  getRepository?(name: string): Promise<unknown>;
}

/** projects/P/serviceAccounts/EMAIL -> EMAIL */
export function serviceAccountEmail(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

export function createBackend(o: ApiContext): IamBackend {
  const iam = createIamClient(o);
  const crm = createResourcePoliciesClient(o);
  const ar = createArtifactRegistryClient(o);
  const sm = createSecretManagerClient(o);
  const orgPolicy = createOrgPolicyClient(o);
  const jobs = createJobPoliciesClient(o);
  const deny = createDenyPoliciesClient(o);
  const troubleshooter = createTroubleshooterClient(o);
  const compute = createComputeClient(o);
  const storage = createStorageClient(o);
  const kms = createKmsClient(o);
  const lookups = createLookupClient(o);
  const route = (r: PolicyResource) => {
    switch (r.kind) {
      case 'serviceAccount':
        return {
          get: () => iam.getIamPolicy(serviceAccountEmail(r.name)),
          set: (p: Policy) => iam.setIamPolicy(serviceAccountEmail(r.name), p),
          test: (perms: string[]) => iam.testIamPermissions(serviceAccountEmail(r.name), perms),
        };
      case 'repository':
        return {
          get: () => ar.getIamPolicy(r.name),
          set: (p: Policy) => ar.setIamPolicy(r.name, p),
          test: (perms: string[]) => ar.testIamPermissions(r.name, perms),
        };
      case 'secret':
        return {
          get: () => sm.getIamPolicy(r.name),
          set: (p: Policy) => sm.setIamPolicy(r.name, p),
          test: (perms: string[]) => sm.testIamPermissions(r.name, perms),
        };
      case 'job':
        return {
          get: () => jobs.getIamPolicy(r.name),
          set: (p: Policy) => jobs.setIamPolicy(r.name, p),
          test: (perms: string[]) => jobs.testIamPermissions(r.name, perms),
        };
      case 'subnetwork':
        return {
          get: () => compute.getSubnetworkIamPolicy(r.name),
          set: (p: Policy) => compute.setSubnetworkIamPolicy(r.name, p),
          test: (perms: string[]) => compute.testSubnetworkPermissions(r.name, perms),
        };
      case 'bucket':
        return {
          get: () => storage.getBucketIamPolicy(r.name),
          set: (p: Policy) => storage.setBucketIamPolicy(r.name, p),
          test: (perms: string[]) => storage.testBucketPermissions(r.name, perms),
        };
      case 'cryptoKey':
        return {
          get: () => kms.getKeyIamPolicy(r.name),
          set: (p: Policy) => kms.setKeyIamPolicy(r.name, p),
          test: (perms: string[]) => kms.testKeyPermissions(r.name, perms),
        };
      default:
        return {
          get: () => crm.getIamPolicy(r.name),
          set: (p: Policy) => crm.setIamPolicy(r.name, p),
          test: (perms: string[]) => crm.testIamPermissions(r.name, perms),
        };
    }
  };
  return {
    getIamPolicy: (r) => route(r).get(),
    setIamPolicy: (r, p) => route(r).set(p),
    testIamPermissions: (r, perms) => route(r).test(perms),
    getParent: (name) =>
      /^projects\/_\/buckets\//.test(name) ? storage.bucketProject(name) : crm.getParent(name),
    lookup: (kind, name) => {
      switch (kind) {
        case 'sqlInstance':
          return lookups.sqlInstance(name) as Promise<Record<string, unknown>>;
        case 'connector':
          return lookups.connector(name);
        case 'service':
          return lookups.service(name) as Promise<Record<string, unknown>>;
        case 'subnetwork':
          return compute.getSubnetwork(name) as Promise<Record<string, unknown>>;
      }
    },
    getServiceAccount: (email) => iam.getServiceAccount(email),
    getRole: (name) => iam.getRole(name),
    getEffectiveOrgPolicy: (project, constraint) => orgPolicy.getEffectivePolicy(project, constraint),
    getDenyPolicies: (name) => deny.denyPolicies(name),
    troubleshoot: (tuple, now) => troubleshooter.troubleshoot(tuple, now),
    getRepository: (name) => ar.getRepository(name),
  };
}
