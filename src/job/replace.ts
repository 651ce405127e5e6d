// The job.yaml path (v1, what `gcloud run jobs replace` does): PUT the job, or POST it when
// missing, then wait for Ready on the generation just written. Each write carries this run's
// deploy id, so a write whose answer was lost is recognised when read back (reconcile.ts).
import type { ApiContext } from '../gcp/clients.ts';
import { isStatus, StepError } from '../gcp/errors.ts';
import { realSleep } from '../gcp/retry.ts';
import { createJobV1, getJobV1, readyCondition, replaceJobV1, type V1Job } from '../gcp/run-v1.ts';
import { scaled, seconds } from '../gcp/timeout.ts';
import type { Config, DeployPlan } from '../model.ts';
import { ConditionFailed } from './condition-error.ts';
import { compareOptions, type DeployAction, type DeployOptions } from './deploy.ts';
import { readyV1, sameV1 } from './diff.ts';
import type { JobManifest } from './metadata.ts';
import { newDeployId, ownV1Write, stampedV1 } from './reconcile.ts';
import { manifestForReplace } from './spec.ts';

const DEFAULT_WAIT_MS = scaled(10 * 60_000);

/** The written job still not Ready at the bound: Cloud Run took the write and keeps reconciling. */
export class NotReadyInTime extends Error {
  /** Read by toApiError (errors.ts): accepted and unfinished, not a request without an answer. */
  readonly stillRunning: string;
  readonly service = 'run.googleapis.com';
  readonly ms: number;
  constructor(job: string, ms: number) {
    super(`job ${job} was not Ready after ${seconds(ms)}`);
    this.name = 'NotReadyInTime';
    this.stillRunning = job;
    this.ms = ms;
  }
}

export async function replace(
  ctx: ApiContext,
  plan: DeployPlan,
  config: Config,
  manifest: JobManifest,
  sha: string | undefined,
  options: DeployOptions,
): Promise<DeployAction> {
  const deployId = newDeployId();
  const manifestBody = manifestForReplace(manifest, plan.project, config, sha) as V1Job;
  const body = stampedV1(manifestBody, deployId);
  // The plan's read already says whether the job exists; read (v1) only when it could not, or
  // when the job appeared or vanished since (the write's ALREADY_EXISTS / NOT_FOUND).
  const current = options.known ? options.known.v1 : await getJobV1(ctx, plan.region, plan.project, plan.job);
  let exists = options.known ? (options.known.v1 ?? options.known.job) !== undefined : current !== undefined;
  // The job already is what the job.yaml says, and Ready: no write, no wait for Ready (the
  // comparison leaves out this run's deploy id, which only the write would add).
  if (current && readyV1(current) && sameV1(current, manifestBody, compareOptions(plan))) return 'unchanged';
  const what = () => `${exists ? 'replace' : 'create'} of job ${plan.jobName}`;
  // A write whose answer was lost is read back: this run's deploy id there means it applied.
  const send = () =>
    (exists
      ? replaceJobV1(ctx, plan.region, plan.project, body)
      : createJobV1(ctx, plan.region, plan.project, body)
    ).catch(async (e: unknown) => (await ownV1Write(ctx, plan, deployId, what(), e)) ?? Promise.reject(e));
  const written = await send().catch(async (e: unknown) => {
    if (!isStatus(e, exists ? 'NOT_FOUND' : 'ALREADY_EXISTS')) throw e;
    exists = !exists;
    return send();
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
        new NotReadyInTime(plan.jobName, options.waitDeadlineMs ?? DEFAULT_WAIT_MS),
      );
    await sleep(pauseMs);
    pauseMs = Math.min(pauseMs * 2, scaled(5_000));
    job = await getJobV1(ctx, plan.region, plan.project, plan.job);
  }
}
