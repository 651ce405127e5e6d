// The contract between the emulator's core (server, world, IAM engine) and its API modules.
// Every API module exports `handlers: Handler[]`; the server tries them in order.

import type { IncomingHttpHeaders } from 'node:http';
import type { OrgPolicySetting } from './orgpolicy-state.ts';

/** IAM member forms as they appear in policies: user:, serviceAccount:, group:, domain:, principal://, principalSet://, allUsers, allAuthenticatedUsers. */
export type Member = string;

export interface Binding {
  role: string;
  members: Member[];
  condition?: { expression: string; title?: string; description?: string };
}
export interface Policy {
  version?: number;
  etag?: string;
  bindings?: Binding[];
  auditConfigs?: unknown[];
}

/** The identity behind a bearer token. */
export interface Caller {
  /** The member the token authenticates as, e.g. serviceAccount:deployer@p.iam.gserviceaccount.com or principal://iam.googleapis.com/... */
  member: Member;
  /** Extra members the caller matches (principalSet://... attribute sets, group: memberships the world knows). */
  alsoMatches: Member[];
  /** Email when the caller is a user or service account. */
  email?: string;
}

export interface EmuRequest {
  method: string;
  /** Host header (or the absolute-URI host that proxied gcloud sends), e.g. us-central1-emulator.invalid:1234 */
  host: string;
  /** Path without query, e.g. /v2/projects/p/locations/us-central1/jobs */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or form fields as a record for application/x-www-form-urlencoded, or undefined. */
  body: unknown;
  rawBody: string;
}

export interface EmuResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Ctx {
  world: World;
  /** Base URL of the emulator as the client reached it, e.g. http://127.0.0.1:1234 */
  baseUrl: string;
  /** The API serving this request (e.g. iam.googleapis.com), set by services.ts forService; requireCaller answers SERVICE_DISABLED when it is not enabled on the caller's consumer project. */
  service?: string;
  /** For a resource-based API (services.ts), the project id or number holding the resource the request names: the API must be enabled there. */
  resourceProject?: string;
  /** The caller from the Authorization header, or undefined. */
  caller: Caller | undefined;
  /** Returns the caller or throws an HttpError 401 UNAUTHENTICATED body. */
  requireCaller(): Caller;
  /** Does `who` (default: the caller) hold `permission` on `resource` (full resource name), honouring ancestors, roles, custom roles, groups, propagation delay? */
  can(permission: string, resource: string, who?: Caller): boolean;
  /** Throws an HttpError 403 with a realistic google.rpc.Status body naming the permission (ErrorInfo reason IAM_PERMISSION_DENIED) unless `can`. */
  require(permission: string, resource: string, opts?: { domain?: string; message?: string }): void;
}

export type Handler = (
  req: EmuRequest,
  ctx: Ctx,
) => Promise<EmuResponse | undefined> | EmuResponse | undefined;

/** Thrown by handlers (and ctx.require) to answer with a Google error body; the server renders it. */
export class HttpError extends Error {
  // Fields are declared explicitly (no parameter properties) so Node can run this file with --experimental-strip-types.
  readonly httpStatus: number;
  readonly status: string;
  readonly details: Array<Record<string, unknown>>;
  /** For v1 (Knative) APIs, also render the legacy `errors[]` array. */
  readonly legacy: boolean;
  /** The legacy errors[] reason when it is not the HTTP status's usual one (e.g. Cloud SQL's instanceDoesNotExist). */
  legacyReason?: string;
  /** The legacy errors[] domain when it is not `global` (e.g. usageLimits for accessNotConfigured). */
  legacyDomain?: string;
  constructor(
    httpStatus: number,
    status: string,
    message: string,
    details: Array<Record<string, unknown>> = [],
    legacy = false,
  ) {
    super(message);
    this.httpStatus = httpStatus;
    this.status = status;
    this.details = details;
    this.legacy = legacy;
  }
}

// ---- the world, as loaded from a scenario file (YAML; see test/emulator/SCENARIO.md) ----

export interface WorldProject {
  id: string;
  number: string;
  /** organizations/N or folders/N, optional */
  parent?: string;
  policy: Policy;
  /**
   * Org policy constraint name -> the policy set on the project: `true`/`false` for a boolean
   * one, or an Org Policy v2 spec (list constraints; see orgpolicy-state.ts). Defaults to
   * {iam.disableCrossProjectServiceAccountUsage: true} as on real projects.
   */
  orgPolicies: Record<string, OrgPolicySetting>;
  /** Enabled APIs, e.g. run.googleapis.com. */
  services: string[];
}
export interface WorldServiceAccount {
  email: string;
  project: string;
  uniqueId: string;
  disabled: boolean;
  policy: Policy;
}
export interface WorldRepository {
  /** projects/P/locations/L/repositories/R */
  name: string;
  format: string;
  policy: Policy;
  /** image path -> tags; digests are derived */
  images: Record<string, string[]>;
}
export interface WorldSecret {
  /** projects/P/secrets/S (P is the project id) */
  name: string;
  versions: string[];
  policy: Policy;
}
export interface WorldProvider {
  /** projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER */
  name: string;
  attributeMapping: Record<string, string>;
  attributeCondition?: string;
  disabled?: boolean;
  /** Accepted `aud` claims besides the default https://iam.googleapis.com/<name>. */
  allowedAudiences?: string[];
}
export interface WorldGithub {
  repository: string;
  pullRequests: Array<{ number: number; fork?: boolean }>;
  /** Tokens accepted by the GitHub REST API, with their permission on issues/pull requests. */
  tokens: Record<string, 'write' | 'read'>;
  /** The runner's ACTIONS_ID_TOKEN_REQUEST_TOKEN; the OIDC token endpoint demands it (default: DEFAULT_ID_TOKEN_REQUEST_TOKEN in apis/github.ts). */
  idTokenRequestToken?: string;
  /** Claims of the OIDC token the runner gets (sub, repository, ref, ...). */
  claims: Record<string, string>;
  /** Where the emulator keeps issue comments: issue number -> comments. */
  comments: Record<number, Array<{ id: number; body: string; user: string }>>;
}

