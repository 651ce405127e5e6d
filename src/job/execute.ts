// Runs the job and, when asked, follows the execution to its end. The run operation's metadata
// names the execution at once; the execution itself is polled (its counts and Completed
// condition say how it ended), starting fast and backing off for long jobs.
import type { ApiContext } from '../gcp/clients.ts';
import { StepError } from '../gcp/errors.ts';
import { realSleep, type Sleep } from '../gcp/retry.ts';
import {
  getExecution,
  OperationFailed,
  OperationTimeout,
  runJob,
  type V2Execution,
  waitOperation,
} from '../gcp/run.ts';
import { scaled, seconds, stepTimeLeft } from '../gcp/timeout.ts';
import type { ExecutionStatus, JobCondition, RunOverrides } from '../model.ts';

export interface ExecutionResult {
  name: string;
  status: ExecutionStatus;
  logUri?: string;
  /** The Completed condition when the execution did not succeed. */
  condition?: JobCondition;
  /** wait_timeout passed with the execution still running (it keeps running). */
  waitExpired?: boolean;
}

/**
 * The wait ended at its bound: the execution is left running, and the step fails saying so.
 * main.ts reports it as its own finding (no API refused anything).
 */
export class WaitExpired extends Error {
  readonly execution: string;
  readonly logUri: string | undefined;
  constructor(execution: string, waitedMs: number, link: string | undefined) {
    super(
      `Stopped waiting for execution ${execution} after ${seconds(waitedMs)} (wait_timeout): it was still running and keeps running${link ? `; follow it at ${link}` : ''}`,
    );
    this.name = 'WaitExpired';
    this.execution = execution;
    this.logUri = link;
  }
}

export interface ExecuteOptions {
  wait: boolean;
  /** RunJobRequest.overrides for this execution (args, env, task count, timeout). */
  overrides?: RunOverrides;
  sleep?: Sleep;
  log?: (line: string) => void;
  /** Longest pause between polls. */
  maxPollMs?: number;
  /** How long to wait for the execution (wait_timeout; already scaled). Default 1 h. */
  waitTimeoutMs?: number;
  now?: () => number;
}

/** How an execution ended, or 'running' while it has not (pure). */
export function executionStatus(execution: V2Execution): ExecutionStatus {
  const completed = execution.conditions?.find((c) => c.type === 'Completed');
  const finished =
    Boolean(execution.completionTime) ||
    completed?.state === 'CONDITION_SUCCEEDED' ||
    completed?.state === 'CONDITION_FAILED';
  if (!finished) return 'running';
  if ((execution.cancelledCount ?? 0) > 0 || /cancel/i.test(completed?.reason ?? '')) return 'cancelled';
  if ((execution.failedCount ?? 0) > 0 || completed?.state === 'CONDITION_FAILED') return 'failed';
  return 'succeeded';
}

export async function executeJob(
  ctx: ApiContext,
  jobName: string,
  options: ExecuteOptions,
): Promise<ExecutionResult> {
  const op = await runJob(ctx, jobName, options.overrides);
  let name = (op.metadata as { name?: string } | undefined)?.name;
  if (!name) {
    // Some servers only say which execution in the finished operation's response.
    const done = await waitOperation(ctx, op, { deadlineMs: scaled(10 * 60_000) }).catch((e: unknown) => {
      throw e instanceof OperationFailed || e instanceof OperationTimeout
        ? new StepError(`run job ${jobName}`, e)
        : e;
    });
    name = (done.response as { name?: string } | undefined)?.name;
  }
  if (!name) throw new StepError(`run job ${jobName}`, new Error('the run operation named no execution'));
  options.log?.(`Started execution ${name}`);
  if (!options.wait) return { name, status: 'running' };

  // The run operation completes with the execution: let the server hold a `:wait` instead of
  // sleeping between polls; the loop below then reads the finished execution once. Both are
  // bounded by wait_timeout, after which the execution is left running.
  const now = options.now ?? Date.now;
  const waitMs = options.waitTimeoutMs ?? scaled(3600_000);
  const until = now() + waitMs;
  let logUri: string | undefined;
  const expired = () => new WaitExpired(name, waitMs, logUri);
  await waitOperation(ctx, op, {
    deadlineMs: waitMs,
    ...(options.sleep ? { sleep: options.sleep } : {}),
    now,
  }).catch((e: unknown) => {
    if (e instanceof OperationTimeout) return;
    if (!(e instanceof OperationFailed)) throw e;
  });
  const sleep = options.sleep ?? realSleep;
  const maxPollMs = options.maxPollMs ?? scaled(10_000);
  let pauseMs = scaled(500);
  let last = '';
  for (;;) {
    const execution = await getExecution(ctx, name);
    if (execution.logUri) logUri = execution.logUri;
    const status = executionStatus(execution);
    const progress = `${execution.succeededCount ?? 0} succeeded, ${execution.failedCount ?? 0} failed, ${execution.runningCount ?? 0} running`;
    if (progress !== last) options.log?.(`Execution ${name}: ${progress}`);
    last = progress;
    if (status !== 'running') {
      const result: ExecutionResult = { name, status };
      if (execution.logUri) result.logUri = execution.logUri;
      const completed = execution.conditions?.find((c) => c.type === 'Completed');
      if (status !== 'succeeded' && completed) result.condition = withoutNulls(completed);
      return result;
    }
    const left = Math.min(until - now(), stepTimeLeft(now()));
    if (left <= 0) throw expired();
    await sleep(Math.min(pauseMs, left));
    pauseMs = Math.min(Math.round(pauseMs * 1.5), maxPollMs);
  }
}

function withoutNulls(c: NonNullable<V2Execution['conditions']>[number]): JobCondition {
  const out: JobCondition = {};
  if (c.type) out.type = c.type;
  if (c.state) out.state = c.state;
  if (c.reason) out.reason = c.reason;
  if (c.executionReason) out.executionReason = c.executionReason;
  if (c.message) out.message = c.message;
  return out;
}
