// Runs the job and, when asked, follows the execution to its end. The run operation's metadata
// names the execution at once; the execution itself is polled (its counts and Completed
// condition say how it ended), starting fast and backing off for long jobs.
import type { ApiContext } from '../gcp/clients.ts';
import { StepError } from '../gcp/errors.ts';
import { realSleep, type Sleep } from '../gcp/retry.ts';
import { getExecution, OperationFailed, runJob, type V2Execution, waitOperation } from '../gcp/run.ts';
import type { ExecutionStatus, JobCondition } from '../model.ts';

export interface ExecutionResult {
  name: string;
  status: ExecutionStatus;
  logUri?: string;
  /** The Completed condition when the execution did not succeed. */
  condition?: JobCondition;
}

export interface ExecuteOptions {
  wait: boolean;
  sleep?: Sleep;
  log?: (line: string) => void;
  /** Longest pause between polls. */
  maxPollMs?: number;
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
  const op = await runJob(ctx, jobName);
  let name = (op.metadata as { name?: string } | undefined)?.name;
  if (!name) {
    // Some servers only say which execution in the finished operation's response.
    const done = await waitOperation(ctx, op, { deadlineMs: 10 * 60_000 }).catch((e: unknown) => {
      throw e instanceof OperationFailed ? new StepError(`run job ${jobName}`, e) : e;
    });
    name = (done.response as { name?: string } | undefined)?.name;
  }
  if (!name) throw new StepError(`run job ${jobName}`, new Error('the run operation named no execution'));
  options.log?.(`Started execution ${name}`);
  if (!options.wait) return { name, status: 'running' };

  // The run operation completes with the execution: let the server hold a `:wait` instead of
  // sleeping between polls; the loop below then reads the finished execution once.
  await waitOperation(ctx, op, {
    deadlineMs: 24 * 3600_000,
    ...(options.sleep ? { sleep: options.sleep } : {}),
  }).catch((e: unknown) => {
    if (!(e instanceof OperationFailed)) throw e;
  });
  return pollExecution(ctx, name, options);
}

/**
 * Follow an execution a job write started (deploy.ts deployAndStart). When the write waited
 * for it to complete and it succeeded, the write already said so: nothing more to read. Any
 * other ending is read from the execution itself (its counts, Completed condition, logs).
 */
export async function followExecution(
  ctx: ApiContext,
  started: { name: string; completionStatus?: string },
  options: ExecuteOptions,
): Promise<ExecutionResult> {
  options.log?.(`Started execution ${started.name}`);
  if (options.wait && started.completionStatus === 'EXECUTION_SUCCEEDED') {
    options.log?.(`Execution ${started.name}: succeeded`);
    return { name: started.name, status: 'succeeded' };
  }
  if (!options.wait) return { name: started.name, status: 'running' };
  return pollExecution(ctx, started.name, options);
}

async function pollExecution(
  ctx: ApiContext,
  name: string,
  options: ExecuteOptions,
): Promise<ExecutionResult> {
  const sleep = options.sleep ?? realSleep;
  const maxPollMs = options.maxPollMs ?? 10_000;
  let pauseMs = 500;
  let last = '';
  // Bounded per request; overall the step's own timeout-minutes bounds a long execution.
  for (;;) {
    const execution = await getExecution(ctx, name);
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
    await sleep(pauseMs);
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