export interface World {
  organizations: Array<{ id: string; policy: Policy; orgPolicies?: Record<string, OrgPolicySetting> }>;
  folders: Array<{
    id: string;
    parent: string;
    policy: Policy;
    orgPolicies?: Record<string, OrgPolicySetting>;
  }>;
  projects: WorldProject[];
  serviceAccounts: WorldServiceAccount[];
  customRoles: Array<{ name: string; includedPermissions: string[]; title?: string }>;
  repositories: WorldRepository[];
  secrets: WorldSecret[];
  groups: Array<{ email: string; members: Member[] }>;
  providers: WorldProvider[];
  github: WorldGithub;
  /** Static bearer tokens (for gcloud and admin reads in tests) -> member. */
  tokens: Record<string, Member>;
  /** Cloud Run jobs keyed by full v2 name; values are v2 Job JSON as the API returns it. */
  jobs: Record<string, Record<string, unknown>>;
  /** Executions keyed by full name. */
  executions: Record<string, Record<string, unknown>>;
  /** Long-running operations keyed by full name. */
  operations: Record<string, Record<string, unknown>>;
  /** Behaviour knobs for executions: image URL (without tag) -> exit code of its tasks (default 0). */
  imageExitCodes: Record<string, number>;
  /** ms before a newly granted binding takes effect (IAM propagation). */
  propagationDelayMs: number;
  /** ms added to every response. */
  latencyMs: number;
  /** APIs (e.g. run.googleapis.com) whose per-minute write-request quota is used up: writes answer 429. */
  quotaExhausted?: string[];
  /** Resource Manager tag bindings (world-tags.ts), read by IAM conditions' tag functions. */
  tags?: Array<{ resource: string; key: string; value: string; keyId: string; valueId: string }>;
  /** image URL without tag -> extra ms its tasks run before finishing (executions that outlive a deploy's wait). */
  imageRunMs?: Record<string, number>;
  /** Empty pages (each with a nextPageToken) a Cloud Logging entries.list search answers before its results. */
  logSearchCutShort?: number;
  /** Extra ms before a job write's reconcile settles and its long-running operation is done. */
  operationDelayMs?: number;
  /** Cloud Run GPUs allowed at once per region (project quota); a job asking more fails to reconcile. No entry: no limit. */
  gpuQuota?: Record<string, number>;
  /** IAM policies of Cloud Run jobs, keyed by full v2 job name (projects/ID/locations/L/jobs/J). */
  jobPolicies?: Record<string, Policy>;
  /** IAM v2 deny policies, each attached to projects/ID, folders/N or organizations/N. */
  denyPolicies?: WorldDenyPolicy[];
  /** What jobs connect to (Cloud SQL, VPC, buckets, keys) and the logs executions write (connected.ts). */
  connected: WorldConnected;
}

export interface WorldSqlInstance {
  /** projects/P/instances/I (P the project id) */
  name: string;
  region: string;
  databaseVersion: string;
}
export interface WorldSubnetwork {
  /** projects/P/regions/R/subnetworks/S */
  name: string;
  /** projects/P/global/networks/N */
  network: string;
  policy: Policy;
}
export interface WorldBucket {
  name: string;
  /** Project id that owns the bucket (its IAM parent). */
  project: string;
  policy: Policy;
}
export interface WorldConnected {
  sqlInstances: WorldSqlInstance[];
  subnetworks: WorldSubnetwork[];
  /** projects/P/locations/L/connectors/C -> its network name */
  connectors: Record<string, string>;
  buckets: WorldBucket[];
  /** projects/P/locations/L/keyRings/R/cryptoKeys/K -> its policy */
  cryptoKeys: Record<string, { policy: Policy }>;
  /** projects/P/locations/L/keyRings/R -> its policy, which the ring's keys inherit */
  keyRings: Record<string, { policy: Policy }>;
  /** image URL without tag -> lines its tasks print to stderr before exiting */
  imageLogs: Record<string, string[]>;
  /** Cloud Logging entries (LogEntry JSON), written by executions; entries.list reads them. */
  logEntries: Array<Record<string, unknown>>;
  /** Tasks (v2 Task JSON) of each execution, by execution name; written when its tasks end. */
  tasks: Record<string, Array<Record<string, unknown>>>;
}

/** A deny rule as IAM v2 stores it (principals and permissions in the v2 forms). */
export interface DenyRule {
  deniedPrincipals?: string[];
  exceptionPrincipals?: string[];
  deniedPermissions?: string[];
  exceptionPermissions?: string[];
  denialCondition?: { expression: string; title?: string; description?: string };
}
export interface WorldDenyPolicy {
  /** projects/ID, folders/N or organizations/N */
  attachmentPoint: string;
  /** The policy id (last segment of its name). */
  id: string;
  displayName?: string;
  etag: string;
  rules: Array<{ description?: string; denyRule: DenyRule }>;
}
