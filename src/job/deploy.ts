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
import type { V1Job } from '../gcp/run-v1.ts';
import { scaled } from '../gcp/timeout.ts';
import type { Config, DeployPlan } from '../model.ts';
import { type PlanOptions, readyV2, sameV2 } from './diff.ts';
import { followJob, operationUnreadable } from './follow-job.ts';
import type { JobManifest } from './metadata.ts';
import { carries, newDeployId, settleOwnWrite, stamped, uncertain } from './reconcile.ts';
import { replace } from './replace.ts';
import { buildJob, mergeJob } from './spec.ts';

/** `unchanged`: the job already held every setting, so nothing was written. */
export type DeployAction = 'created' | 'updated' | 'replaced' | 'unchanged';

export interface DeployOptions {
  /** Retry a PERMISSION_DENIED deploy for this long (set only when grants were just made). */
  retryPermissionDeniedForMs?: number;
  /** Which refusals the propagation retry is for: those of a permission this run granted. */
  propagating?: (e: unknown) => boolean;
  /** Overall bound on waiting for the operation / readiness. */
  waitDeadlineMs?: number;
  sleep?: Sleep;
  log?: (line: string) => void;
  /** The job as the plan already read it (undefined: it does not exist); saves a read on the first attempt. */
  known?: { job: V2Job | undefined; v1?: V1Job };
}

/**
 * Start an execution with the write itself (v2 Job runExecutionToken / startExecutionToken):
 * the write's operation then completes when the execution has completed / started.
 */
export interface ExecutionToken {
  token: string;
  until: 'completed' | 'started';
  /** How long the write's operation may wait for the execution (wait_timeout, scaled). */
  waitMs?: number;
}

/** The execution a token write started, as the finished write names it. */
export interface StartedExecution {
  name: string;
  /** v2 ExecutionReference.completionStatus, e.g. EXECUTION_SUCCEEDED. */
  completionStatus?: string;
}

/** A fresh execution token: 5 lowercase letters or digits, like Cloud Run's own suffixes. */
export function newExecutionToken(random: () => number = Math.random): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from({ length: 5 }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
}

/** Whether a token fits: the job name and the token together stay under 63 characters (API rule). */
export function tokenFits(job: string, token: string): boolean {
  return job.length + token.length < 63;
}

const DEFAULT_WAIT_MS = scaled(10 * 60_000);
const EXECUTION_WAIT_MS = scaled(24 * 3600_000);
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
    manifest
      ? replace(ctx, plan, config, manifest, sha, options)
      : upsert(ctx, plan, config, sha, options).then((r) => r.action);
  return withPropagationRetry(once, options);
}

/** Create or update the job from inputs and start an execution in the same write. */
export async function deployAndStart(
  ctx: ApiContext,
  plan: DeployPlan,
  config: Config,
  sha: string | undefined,
  token: ExecutionToken,
  options: DeployOptions = {},
): Promise<{ action: DeployAction; execution: StartedExecution }> {
  const r = await withPropagationRetry(() => upsert(ctx, plan, config, sha, options, token), options);
  const ref = r.job?.latestCreatedExecution;
  if (!ref?.name)
    throw new StepError(
      `start an execution of job ${plan.jobName}`,
      new Error('the finished write named no execution (latestCreatedExecution)'),
    );
  const execution: StartedExecution = { name: ref.name };
  if (ref.completionStatus) execution.completionStatus = ref.completionStatus;
  return { action: r.action, execution };
}

