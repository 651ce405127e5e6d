// IAM v2 deny policies attached to a project, folder or organization: listed (metadata only)
// then read one by one, as listPolicies omits the rules.
import { type Decoder, list, only, optional, record, string, text } from './answer.ts';
import type { ApiContext } from './clients.ts';
import { IAM_CALL_TIMEOUT_MS } from './iam.ts';
import { resourcePath, rest } from './rest.ts';

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

// ListPoliciesResponse and GoogleIamV2Policy (gcloud's iam/v2 messages): names to read, then rules.
const listPage: Decoder<{ names: string[]; next: string | undefined }> = (v, at) => {
  const o = only(record(v, at), ['policies', 'nextPageToken'], at);
  const policies = optional(o, 'policies', list(record), at) ?? [];
  const names = policies.map((p, i) => text(p.name, `${at}.policies[${i}].name`));
  return { names, next: optional(o, 'nextPageToken', string, at) || undefined };
};

const denyPolicy: Decoder<Omit<DenyPolicy, 'name'>> = (v, at) => {
  const o = record(v, at);
  text(o.name, `${at}.name`);
  const rules = optional(o, 'rules', list(record), at) ?? [];
  rules.forEach((r, i) => {
    optional(r, 'denyRule', record, `${at}.rules[${i}]`);
  });
  const out: Omit<DenyPolicy, 'name'> = { rules: rules as DenyPolicy['rules'] };
  const display = optional(o, 'displayName', string, at);
  if (display) out.displayName = display;
  return out;
};

export function createDenyPoliciesClient(o: ApiContext) {
  const timeout = IAM_CALL_TIMEOUT_MS;
  return {
    /** Every deny policy attached to the resource, with its rules (iam v2 policies.list, policies.get). */
    async denyPolicies(hierarchyName: string): Promise<DenyPolicy[]> {
      const parent = `policies/${attachmentPoint(hierarchyName)}/denypolicies`;
      const names: string[] = [];
      let pageToken: string | undefined;
      for (let page = 0; page < 20; page++) {
        const got = await rest(
          o,
          'iam',
          `v2/${resourcePath(parent)}`,
          { what: 'a ListPoliciesResponse', decode: listPage },
          { params: { pageToken }, timeout },
        );
        names.push(...got.names);
        pageToken = got.next;
        if (!pageToken) break;
      }
      return Promise.all(
        names.map(async (name) => ({
          name,
          ...(await rest(
            o,
            'iam',
            `v2/${resourcePath(name)}`,
            { what: 'a Policy', decode: denyPolicy },
            { timeout },
          )),
        })),
      );
    },
  };
}
