// Resource Manager v3: the project / folder / organization hierarchy and its IAM policies,
// which the IAM preflight reads as ancestors of every resource it checks.
import { type Decoder, optional, record, string, text } from './answer.ts';
import type { ApiContext } from './clients.ts';
import { IAM_CALL_TIMEOUT_MS, policyCalls } from './iam.ts';
import { resourcePath, rest } from './rest.ts';

// Project and Folder (gcloud's cloudresourcemanager/v3 messages): name, and parent when there is one.
const parentOf: Decoder<string | undefined> = (v, at) => {
  const o = record(v, at);
  text(o.name, `${at}.name`);
  return optional(o, 'parent', string, at) || undefined;
};

/** projects/P, folders/N or organizations/N */
export type HierarchyName = string;

export function createResourcePoliciesClient(o: ApiContext) {
  // Projects, folders and organizations share the methods (cloudresourcemanager v3 discovery):
  // getIamPolicy is a POST whose body asks for policy version 3.
  const policies = policyCalls(o, 'cloudresourcemanager', 'v3', 'post-body');
  return {
    /** The parent (folders/N or organizations/N) of a project or folder; undefined at the top. */
    async getParent(name: HierarchyName): Promise<string | undefined> {
      if (name.startsWith('organizations/')) return undefined;
      const what = name.startsWith('folders/') ? 'a Folder' : 'a Project';
      return rest(
        o,
        'cloudresourcemanager',
        `v3/${resourcePath(name)}`,
        { what, decode: parentOf },
        {
          timeout: IAM_CALL_TIMEOUT_MS,
        },
      );
    },
    ...policies,
  };
}

export type ResourcePoliciesClient = ReturnType<typeof createResourcePoliciesClient>;
