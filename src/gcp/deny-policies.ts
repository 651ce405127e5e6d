// IAM v2 deny policies attached to a project, folder or organization: listed (metadata only)
// then read one by one, as listPolicies omits the rules.
import { iam_v2 } from '@googleapis/iam/build/v2.js';
import { type ApiContext, clientOptions } from './clients.ts';
import { CALL_OPTIONS } from './iam.ts';

export interface DenyRule {
  deniedPrincipals?: string[];
  exceptionPrincipals?: string[];
  deniedPermissions?: string[];
  exceptionPermissions?: string[];
  denialCondition?: { expression?: string; title?: string };
}

export interface DenyPolicy {
  name: string;
  displayName?: string;
  rules: Array<{ denyRule?: DenyRule }>;
}

/** projects/P | folders/N | organizations/N -> the URL-encoded attachment point IAM v2 names. */
export function attachmentPoint(hierarchyName: string): string {
  return encodeURIComponent(`cloudresourcemanager.googleapis.com/${hierarchyName}`);
}

export function createDenyPoliciesClient(o: ApiContext) {
  const policies = new iam_v2.Iam(clientOptions('iam', o)).policies;
  return {
    /** Every deny policy attached to the resource, with its rules. */
    async denyPolicies(hierarchyName: string): Promise<DenyPolicy[]> {
      const parent = `policies/${attachmentPoint(hierarchyName)}/denypolicies`;
      const names: string[] = [];
      let pageToken: string | undefined;
      for (let page = 0; page < 20; page++) {
        const res = await policies.listPolicies(
          { parent, ...(pageToken ? { pageToken } : {}) },
          CALL_OPTIONS,
        );
        for (const p of res.data.policies ?? []) if (p.name) names.push(p.name);
        pageToken = res.data.nextPageToken ?? undefined;
        if (!pageToken) break;
      }
      return Promise.all(
        names.map(async (name) => {
          const res = await policies.get({ name }, CALL_OPTIONS);
          const out: DenyPolicy = { name, rules: (res.data.rules ?? []) as DenyPolicy['rules'] };
          if (res.data.displayName) out.displayName = res.data.displayName;
          return out;
        }),
      );
    },
  };
}
