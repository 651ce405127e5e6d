// Resource Manager v3: the project / folder / organization hierarchy and its IAM policies,
// which the IAM preflight reads as ancestors of every resource it checks.
import { cloudresourcemanager_v3 } from '@googleapis/cloudresourcemanager/build/v3.js';
import { type Decoder, decodeAnswer, optional, permissionsAnswer, record, string, text } from './answer.ts';
import { type ApiContext, clientOptions } from './clients.ts';
import { CALL_OPTIONS, decodePolicy, type Policy, type ReadPolicy } from './iam.ts';

const SERVICE = 'cloudresourcemanager.googleapis.com';

// Project and Folder (gcloud's cloudresourcemanager/v3 messages): name, and parent when there is one.
const parentOf: Decoder<string | undefined> = (v, at) => {
  const o = record(v, at);
  text(o.name, `${at}.name`);
  return optional(o, 'parent', string, at) || undefined;
};

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
      return decodeAnswer(
        SERVICE,
        name.startsWith('folders/') ? 'a Folder' : 'a Project',
        parentOf,
        res.data,
      );
    },
    async getIamPolicy(resource: HierarchyName): Promise<ReadPolicy> {
      const res = await pick(resource).getIamPolicy(
        { resource, requestBody: { options: { requestedPolicyVersion: 3 } } },
        CALL_OPTIONS,
      );
      return decodePolicy(SERVICE, res.data);
    },
    async setIamPolicy(resource: HierarchyName, policy: Policy): Promise<ReadPolicy> {
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
      return decodePolicy(SERVICE, res.data);
    },
    async testIamPermissions(resource: HierarchyName, permissions: string[]): Promise<string[]> {
      const res = await pick(resource).testIamPermissions(
        { resource, requestBody: { permissions } },
        CALL_OPTIONS,
      );
      return decodeAnswer(SERVICE, 'a TestIamPermissionsResponse', permissionsAnswer, res.data);
    },
  };
}

export type ResourcePoliciesClient = ReturnType<typeof createResourcePoliciesClient>;
