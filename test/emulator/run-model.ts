// Cloud Run's shared state for the v1 (Knative) and v2 (Admin) surfaces: one job store in
// `world.jobs` holding v2 Job JSON, names, permission gates and long-running operations.
// The v1 shape is converted to and from this store in run-v1-shape.ts.
import { randomBytes, randomUUID } from 'node:crypto';
import { type Caller, type Ctx, HttpError, type World, type WorldProject } from './contract.ts';
import { requireRegion } from './run-regions.ts';
import { serviceDisabled } from './services.ts';
import { findProject } from './world-index.ts';

export type Json = Record<string, unknown>;

export const JOB_TYPE = 'type.googleapis.com/google.cloud.run.v2.Job';
export const EXECUTION_TYPE = 'type.googleapis.com/google.cloud.run.v2.Execution';

/** How long a deploy takes to reconcile, and an execution to start / finish (ms). Short: tests wait on them. */
export const TIMING = { reconcileMs: 60, startMs: 60, finishMs: 220 };

export function timestamp(): string {
  return new Date().toISOString().replace('Z', '000Z');
}

export function asJson(v: unknown): Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}
export function asArray(v: unknown): Json[] {
  return Array.isArray(v) ? v.map(asJson) : [];
}
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export { findProject };

/** Identifies a job; `projectId` is normalised to the id when the project is known. */
export interface JobRef {
  project: WorldProject | undefined;
  projectId: string;
  location: string;
  job: string;
}
export function jobRef(world: World, projectIdOrNumber: string, location: string, job: string): JobRef {
  const project = findProject(world, projectIdOrNumber);
  return { project, projectId: project?.id ?? projectIdOrNumber, location, job };
}
export function jobName(ref: JobRef): string {
  return `projects/${ref.projectId}/locations/${ref.location}/jobs/${ref.job}`;
}
export function parseJobName(world: World, name: string): JobRef | undefined {
  const m = /^projects\/([^/]+)\/locations\/([^/]+)\/jobs\/([^/]+)$/.exec(name);
  return m?.[1] && m[2] && m[3] ? jobRef(world, m[1], m[2], m[3]) : undefined;
}

/**
 * Job ids: lowercase letters, digits and hyphens, a letter first, no hyphen last, at most 63
 * characters (gcloud's run flags.ValidateResource allows 63 for `run jobs create`; Cloud Run's
 * v2 workers build job names up to that length, PrefectHQ/prefect#20468). The refusal follows
 * Cloud Run v2's for an invalid service id ("Violation in CreateServiceRequest.service_id: only
 * lowercase, digits, and hyphens; must begin with letter, and cannot end with hyphen; must be
 * less than 50 characters.", quoted in pulumi/pulumi-gcp#3167), with the job's field and limit.
 */
export const JOB_ID = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

export function invalidJobId(legacy = false): HttpError {
  const field = legacy ? 'metadata.name' : 'Violation in CreateJobRequest.job_id';
  const description =
    'only lowercase, digits, and hyphens; must begin with letter, and cannot end with hyphen; must be less than 64 characters.';
  return new HttpError(
    400,
    'INVALID_ARGUMENT',
    `${field}: ${description}`,
    [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field, description }] }],
    legacy,
  );
}

export function jobNotFound(ref: JobRef, legacy = false): HttpError {
  return new HttpError(
    404,
    'NOT_FOUND',
    `Resource '${ref.job}' of kind 'JOB' in region '${ref.location}' in project '${ref.projectId}' does not exist.`,
    [],
    legacy,
  );
}

export function alreadyExists(ref: JobRef, legacy = false): HttpError {
  return new HttpError(409, 'ALREADY_EXISTS', `Resource '${ref.job}' already exists.`, [], legacy);
}

/**
 * The gate every Cloud Run call passes: authenticated caller, Cloud Run API enabled on the
 * project, and `permission` on the project (the world holds no per-job policies). The message
 * names the job the way Cloud Run does.
 */
export function gate(ctx: Ctx, permission: string, ref: JobRef, resourceText: string): Caller {
  const caller = ctx.requireCaller();
  const project = ref.project;
  // Cloud Run also needs its API on the job's project (besides the caller's consumer project).
  if (project && project.services.length > 0 && !project.services.includes('run.googleapis.com'))
    throw serviceDisabled('run.googleapis.com', project);
  requireRegion(ref.location);
  // A job's own policy grants on it (and its executions); project-wide calls use the project.
  const on = ref.job && ref.job !== '-' ? jobName(ref) : `projects/${ref.projectId}`;
  ctx.require(permission, on, {
    message: `Permission '${permission}' denied on resource '${resourceText}' (or resource may not exist).`,
  });
  if (ctx.world.quotaExhausted?.includes('run.googleapis.com') && WRITES.test(permission))
    throw quotaExceeded(project?.number ?? ref.projectId, ref.location);
  return caller;
}

