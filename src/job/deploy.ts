// Puts the job in place: create-or-update from inputs (v2: read, merge, write with the read's
// etag, wait for the operation), or replace from a job.yaml (v1: PUT, or POST when missing,
// then wait for Ready). Right after IAM grants, a PERMISSION_DENIED is retried for a bounded
// time because new bindings take a while to propagate.
import type { ApiContext } from '../gcp/clients.ts';
import { isStatus, StepError } from '../gcp/errors.ts';
import { realSleep, type Sleep, withRetry } from '../gcp/retry.ts';
import {
  createJob,
  getJob,
  OperationFailed,
  OperationTimeout,
  updateJob,
  type V2Job,
  waitOperation,
} from '../gcp/run.ts';
import { createJobV1, getJobV1, readyCondition, replaceJobV1, type V1Job } from '../gcp/run-v1.ts';
import { scaled, seconds } from '../gcp/timeout.ts';
import type { Config, DeployPlan } from '../model.ts';
import { ConditionFailed } from './condition-error.ts';
import type { JobManifest } from './metadata.ts';
import { buildJob, manifestForReplace, mergeJob } from './spec.ts';

export type DeployAction = 'created' | 'updated' | 'replaced';

export interface DeployOptions {
  /** Retry a PERMISSION_DENIED deploy for this long (set only when grants were just made). */
  retryPermissionDeniedForMs?: number;
  /** Overall bound on waiting for the operation / readiness. */
  waitDeadlineMs?: number;
  sleep?: Sleep;
  log?: (line: string) => void;
  /** The job as the plan already read it (undefined: it does not exist); saves a read on the first attempt. */
  known?: { job: V2Job | undefined };
}

const DEFAULT_WAIT_MS = scaled(10 * 60_000);
/** Concurrent writers: re-read and re-merge this many times on a stale etag. */
const ETAG_ATTEMPTS = 3;

export async function deployJob(
  ctx: ApiContext,
  plan: DeployPlan,
  config: Config,
  manifest: JobManifest | undefined,
  sha: string | undefined,
  options: DeployOptions = {},
): Promise<DeployAction> {
  const once = () =>
    manifest ? replace(ctx, plan, config, manifest, sha, options) : upsert(ctx, plan, config, sha, options);
  const propagationMs = options.retryPermissionDeniedForMs;
  if (!propagationMs) return once();
  return withRetry(once, {
    attempts: 100,
    baseMs: scaled(2_000),
    maxMs: scaled(15_000),
    deadlineMs: propagationMs,
    sleep: options.sleep ?? realSleep,
    retryable: (e) => isStatus(e, 'PERMISSION_DENIED'),
    onRetry: (_e, n, waitMs) =>
      options.log?.(
        `Deploy refused (PERMISSION_DENIED) while new IAM grants propagate; retry ${n} in ${Math.round(waitMs / 1000)}s`,
      ),
  });
}

async function upsert(
  ctx: ApiContext,
  plan: DeployPlan,
  config: Config,
  sha: string | undefined,
  options: DeployOptions,
): Promise<DeployAction> {
  const wait = {
    deadlineMs: options.waitDeadlineMs ?? DEFAULT_WAIT_MS,
    ...(options.sleep ? { sleep: options.sleep } : {}),
  };
  const waitFor = (what: string, op: Parameters<typeof waitOperation>[1]) =>
    waitOperation(ctx, op, wait).catch((e: unknown) => {
      throw e instanceof OperationFailed || e instanceof OperationTimeout ? new StepError(what, e) : e;
    });
  let known = options.known;
  return withRetry(
    async (): Promise<DeployAction> => {
      // First attempt: the plan's read; every retry (conflict, stale etag) reads again.
      const existing = known ? known.job : await getJob(ctx, plan.jobName);
      known = undefined;
      if (!existing) {
        const parent = `projects/${plan.project}/locations/${plan.region}`;
        try {
          const op = await createJob(ctx, parent, plan.job, buildJob(config, sha, plan.project));
          await waitFor(`create job ${plan.jobName}`, op);
          return 'created';
        } catch (e) {
          // Someone created it between our read and our create: go round again and update it.
          if (isStatus(e, 'ALREADY_EXISTS')) throw new ConflictRetry(e);
          throw e;
        }
      }
      // The etag of the read guards the write: a concurrent change makes it fail, not vanish.
      const op = await updateJob(ctx, plan.jobName, mergeJob(existing, config, sha, plan.project));
      await waitFor(`update job ${plan.jobName}`, op);
      return 'updated';
    },
    {
      attempts: ETAG_ATTEMPTS,
      ...(options.sleep ? { sleep: options.sleep } : {}),
      retryable: (e) => e instanceof ConflictRetry || isStatus(e, 'ABORTED') || isStaleEtag(e),
    },
  ).catch((e: unknown) => {
    throw e instanceof ConflictRetry ? e.cause : e;
  });
}

class ConflictRetry extends Error {
  override readonly cause: unknown;
  constructor(cause: unknown) {
    super('job appeared concurrently');
    this.cause = cause;
  }
}

function isStaleEtag(e: unknown): boolean {
  return isStatus(e, 'FAILED_PRECONDITION') && /etag/i.test(String((e as Error).message));
}

async function replace(
  ctx: ApiContext,
  plan: DeployPlan,
  config: Config,
  manifest: JobManifest,
  sha: string | undefined,
  options: DeployOptions,
): Promise<DeployAction> {
  const body = manifestForReplace(manifest, plan.project, config, sha) as V1Job;
  // The plan's read already says whether the job exists; read (v1) only when it could not, or
  // when the job appeared or vanished since (the write's ALREADY_EXISTS / NOT_FOUND).
  let exists = options.known
    ? options.known.job !== undefined
    : (await getJobV1(ctx, plan.region, plan.project, plan.job)) !== undefined;
  const write = () =>
    exists
      ? replaceJobV1(ctx, plan.region, plan.project, body)
      : createJobV1(ctx, plan.region, plan.project, body);
  const written = await write().catch(async (e: unknown) => {
    if (!isStatus(e, exists ? 'NOT_FOUND' : 'ALREADY_EXISTS')) throw e;
    exists = !exists;
    return write();
  });
  await waitReady(ctx, plan, written, options);
  return exists ? 'replaced' : 'created';
}

/** Poll the v1 job until the controller reports Ready for the generation just written. */
async function waitReady(
  ctx: ApiContext,
  plan: DeployPlan,
  written: V1Job,
  options: DeployOptions,
): Promise<void> {
  const sleep = options.sleep ?? realSleep;
  const deadline = Date.now() + (options.waitDeadlineMs ?? DEFAULT_WAIT_MS);
  const generation = written.metadata?.generation;
  let job: V1Job | undefined = written;
  // A job is usually Ready within a second: look early, then back off.
  let pauseMs = scaled(50);
  for (;;) {
    const stale = generation !== undefined && (job?.metadata?.generation ?? 0) < generation;
    const ready = job && !stale ? readyCondition(job) : undefined;
    if (ready?.status === 'True') return;
    if (ready?.status === 'False')
      throw new ConditionFailed(`make job ${plan.jobName} ready`, { type: 'Ready', ...ready });
    if (Date.now() + pauseMs > deadline)
      throw new StepError(
        `wait for job ${plan.jobName} to become ready`,
        new Error(`not Ready after ${seconds(options.waitDeadlineMs ?? DEFAULT_WAIT_MS)}`),
      );
    await sleep(pauseMs);
    pauseMs = Math.min(pauseMs * 2, scaled(5_000));
    job = await getJobV1(ctx, plan.region, plan.project, plan.job);
  }
}
