// Executions of Cloud Run jobs: created by `:run`, they re-check what a real execution would hit
// (runtime account, service agent access to image and tokens, secrets) and then "run" their
// tasks with the exit code the world gives the image (world.imageExitCodes, default 0).
// Timeline: created with pending conditions; after TIMING.startMs the resources are available
// and the execution started (or failed on a precondition); after TIMING.finishMs it completes.
// The `:run` operation completes with the execution, as the real one does.
import { randomBytes } from 'node:crypto';
import type { Caller, Ctx } from './contract.ts';
import { type Failure, imageKey, jobImages, reconcileFailure, runtimeAccount } from './run-checks.ts';
import { runtimeFailure } from './run-connected.ts';
import {
  asArray,
  asJson,
  EXECUTION_TYPE,
  finishOperation,
  type JobRef,
  type Json,
  jobName,
  later,
  newEtag,
  newOperation,
  newUid,
  principalOf,
  str,
  TIMING,
  timestamp,
} from './run-model.ts';
import { recordTasks } from './task-logs.ts';

const cond = (type: string, state: string, extra: Json = {}): Json => ({
  type,
  state,
  lastTransitionTime: timestamp(),
  ...extra,
});

/** Apply v2 `overrides` (containerOverrides, taskCount, timeout) to a copy of the execution template. */
export function applyOverrides(template: Json, overrides: Json): Json {
  const t = structuredClone(template);
  if (typeof overrides.taskCount === 'number') t.taskCount = overrides.taskCount;
  const task = asJson(t.template);
  if (typeof overrides.timeout === 'string') task.timeout = overrides.timeout;
  const containers = asArray(task.containers);
  for (const o of asArray(overrides.containerOverrides)) {
    const target = containers.find((c) => c.name === o.name) ?? (o.name ? undefined : containers[0]);
    if (!target) continue;
    if (o.clearArgs === true) delete target.args;
    else if (Array.isArray(o.args) && o.args.length > 0) target.args = o.args;
    if (Array.isArray(o.env)) {
      const env = asArray(target.env);
      for (const e of asArray(o.env)) {
        const i = env.findIndex((x) => x.name === e.name);
        if (i >= 0) env[i] = e;
        else env.push(e);
      }
      target.env = env;
    }
  }
  task.containers = containers;
  t.template = task;
  return t;
}

export function logUri(ref: JobRef, execution: string): string {
  const filter = [
    'resource.type="cloud_run_job"',
    `resource.labels.job_name="${ref.job}"`,
    `resource.labels.location="${ref.location}"`,
    `labels."run.googleapis.com/execution_name"="${execution}"`,
  ].join('\n');
  return `https://console.cloud.google.com/logs/viewer?project=${ref.projectId}&advancedFilter=${encodeURIComponent(filter)}`;
}

function executionId(job: string): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(5);
  let suffix = '';
  for (const b of bytes) suffix += alphabet[b % alphabet.length];
  return `${job}-${suffix}`;
}

/** What a job write with an execution token wants to hear of the execution it starts. */
export interface ExecutionHooks {
  /** The execution id (job-token); random when absent, as for `:run`. */
  id?: string;
  started?: () => void;
  /** The execution ended; `error` when it failed. */
  ended?: (error?: { code: number; message: string }) => void;
}

