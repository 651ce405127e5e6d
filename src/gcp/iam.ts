// IAM v1: service accounts (get, IAM policy, testIamPermissions) and roles.get for
// predefined and custom roles. Thin: no retries or caching here (the IAM preflight's reader
// adds those), but every call is bounded in time.
import { iam_v1 } from '@googleapis/iam/build/v1.js';
import { type ApiContext, callOptions, clientOptions } from './clients.ts';
import { scaled } from './timeout.ts';

export interface Binding {
  role: string;
  members: string[];
  condition?: { expression: string; title?: string; description?: string };
}

/** An IAM policy as the v1 APIs send it; unknown fields are carried through untouched. */
export interface Policy {
  version?: number;
  etag?: string;
  bindings?: Binding[];
  auditConfigs?: unknown[];
}

/** Every IAM-related call gets this shorter bound; the rest is callOptions (gaxios' own retry off, retries are ours). */
const CALL_TIMEOUT_MS = scaled(20_000);
export const CALL_OPTIONS = { ...callOptions, timeout: CALL_TIMEOUT_MS } as const;

/** JSON from googleapis Schema$Policy (nullable fields) to our Policy, keeping every field. */
export function asPolicy(data: unknown): Policy {
  return (data ?? {}) as Policy;
}

export interface ServiceAccountInfo {
  email: string;
  disabled: boolean;
  projectId?: string;
}

export function createIamClient(o: ApiContext) {
  const iam = new iam_v1.Iam(clientOptions('iam', o));
  // The `-` wildcard lets IAM find the account in whichever project owns it.
  const saName = (email: string) => `projects/-/serviceAccounts/${email}`;
  return {
    async getServiceAccount(email: string): Promise<ServiceAccountInfo> {
      const res = await iam.projects.serviceAccounts.get({ name: saName(email) }, CALL_OPTIONS);
      const info: ServiceAccountInfo = {
        email: res.data.email ?? email,
        disabled: res.data.disabled === true,
      };
      if (res.data.projectId) info.projectId = res.data.projectId;
      return info;
    },
    async getIamPolicy(email: string): Promise<Policy> {
      const res = await iam.projects.serviceAccounts.getIamPolicy(
        { resource: saName(email), 'options.requestedPolicyVersion': 3 },
        CALL_OPTIONS,
      );
      return asPolicy(res.data);
    },
    async setIamPolicy(email: string, policy: Policy): Promise<Policy> {
      const res = await iam.projects.serviceAccounts.setIamPolicy(
        {
          resource: saName(email),
          requestBody: { policy: policy as iam_v1.Schema$Policy, updateMask: 'bindings,etag' },
        },
        CALL_OPTIONS,
      );
      return asPolicy(res.data);
    },
    async testIamPermissions(email: string, permissions: string[]): Promise<string[]> {
      const res = await iam.projects.serviceAccounts.testIamPermissions(
        { resource: saName(email), requestBody: { permissions } },
        CALL_OPTIONS,
      );
      return res.data.permissions ?? [];
    },
    /** roles/x, projects/p/roles/x or organizations/o/roles/x -> included permissions. */
    async getRole(name: string): Promise<string[]> {
      const res = name.startsWith('projects/')
        ? await iam.projects.roles.get({ name }, CALL_OPTIONS)
        : name.startsWith('organizations/')
          ? await iam.organizations.roles.get({ name }, CALL_OPTIONS)
          : await iam.roles.get({ name }, CALL_OPTIONS);
      return res.data.includedPermissions ?? [];
    },
  };
}

export type IamClient = ReturnType<typeof createIamClient>;
