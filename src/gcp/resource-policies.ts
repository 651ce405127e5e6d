// Resource Manager v3: the project / folder / organization hierarchy and its IAM policies,
// which the IAM preflight reads as ancestors of every resource it checks.
import { cloudresourcemanager_v3 } from '@googleapis/cloudresourcemanager/build/v3.js';
import { type ApiContext, clientOptions } from './clients.ts';
import { asPolicy, CALL_OPTIONS, type Policy } from './iam.ts';

/** projects/P, folders/N or organizations/N */
export type HierarchyName = string;

export function createResourcePoliciesClient(o: ApiContext) {
  const crm = new cloudresourcemanager_v3.Cloudresourcemanager(clientOptions('cloudresourcemanager', o));
  const pick = (name: HierarchyName) =>
    name.startsWith('folders/')
      ? crm.folders
      : name.startsWith('organizations/')
        ? crm.organizations
        : crm.projects;
  return {
    /** The parent (folders/N or organizations/N) of a project or folder; undefined at the top. */
    async getParent(name: HierarchyName): Promise<string | undefined> {
      if (name.startsWith('organizations/')) return undefined;
      const res = name.startsWith('folders/')
        ? await crm.folders.get({ name }, CALL_OPTIONS)
        : await crm.projects.get({ name }, CALL_OPTIONS);
      return res.data.parent || undefined;
    },
    async getIamPolicy(resource: HierarchyName): Promise<Policy> {
      const res = await pick(resource).getIamPolicy(
        { resource, requestBody: { options: { requestedPolicyVersion: 3 } } },
        CALL_OPTIONS,
      );
      return asPolicy(res.data);
    },
    async setIamPolicy(resource: HierarchyName, policy: Policy): Promise<Policy> {
      const res = await pick(resource).setIamPolicy(
        {
          resource,
          requestBody: {
            policy: policy as cloudresourcemanager_v3.Schema$Policy,
            updateMask: 'bindings,etag',
          },
        },
        CALL_OPTIONS,
      );
      return asPolicy(res.data);
    },
    async testIamPermissions(resource: HierarchyName, permissions: string[]): Promise<string[]> {
      const res = await pick(resource).testIamPermissions(
        { resource, requestBody: { permissions } },
        CALL_OPTIONS,
      );
      return res.data.permissions ?? [];
    },
  };
}

export type ResourcePoliciesClient = ReturnType<typeof createResourcePoliciesClient>;