/** Start an execution of `job`; returns the execution and the `:run` operation. */
export function startExecution(
  ctx: Ctx,
  ref: JobRef,
  job: Json,
  overrides: Json,
  caller: Caller,
  hooks: ExecutionHooks = {},
) {
  const template = applyOverrides(asJson(job.template), overrides);
  const task = asJson(template.template);
  const taskCount = typeof template.taskCount === 'number' ? template.taskCount : 1;
  const parallelism =
    typeof template.parallelism === 'number' && template.parallelism > 0 ? template.parallelism : taskCount;
  const id = hooks.id ?? executionId(ref.job);
  const name = `${jobName(ref)}/executions/${id}`;
  const now = timestamp();
  const execution: Json = {
    name,
    uid: newUid(),
    creator: principalOf(caller),
    generation: '1',
    labels: { ...asJson(job.labels), 'run.googleapis.com/job': ref.job },
    annotations: asJson(template.annotations),
    createTime: now,
    updateTime: now,
    launchStage: job.launchStage ?? 'GA',
    job: ref.job,
    parallelism,
    taskCount,
    template: task,
    reconciling: true,
    conditions: [
      cond('ResourcesAvailable', 'CONDITION_PENDING'),
      cond('Started', 'CONDITION_PENDING'),
      cond('Completed', 'CONDITION_PENDING'),
    ],
    observedGeneration: '1',
    logUri: logUri(ref, id),
    etag: `"${newEtag()}"`,
  };
  ctx.world.executions[name] = execution;
  job.executionCount = Number(job.executionCount ?? 0) + 1;
  job.latestCreatedExecution = { name, createTime: now, completionStatus: 'EXECUTION_PENDING' };
  job.etag = `"${newEtag()}"`; // the job resource changed (executionCount, latestCreatedExecution)

  const operation = newOperation(ctx.world, ref, { '@type': EXECUTION_TYPE, ...execution });
  operation.done = false;
  // Evaluated now, against the world as it is when the execution is created.
  const failure = reconcileFailure(ctx, ref, { ...job, template });
  const imageExit = Math.max(
    0,
    ...jobImages({ template }).map((i) => ctx.world.imageExitCodes[imageKey(i)] ?? 0),
  );
  // What the tasks hit as the runtime account (Cloud SQL, buckets) makes them exit 1 with a log.
  const runtime = runtimeFailure(ctx, ref, { ...job, template }, runtimeAccount(ref, { ...job, template }));
  const exitCode = runtime.length > 0 ? Math.max(imageExit, 1) : imageExit;
  const lines = [
    ...runtime,
    ...(exitCode !== 0
      ? jobImages({ template }).flatMap((i) => ctx.world.connected.imageLogs[imageKey(i)] ?? [])
      : []),
  ];
  later(TIMING.startMs, () => {
    if (failure) return complete(job, execution, operation, { failure }, hooks);
    hooks.started?.();
    execution.startTime = timestamp();
    execution.runningCount = Math.min(parallelism, taskCount);
    execution.conditions = [
      cond('ResourcesAvailable', 'CONDITION_SUCCEEDED'),
      cond('Started', 'CONDITION_SUCCEEDED'),
      cond('Completed', 'CONDITION_PENDING'),
    ];
    execution.updateTime = timestamp();
    // world.imageRunMs: how long an image's tasks run (an execution that outlives the deploy).
    const runMs = Math.max(
      0,
      ...jobImages({ template }).map((i) => ctx.world.imageRunMs?.[imageKey(i)] ?? 0),
    );
    later(TIMING.finishMs - TIMING.startMs + runMs, () => {
      const maxRetries = Number(task.maxRetries ?? 3);
      recordTasks(ctx.world, ref, execution, { exitCode, lines, maxRetries });
      complete(job, execution, operation, { exitCode, maxRetries }, hooks);
    });
  });
  return { execution, operation };
}

function complete(
  job: Json,
  execution: Json,
  operation: Json,
  outcome: { failure: Failure } | { exitCode: number; maxRetries: number },
  hooks: ExecutionHooks = {},
): void {
  const taskCount = Number(execution.taskCount ?? 1);
  const now = timestamp();
  let error: { code: number; message: string } | undefined;
  execution.runningCount = 0;
  if ('failure' in outcome) {
    const f = outcome.failure;
    const extra: Json = { message: f.message, ...(f.reason ? { reason: f.reason } : {}) };
    execution.failedCount = taskCount;
    execution.conditions = [
      cond('ResourcesAvailable', 'CONDITION_FAILED', extra),
      cond('Started', 'CONDITION_FAILED', extra),
      cond('Completed', 'CONDITION_FAILED', extra),
    ];
    error = { code: f.code, message: f.message };
  } else if (outcome.exitCode !== 0) {
    const id = str(execution.name)?.split('/').pop() ?? '';
    const message =
      `Task ${id}-task0 failed with message: The container exited with an error (exit code ${outcome.exitCode}). ` +
      `${taskCount} of ${taskCount} task${taskCount === 1 ? '' : 's'} failed after ${outcome.maxRetries} retries. Logs: ${str(execution.logUri) ?? ''}`;
    execution.failedCount = taskCount;
    execution.retriedCount = taskCount * outcome.maxRetries;
    execution.conditions = [
      cond('ResourcesAvailable', 'CONDITION_SUCCEEDED'),
      cond('Started', 'CONDITION_SUCCEEDED'),
      cond('Completed', 'CONDITION_FAILED', { executionReason: 'NON_ZERO_EXIT_CODE', message }),
    ];
    // The real `:run` operation's status code for a failed execution is not documented; FAILED_PRECONDITION (9) is our pick.
    error = { code: 9, message };
  } else {
    execution.succeededCount = taskCount;
    execution.conditions = [
      cond('ResourcesAvailable', 'CONDITION_SUCCEEDED'),
      cond('Started', 'CONDITION_SUCCEEDED'),
      cond('Completed', 'CONDITION_SUCCEEDED', { message: 'Execution completed successfully.' }),
    ];
  }
  execution.completionTime = now;
  execution.updateTime = now;
  execution.reconciling = false;
  const latest = asJson(job.latestCreatedExecution);
  if (latest.name === execution.name) {
    job.latestCreatedExecution = {
      ...latest,
      completionTime: now,
      completionStatus: error ? 'EXECUTION_FAILED' : 'EXECUTION_SUCCEEDED',
    };
    job.etag = `"${newEtag()}"`;
  }
  operation.metadata = { '@type': EXECUTION_TYPE, ...execution };
  if (error) finishOperation(operation, { error });
  else finishOperation(operation, { response: { '@type': EXECUTION_TYPE, ...execution } });
  hooks.ended?.(error);
}