/** Calls that count against Cloud Run's "Job write requests per minute" quota. */
const WRITES = /^run\.jobs\.(create|update|delete|run|runWithOverrides)$/;

/**
 * 429 as Google's quota system answers it: ErrorInfo RATE_LIMIT_EXCEEDED, a QuotaFailure and a
 * RetryInfo saying when the per-minute window reopens (Google sends RetryInfo.retryDelay with
 * its 429 RESOURCE_EXHAUSTED: googleapis/python-genai#2114).
 */
function quotaExceeded(projectNumber: string, location: string): HttpError {
  const wait = 60 - Math.floor((Date.now() / 1000) % 60);
  const metric = 'run.googleapis.com/job_write_requests';
  const limit = 'JobWriteRequestsPerMinutePerProjectPerRegion';
  return new HttpError(
    429,
    'RESOURCE_EXHAUSTED',
    `Quota exceeded for quota metric 'Job write requests' and limit 'Job write requests per minute per region' ` +
      `of service 'run.googleapis.com' for consumer 'project_number:${projectNumber}'.`,
    [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'RATE_LIMIT_EXCEEDED',
        domain: 'googleapis.com',
        metadata: {
          service: 'run.googleapis.com',
          consumer: `projects/${projectNumber}`,
          quota_metric: metric,
          quota_limit: limit,
          quota_location: location,
        },
      },
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          {
            subject: `project_number:${projectNumber}`,
            description: 'Job write requests per minute per region',
          },
        ],
      },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${wait}s` },
    ],
  );
}

/** Re-throws HttpErrors with the legacy `errors[]` rendering the v1 (Knative) surface uses. */
export async function asLegacy<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof HttpError && !e.legacy) {
      const legacy = new HttpError(e.httpStatus, e.status, e.message, e.details, true);
      if (e.legacyReason) legacy.legacyReason = e.legacyReason;
      if (e.legacyDomain) legacy.legacyDomain = e.legacyDomain;
      throw legacy;
    }
    throw e;
  }
}

export function principalOf(caller: Caller): string {
  return caller.email ?? caller.member.replace(/^[a-zA-Z]+:/, '');
}

export function newEtag(): string {
  return randomBytes(12).toString('base64url');
}
export function newUid(): string {
  return randomUUID();
}

/** Default runtime identity of jobs that name none. */
export function defaultComputeSa(project: WorldProject | undefined, projectId: string): string {
  return `${project?.number ?? projectId}-compute@developer.gserviceaccount.com`;
}
export function serviceAgentOf(project: WorldProject | undefined, projectId: string): Caller {
  const email = `service-${project?.number ?? projectId}@serverless-robot-prod.iam.gserviceaccount.com`;
  return { member: `serviceAccount:${email}`, alsoMatches: [], email };
}

// ---- long-running operations ----

const timers = new Set<NodeJS.Timeout>();
/** Runs `fn` later without keeping the process alive. */
export function later(ms: number, fn: () => void): void {
  const t = setTimeout(() => {
    timers.delete(t);
    fn();
  }, ms);
  t.unref();
  timers.add(t);
}

export function newOperation(world: World, ref: JobRef, metadata: Json): Json {
  const name = `projects/${ref.projectId}/locations/${ref.location}/operations/${randomUUID()}`;
  const op: Json = { name, metadata };
  world.operations[name] = op;
  return op;
}

/** google.rpc.Status of a failed operation: `code` is the gRPC code. */
export interface OpError {
  code: number;
  message: string;
  details?: Json[];
}

export function finishOperation(op: Json, result: { response: Json } | { error: OpError }): void {
  op.done = true;
  if ('error' in result) op.error = result.error;
  else op.response = result.response;
}

/** Waits until the operation is done or `timeoutMs` elapses (the `:wait` method). */
export async function waitOperation(op: Json, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (op.done !== true && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 15));
  }
}

/** Parses a protobuf Duration string ("30s", "1.5s"). */
export function parseDuration(v: unknown, fallbackMs: number): number {
  const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(v) : null;
  return m?.[1] ? Math.round(Number(m[1]) * 1000) : fallbackMs;
}

/**
 * A job the world seeds carries what Google stores on every job (a world may give only its
 * spec): its name, uid, generation, etag, times, launch stage, and a finished reconcile. Fields
 * the world gives are kept as given.
 */
export function seededJob(name: string, given: Json): Json {
  const now = timestamp();
  const generation = String(given.generation ?? '1');
  return {
    name,
    uid: newUid(),
    generation,
    observedGeneration: generation,
    createTime: now,
    updateTime: now,
    launchStage: 'GA',
    etag: `"${newEtag()}"`,
    terminalCondition: { type: 'Ready', state: 'CONDITION_SUCCEEDED' },
    reconciling: false,
    ...given,
  };
}
