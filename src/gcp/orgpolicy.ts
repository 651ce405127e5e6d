// Org Policy v2: the effective policy of a constraint on a project (hierarchy merged by the
// service). No @googleapis package exists for it; the auth client's request() is used.
import { apiRoot } from '../auth/endpoints.ts';
import type { ApiContext } from './clients.ts';
import { CALL_OPTIONS } from './iam.ts';

export interface OrgPolicyRule {
  enforce?: boolean;
  allowAll?: boolean;
  denyAll?: boolean;
  values?: { allowedValues?: string[]; deniedValues?: string[] };
  condition?: { expression?: string; title?: string };
}

export interface EffectiveOrgPolicy {
  name?: string;
  spec?: { rules?: OrgPolicyRule[]; inheritFromParent?: boolean; reset?: boolean };
}

export function createOrgPolicyClient(o: ApiContext) {
  const root = `${apiRoot('orgpolicy', o.universe, o.env)}v2/`;
  return {
    /** e.g. getEffectivePolicy('my-project', 'iam.disableCrossProjectServiceAccountUsage') */
    async getEffectivePolicy(project: string, constraint: string): Promise<EffectiveOrgPolicy> {
      const res = await o.auth.request<EffectiveOrgPolicy>({
        url: `${root}projects/${project}/policies/${constraint}:getEffectivePolicy`,
        method: 'GET',
        ...CALL_OPTIONS,
        responseType: 'json',
      });
      return res.data ?? {};
    },
  };
}

export type OrgPolicyClient = ReturnType<typeof createOrgPolicyClient>;
