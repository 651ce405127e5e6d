// The calls the IAM preflight makes, behind one interface so the orchestration can be tested
// with an in-memory fake and run for real against Google (or the emulator).
import { createArtifactRegistryClient } from '../gcp/artifactregistry.ts';
import type { ApiContext } from '../gcp/clients.ts';
import { createIamClient, type Policy, type ServiceAccountInfo } from '../gcp/iam.ts';
import { createOrgPolicyClient, type EffectiveOrgPolicy } from '../gcp/orgpolicy.ts';
import { createResourcePoliciesClient } from '../gcp/resource-policies.ts';
import { createSecretManagerClient } from '../gcp/secretmanager.ts';

export type PolicyResourceKind =
  | 'serviceAccount'
  | 'repository'
  | 'secret'
  | 'project'
  | 'folder'
  | 'organization';

/**
 * A resource that has an IAM policy. `name` is the full resource name:
 * projects/P/serviceAccounts/EMAIL, projects/P/locations/L/repositories/R, projects/P/secrets/S,
 * projects/P, folders/N, organizations/N.
 */
export interface PolicyResource {
  kind: PolicyResourceKind;
  name: string;
}

export interface IamBackend {
  getIamPolicy(r: PolicyResource): Promise<Policy>;
  setIamPolicy(r: PolicyResource, policy: Policy): Promise<Policy>;
  testIamPermissions(r: PolicyResource, permissions: string[]): Promise<string[]>;
  /** Parent (folders/N | organizations/N) of projects/P or folders/N; undefined at the top. */
  getParent(name: string): Promise<string | undefined>;
  getServiceAccount(email: string): Promise<ServiceAccountInfo>;
  /** Included permissions of roles/x, projects/p/roles/x or organizations/o/roles/x. */
  getRole(name: string): Promise<string[]>;
  getEffectiveOrgPolicy(project: string, constraint: string): Promise<EffectiveOrgPolicy>;
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
    getParent: (name) => crm.getParent(name),
    getServiceAccount: (email) => iam.getServiceAccount(email),
    getRole: (name) => iam.getRole(name),
    getEffectiveOrgPolicy: (project, constraint) => orgPolicy.getEffectivePolicy(project, constraint),
    getRepository: (name) => ar.getRepository(name),
  };
}