function withPropagationRetry<T>(once: () => Promise<T>, options: DeployOptions): Promise<T> {
  const propagationMs = options.retryPermissionDeniedForMs;
  if (!propagationMs) return once();
  return withRetry(once, {
    attempts: 100,
    baseMs: scaled(2_000),
    maxMs: scaled(15_000),
    deadlineMs: propagationMs,
    sleep: options.sleep ?? realSleep,
    retryable: (e) => isStatus(e, 'PERMISSION_DENIED') && (options.propagating?.(e) ?? true),
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
  token?: ExecutionToken,
): Promise<{ action: DeployAction; job?: V2Job }> {
  const wait = {
    // A write that waits for its execution to complete waits as long as an execution may run.
    deadlineMs:
      options.waitDeadlineMs ??
      (token?.until === 'completed' ? (token.waitMs ?? EXECUTION_WAIT_MS) : DEFAULT_WAIT_MS),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  };
  const waitFor = finisher(ctx, plan, { ...wait, ...(options.log ? { log: options.log } : {}) }, token);
  // Every write carries this run's deploy id: a write whose answer was lost is recognised by it.
  const deployId = newDeployId();
  const body = (job: V2Job): V2Job => stamped(withToken(job, token), deployId);
  const settle = {
    deadlineMs: wait.deadlineMs,
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(token ? { token: token.token } : {}),
  };
  /** After a failed write: this run's write in place after all (a lost answer), or the failure. */
  const reconcile = async (action: DeployAction, what: string, e: unknown) => {
    if (isStatus(e, 'ALREADY_EXISTS')) throw new ConflictRetry(e);
    if (!uncertain(e)) throw e;
    lost = action;
    const job = await settleOwnWrite(ctx, plan.jobName, deployId, what, e, settle);
    if (!job) throw e;
    return { action, job };
  };
  let known = options.known;
  let lost: DeployAction | undefined;
  return withRetry(
    async (): Promise<{ action: DeployAction; job?: V2Job }> => {
      // First attempt: the plan's read; every retry (conflict, stale etag) reads again.
      const existing = known ? known.job : await getJob(ctx, plan.jobName);
      known = undefined;
      // A retry after a lost answer (ALREADY_EXISTS, a stale etag) finds this run's write in place.
      if (existing && carries(existing, deployId)) {
        const what = `${lost === 'created' ? 'create' : 'update'} of job ${plan.jobName}`;
        const job = await settleOwnWrite(ctx, plan.jobName, deployId, what, 'a retry found it', settle);
        return optional({ action: lost ?? 'updated' }, job);
      }
      if (!existing) {
        const parent = `projects/${plan.project}/locations/${plan.region}`;
        const what = `create of job ${plan.jobName}`;
        const op = await createJob(ctx, parent, plan.job, body(buildJob(config, sha, plan.project))).catch(
          (e) => reconcile('created', what, e),
        );
        if ('action' in op) return op;
        return optional({ action: 'created' }, await waitFor(`create job ${plan.jobName}`, op));
      }
      const next = mergeJob(existing, config, sha, plan.project);
      // Nothing to change: no write, no new generation. A token write still goes (it starts the
      // run), and so does one to a job that is not ready (Cloud Run reconciles it again).
      if (!token && readyV2(existing) && sameV2(existing, next, compareOptions(plan)))
        return { action: 'unchanged' };
      // The etag of the read guards the write: a concurrent change makes it fail, not vanish.
      const what = `update of job ${plan.jobName}`;
      const op = await updateJob(ctx, plan.jobName, body(next)).catch((e) => reconcile('updated', what, e));
      if ('action' in op) return op;
      return optional({ action: 'updated' }, await waitFor(`update job ${plan.jobName}`, op));
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

/** A job that names no runtime account runs as the project's default compute account. */
export const compareOptions = (plan: DeployPlan): PlanOptions => ({
  defaultServiceAccount: `${plan.projectNumber}-compute@developer.gserviceaccount.com`,
});

const optional = (r: { action: DeployAction }, job: V2Job | undefined) => (job ? { ...r, job } : r);

/** Waits for a write's operation; the finished write's job (for a token write, it names the execution). */
function finisher(
  ctx: ApiContext,
  plan: DeployPlan,
  wait: Parameters<typeof waitOperation>[2] & { log?: (line: string) => void },
  token: ExecutionToken | undefined,
) {
  return (what: string, op: Parameters<typeof waitOperation>[1]): Promise<V2Job | undefined> =>
    waitOperation(ctx, op, wait).then(
      (done) => done.response as V2Job | undefined,
      (e: unknown) => {
        // No run.operations.get (a role on the job alone): follow the job itself instead.
        if (operationUnreadable(e))
          return followJob(ctx, plan.jobName, op, wait).catch((f: unknown) => {
            throw f instanceof OperationTimeout ? new StepError(what, f) : f;
          });
        // The job was written but the execution it started failed: the deploy itself succeeded.
        const failedRun = token && e instanceof OperationFailed ? executionFailedJob(e, token) : undefined;
        if (failedRun) return failedRun;
        // Still running at wait_timeout: the job is written; its read names the execution, which
        // the execute stage then reports as left running.
        if (token?.until === 'completed' && e instanceof OperationTimeout) return getJob(ctx, plan.jobName);
        throw e instanceof OperationFailed || e instanceof OperationTimeout ? new StepError(what, e) : e;
      },
    );
}

/** The written job with this run's execution token, and never an earlier run's. */
function withToken(job: V2Job, token: ExecutionToken | undefined): V2Job {
  const out = { ...job };
  delete out.runExecutionToken;
  delete out.startExecutionToken;
  if (token?.until === 'completed') out.runExecutionToken = token.token;
  if (token?.until === 'started') out.startExecutionToken = token.token;
  return out;
}

/** A failed token write whose job names this run's execution as failed or cancelled. */
function executionFailedJob(e: OperationFailed, token: ExecutionToken): V2Job | undefined {
  const job = (e.operation?.response ?? e.operation?.metadata) as V2Job | undefined;
  const ref = job?.latestCreatedExecution;
  const ours = ref?.name?.endsWith(`-${token.token}`);
  return ours && /FAILED|CANCELLED/.test(ref?.completionStatus ?? '') ? job : undefined;
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
