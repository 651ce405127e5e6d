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
import { operationUnreadable } from './follow-job.ts';

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

/** ` with args [...], env A, B, 2 tasks, task timeout 60s` — what this execution runs differently (env values unshown). */
export function describeOverrides(overrides: RunOverrides | undefined): string {
  if (!overrides) return '';
  const parts: string[] = [];
  for (const c of overrides.containerOverrides ?? []) {
    if (c.clearArgs) parts.push('no args');
    else if (c.args) parts.push(`args ${JSON.stringify(c.args)}`);
    if (c.env?.length) parts.push(`env ${c.env.map((e) => e.name).join(', ')}`);
  }
  if (overrides.taskCount !== undefined)
    parts.push(`${overrides.taskCount} task${overrides.taskCount === 1 ? '' : 's'}`);
  if (overrides.timeout) parts.push(`task timeout ${overrides.timeout}`);
  return parts.length ? ` with overrides: ${parts.join('; ')}` : '';
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
  options.log?.(`Started execution ${name}${describeOverrides(options.overrides)}`);
  if (!options.wait) return { name, status: 'running' };

  // The run operation completes with the execution: let the server hold a `:wait` instead of
  // sleeping between polls; the loop below then reads the finished execution once. Both are
  // bounded by wait_timeout, after which the execution is left running.
  const bound = boundOf(options);
  await waitOperation(ctx, op, {
    deadlineMs: bound.waitMs,
    ...(options.sleep ? { sleep: options.sleep } : {}),
    now: bound.now,
  }).catch((e: unknown) => {
    // Without run.operations.get the execution itself is followed below.
    if (e instanceof OperationTimeout || operationUnreadable(e)) return;
    if (!(e instanceof OperationFailed)) throw e;
  });
  return pollExecution(ctx, name, options, bound);
}

/** The wait_timeout bound of following one execution, from now. */
interface Bound {
  now: () => number;
  waitMs: number;
  until: number;
}

function boundOf(options: ExecuteOptions, startedAt?: number): Bound {
  const now = options.now ?? Date.now;
  const waitMs = options.waitTimeoutMs ?? scaled(3600_000);
  return { now, waitMs, until: (startedAt ?? now()) + waitMs };
}

/**
 * Follow an execution a job write started (deploy.ts deployAndStart). When the write waited
 * for it to complete and it succeeded, the write already said so: nothing more to read. Any
 * other ending is read from the execution itself (its counts, Completed condition, logs).
 */
export async function followExecution(
  ctx: ApiContext,
  started: { name: string; completionStatus?: string },
  options: ExecuteOptions & { startedAt?: number },
): Promise<ExecutionResult> {
  options.log?.(`Started execution ${started.name}`);
  if (options.wait && started.completionStatus === 'EXECUTION_SUCCEEDED') {
    options.log?.(`Execution ${started.name}: succeeded`);
    return { name: started.name, status: 'succeeded' };
  }
  if (!options.wait) return { name: started.name, status: 'running' };
  return pollExecution(ctx, started.name, options, boundOf(options, options.startedAt));
}

async function pollExecution(
  ctx: ApiContext,
  name: string,
  options: ExecuteOptions,
  { now, waitMs, until }: Bound,
): Promise<ExecutionResult> {
  let logUri: string | undefined;
  const expired = () => new WaitExpired(name, waitMs, logUri);
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
