// A write whose operation the deployer may not read (no run.operations.get: a role granted on
// the job alone, e.g. roles/run.developer there, does not reach the project's operations) is
// followed by reading the job itself: it is settled when it no longer reconciles, has observed
// the written generation, and its terminal condition says how the write ended. Bounded like
// the operation wait it replaces.
import type { ApiContext } from '../gcp/clients.ts';
import { isStatus } from '../gcp/errors.ts';
import { realSleep, type Sleep } from '../gcp/retry.ts';
import { getJob, OperationFailed, OperationTimeout, type V2Job } from '../gcp/run.ts';
import { scaled } from '../gcp/timeout.ts';
import { ConditionFailed } from './condition-error.ts';

export interface FollowOptions {
  deadlineMs: number;
  sleep?: Sleep;
  now?: () => number;
  log?: (line: string) => void;
}

/**
 * Whether the operation wait itself was refused for lack of run.operations.get (follow the job
 * instead); not an operation that finished with a PERMISSION_DENIED error of its own.
 */
export function operationUnreadable(e: unknown): boolean {
  return !(e instanceof OperationFailed) && isStatus(e, 'PERMISSION_DENIED');
}

/** The generation the write produced, when the operation's metadata (the v2 Job) says it. */
function writtenGeneration(op: { metadata?: unknown }): number | undefined {
  const g = (op.metadata as { generation?: string | number } | undefined)?.generation;
  const n = Number(g);
  return g !== undefined && Number.isFinite(n) ? n : undefined;
}

/** The job is done with this write: not reconciling, the write observed, a terminal condition. */
function settled(job: V2Job, generation: number | undefined): boolean {
  if (job.reconciling === true) return false;
  if (generation !== undefined && Number(job.observedGeneration ?? 0) < generation) return false;
  const state = job.terminalCondition?.state;
  return state === 'CONDITION_SUCCEEDED' || state === 'CONDITION_FAILED';
}

export async function followJob(
  ctx: ApiContext,
  jobName: string,
  op: { name?: string | null; metadata?: unknown },
  o: FollowOptions,
): Promise<V2Job> {
  const sleep = o.sleep ?? realSleep;
  const now = o.now ?? Date.now;
  const start = now();
  const generation = writtenGeneration(op);
  o.log?.(
    `No run.operations.get on ${op.name ?? 'the write'}: following job ${jobName} (reconciling, observed generation, terminal condition) instead of its operation`,
  );
  let pauseMs = scaled(250);
  for (;;) {
    const job = await getJob(ctx, jobName);
    if (job && settled(job, generation)) {
      const c = job.terminalCondition;
      if (c?.state === 'CONDITION_FAILED')
        throw new ConditionFailed(`reconcile job ${jobName}`, {
          type: c.type ?? 'Ready',
          state: c.state,
          ...(c.reason ? { reason: c.reason } : {}),
          ...(c.message ? { message: c.message } : {}),
        });
      return job;
    }
    const left = o.deadlineMs - (now() - start);
    if (left <= 0) throw new OperationTimeout(op.name ?? jobName, o.deadlineMs);
    await sleep(Math.min(pauseMs, left));
    pauseMs = Math.min(pauseMs * 2, scaled(5_000));
  }
}
