// IAM v1: service accounts (get, IAM policy, testIamPermissions) and roles.get for
// predefined and custom roles, plus the IAM-policy methods every API with resource policies
// shares. Thin: no retries or caching here (the IAM preflight's reader adds those), but every
// call is bounded in time. Plain REST through the auth client (rest.ts): the generated
// @googleapis clients cost ~60 ms of CPU to load for the handful of methods used here
// (`node bench/chunks.ts`); paths and methods are the discovery documents' (iam v1, run v2,
// cloudresourcemanager v3, secretmanager v1).

import type { GoogleApi } from '../auth/endpoints.ts';
import {
  type Decoder,
  decodeAnswer,
  list,
  optional,
  permissionsAnswer,
  record,
  required,
  string,
  strings,
  text,
} from './answer.ts';
import type { ApiContext } from './clients.ts';
import { type Expect, type RestCall, resourcePath, rest } from './rest.ts';
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

/** Every IAM-related call gets this shorter bound than other calls (clients.ts CALL_TIMEOUT_MS). */
export const IAM_CALL_TIMEOUT_MS = scaled(20_000);

/** A policy as a getIamPolicy answer decoded it: it carries the etag every write must send. */
export type ReadPolicy = Policy & { etag: string };

// Field names and types: Policy, Binding and Expr in gcloud's
// generated_clients/apis/iam/v1/iam_v1_messages.py (the same messages in every API that has
// IAM policies); Cloud Storage's and Compute's policies have the same fields.
const condition: Decoder<NonNullable<Binding['condition']>> = (v, at) => {
  const o = record(v, at);
  required(o, 'expression', string, at);
  optional(o, 'title', string, at);
  optional(o, 'description', string, at);
  optional(o, 'location', string, at);
  return o as NonNullable<Binding['condition']>;
};

const binding: Decoder<Binding> = (v, at) => {
  const o = record(v, at);
  required(o, 'role', text, at);
  required(o, 'members', strings, at);
  optional(o, 'condition', condition, at);
  // Every field is kept as sent, known or not: the write sends the binding back unchanged.
  return o as unknown as Binding;
};

/** A read policy: etag required, bindings well formed, audit configs (and any other field) kept verbatim. */
export const policyDecoder: Decoder<ReadPolicy> = (v, at) => {
  const o = record(v, at);
  required(o, 'etag', text, at);
  optional(o, 'version', (x, where) => (Number.isInteger(x) ? (x as number) : string(x, where)), at);
  optional(o, 'bindings', list(binding), at);
  optional(o, 'auditConfigs', list(record), at);
  return o as unknown as ReadPolicy;
};

/** Decode the answer of a getIamPolicy / setIamPolicy from `service`. */
export function decodePolicy(service: string, body: unknown): ReadPolicy {
  return decodeAnswer(service, 'a Policy', policyDecoder, body);
}

const serviceAccountDecoder: Decoder<ServiceAccountInfo> = (v, at) => {
  const o = record(v, at);
  const info: ServiceAccountInfo = { email: required(o, 'email', text, at), disabled: o.disabled === true };
  const project = optional(o, 'projectId', string, at);
  if (project) info.projectId = project;
  return info;
};

const roleDecoder: Decoder<string[]> = (v, at) => {
  const o = record(v, at);
  required(o, 'name', text, at);
  return optional(o, 'includedPermissions', strings, at) ?? [];
};

export interface ServiceAccountInfo {
  email: string;
  disabled: boolean;
  projectId?: string;
}

const POLICY: Expect<ReadPolicy> = { what: 'a Policy', decode: policyDecoder };
const PERMISSIONS: Expect<string[]> = { what: 'a TestIamPermissionsResponse', decode: permissionsAnswer };
const bounded = (call: RestCall): RestCall => ({ ...call, timeout: IAM_CALL_TIMEOUT_MS });

/**
 * How an API's getIamPolicy asks for policy version 3 (its discovery document): a GET with
 * `options.requestedPolicyVersion` in the query (Cloud Run v2, Secret Manager v1), a POST with
 * the same query (IAM v1 service accounts), or a POST with `{options: {requestedPolicyVersion}}`
 * as the body (Resource Manager v3).
 */
export type GetPolicyStyle = 'get-query' | 'post-query' | 'post-body';

/**
 * google.iam.v1.IAMPolicy's three methods on `{version}/{+resource}:verb` of one API. A
 * setIamPolicy sends `updateMask: bindings,etag` unless the API's SetIamPolicyRequest has no such
 * field (Artifact Registry's: the whole policy, with its etag, is sent).
 */
export function policyCalls(
  ctx: ApiContext,
  api: GoogleApi,
  version: string,
  style: GetPolicyStyle,
  { updateMask = true }: { updateMask?: boolean } = {},
) {
  const at = (resource: string, verb: string) => `${version}/${resourcePath(resource)}:${verb}`;
  const asked =
    style === 'post-body'
      ? { method: 'POST' as const, body: { options: { requestedPolicyVersion: 3 } } }
      : {
          method: style === 'get-query' ? ('GET' as const) : ('POST' as const),
          params: { 'options.requestedPolicyVersion': 3 },
        };
  return {
    getIamPolicy: (resource: string): Promise<ReadPolicy> =>
      rest(ctx, api, at(resource, 'getIamPolicy'), POLICY, bounded(asked)),
    setIamPolicy: (resource: string, policy: Policy): Promise<ReadPolicy> =>
      rest(
        ctx,
        api,
        at(resource, 'setIamPolicy'),
        POLICY,
        bounded({ method: 'POST', body: updateMask ? { policy, updateMask: 'bindings,etag' } : { policy } }),
      ),
    testIamPermissions: (resource: string, permissions: string[]): Promise<string[]> =>
      rest(
        ctx,
        api,
        at(resource, 'testIamPermissions'),
        PERMISSIONS,
        bounded({ method: 'POST', body: { permissions } }),
      ),
  };
}

export function createIamClient(o: ApiContext) {
  // The `-` wildcard lets IAM find the account in whichever project owns it.
  const saName = (email: string) => `projects/-/serviceAccounts/${email}`;
  const accounts = policyCalls(o, 'iam', 'v1', 'post-query');
  return {
    getServiceAccount: (email: string): Promise<ServiceAccountInfo> =>
      rest(
        o,
        'iam',
        `v1/${resourcePath(saName(email))}`,
        { what: 'a ServiceAccount', decode: serviceAccountDecoder },
        bounded({}),
      ),
    getIamPolicy: (email: string) => accounts.getIamPolicy(saName(email)),
    setIamPolicy: (email: string, policy: Policy) => accounts.setIamPolicy(saName(email), policy),
    testIamPermissions: (email: string, permissions: string[]) =>
      accounts.testIamPermissions(saName(email), permissions),
    /** roles/x, projects/p/roles/x or organizations/o/roles/x -> included permissions. */
    getRole: (name: string): Promise<string[]> =>
      rest(o, 'iam', `v1/${resourcePath(name)}`, { what: 'a Role', decode: roleDecoder }, bounded({})),
  };
}

export type IamClient = ReturnType<typeof createIamClient>;
