// A write of the job whose answer was lost (a reset or no answer in time after the request was
// sent, a 5xx, an answer that did not decode) may have been applied. Rather than fail with "re-run
// the workflow" while the job silently exists, the job is read: every write this run makes carries
// one annotation with this run's deploy id, so the read tells whether the write in place is ours.
// If it is, the run continues from it (waiting until Cloud Run has settled it) and says so.
//
// GoogleCloudRunV2Job.annotations (gcloud's run_v2_messages.py): free for external tools, kept
// across modifications, Kubernetes key rules, and rejected only in the run.googleapis.com,
// cloud.googleapis.com, serving.knative.dev and autoscaling.knative.dev namespaces.
import { BAD_ANSWER } from '../gcp/answer.ts';
import type { ApiContext } from '../gcp/clients.ts';
import { toApiError } from '../gcp/errors.ts';
import { realSleep, type Sleep } from '../gcp/retry.ts';
import { getJob, type V2Job } from '../gcp/run.ts';
import { getJobV1, type V1Job } from '../gcp/run-v1.ts';
import { scaled, stepTimeLeft } from '../gcp/timeout.ts';
import type { DeployPlan, JobCondition } from '../model.ts';
import { log } from '../output/log.ts';
import { ConditionFailed } from './condition-error.ts';
import { DEPLOY_ID_KEY } from './stamps.ts';

/** This run's deploy id: the workflow run and attempt (when on a runner) and a random part. */
export function newDeployId(
  env: NodeJS.ProcessEnv = process.env,
  random: () => number = Math.random,
): string {
  const run = /^\d+$/.test(env.GITHUB_RUN_ID ?? '') ? env.GITHUB_RUN_ID : 'local';
  const attempt = /^\d+$/.test(env.GITHUB_RUN_ATTEMPT ?? '') ? env.GITHUB_RUN_ATTEMPT : '1';
  return `${run}-${attempt}-${Math.floor(random() * 36 ** 6)
    .toString(36)
    .padStart(6, '0')}`;
}

/** `job` with this run's deploy id among its annotations (every other annotation kept). */
export function stamped(job: V2Job, deployId: string): V2Job {
  return { ...job, annotations: { ...(job.annotations ?? {}), [DEPLOY_ID_KEY]: deployId } };
}

export function carries(job: V2Job | undefined, deployId: string): boolean {
  return job?.annotations?.[DEPLOY_ID_KEY] === deployId;
}

/** A failure after which the write may have been applied (and reading the job can tell). */
export function uncertain(e: unknown): boolean {
  const api = toApiError(e);
  if (api.reason === BAD_ANSWER) return true;
  if (api.httpStatus === undefined) return api.networkCode !== undefined;
  return api.httpStatus >= 500;
}

export interface Settle {
  deadlineMs: number;
  sleep?: Sleep;
  /** The execution token the write carried: settled once the job names that execution. */
  token?: string;
}

/**
 * After an uncertain write: the job as this run wrote it, once Cloud Run has settled it; undefined
 * when the job in place is not this run's (the write did not apply: the original failure stands).
 */
export async function settleOwnWrite(
  ctx: ApiContext,
  name: string,
  deployId: string,
  what: string,
  cause: unknown,
  options: Settle,
): Promise<V2Job | undefined> {
  const sleep = options.sleep ?? realSleep;
  const start = Date.now();
  let pauseMs = scaled(250);
  // If even the read fails, the write's own failure is what the run reports.
  let job = await getJob(ctx, name).catch(() => undefined);
  if (!carries(job, deployId)) return undefined;
  log.warning(
    `The answer to the ${what} was lost (${toApiError(cause).message || toApiError(cause).status}); reading job ${name} shows this run's write in place (${DEPLOY_ID_KEY}: ${deployId}), so the run continues from it.`,
  );
  for (;;) {
    const ours = options.token ? job?.latestCreatedExecution?.name?.endsWith(`-${options.token}`) : true;
    if (job && job.reconciling !== true && ours) return checked(job, what);
    const left = Math.min(options.deadlineMs - (Date.now() - start), stepTimeLeft());
    if (left <= pauseMs) return job;
    await sleep(pauseMs);
    pauseMs = Math.min(pauseMs * 2, scaled(5_000));
    job = await getJob(ctx, name);
  }
}

/** A settled job whose write failed on Cloud Run's side fails like its operation would have. */
function checked(job: V2Job, what: string): V2Job {
  const c = job.terminalCondition;
  if (c?.state !== 'CONDITION_FAILED') return job;
  const condition: JobCondition = { type: c.type ?? 'Ready', status: 'False' };
  if (c.reason) condition.reason = c.reason;
  if (c.message) condition.message = c.message;
  throw new ConditionFailed(what, condition);
}

/** A v1 job (job.yaml replace) with this run's deploy id among its metadata annotations. */
export function stampedV1(job: V1Job, deployId: string): V1Job {
  const metadata = job.metadata ?? {};
  const annotations = (metadata.annotations ?? {}) as Record<string, string>;
  return { ...job, metadata: { ...metadata, annotations: { ...annotations, [DEPLOY_ID_KEY]: deployId } } };
}

/**
 * After an uncertain v1 write: the job read back when it carries this run's deploy id (the write
 * applied; waitReady then follows its generation), else undefined.
 */
export async function ownV1Write(
  ctx: ApiContext,
  plan: DeployPlan,
  deployId: string,
  what: string,
  cause: unknown,
): Promise<V1Job | undefined> {
  if (!uncertain(cause)) return undefined;
  const job = await getJobV1(ctx, plan.region, plan.project, plan.job).catch(() => undefined);
  const annotations = (job?.metadata?.annotations ?? {}) as Record<string, unknown>;
  if (annotations[DEPLOY_ID_KEY] !== deployId) return undefined;
  log.warning(
    `The answer to the ${what} was lost (${toApiError(cause).message || toApiError(cause).status}); reading job ${plan.jobName} shows this run's write in place (${DEPLOY_ID_KEY}: ${deployId}), so the run continues from it.`,
  );
  return job;
}
