// IAM v1: service accounts (get, IAM policy, testIamPermissions) and roles.get for
// predefined and custom roles. Thin: no retries or caching here (the IAM preflight's reader
// adds those), but every call is bounded in time.
import { iam_v1 } from '@googleapis/iam/build/v1.js';
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

const IAM = 'iam.googleapis.com';

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
      return decodeAnswer(IAM, 'a ServiceAccount', serviceAccountDecoder, res.data);
    },
    async getIamPolicy(email: string): Promise<ReadPolicy> {
      const res = await iam.projects.serviceAccounts.getIamPolicy(
        { resource: saName(email), 'options.requestedPolicyVersion': 3 },
        CALL_OPTIONS,
      );
      return decodePolicy(IAM, res.data);
    },
    async setIamPolicy(email: string, policy: Policy): Promise<ReadPolicy> {
      const res = await iam.projects.serviceAccounts.setIamPolicy(
        {
          resource: saName(email),
          requestBody: { policy: policy as iam_v1.Schema$Policy, updateMask: 'bindings,etag' },
        },
        CALL_OPTIONS,
      );
      return decodePolicy(IAM, res.data);
    },
    async testIamPermissions(email: string, permissions: string[]): Promise<string[]> {
      const res = await iam.projects.serviceAccounts.testIamPermissions(
        { resource: saName(email), requestBody: { permissions } },
        CALL_OPTIONS,
      );
      return decodeAnswer(IAM, 'a TestIamPermissionsResponse', permissionsAnswer, res.data);
    },
    /** roles/x, projects/p/roles/x or organizations/o/roles/x -> included permissions. */
    async getRole(name: string): Promise<string[]> {
      const res = name.startsWith('projects/')
        ? await iam.projects.roles.get({ name }, CALL_OPTIONS)
        : name.startsWith('organizations/')
          ? await iam.organizations.roles.get({ name }, CALL_OPTIONS)
          : await iam.roles.get({ name }, CALL_OPTIONS);
      return decodeAnswer(IAM, 'a Role', roleDecoder, res.data);
    },
  };
}

export type IamClient = ReturnType<typeof createIamClient>;
