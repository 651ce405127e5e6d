// Job writes shared by the v1 and v2 surfaces: create, replace (PATCH/PUT), delete. A write
// stores the job at once as reconciling, then settles it (terminalCondition, operation) after
// TIMING.reconcileMs with the outcome of the reconcile-time checks evaluated at request time.
// A write that sets runExecutionToken / startExecutionToken also starts an execution named
// JOB-TOKEN once it has reconciled; the job (and the write's operation) becomes ready when that
// execution completed / started (Job message docs, run v2), or fails with the execution.
import { type Caller, type Ctx, HttpError } from './contract.ts';
import { startExecution } from './executions.ts';
import { checkDeployer, type Failure, reconcileFailure } from './run-checks.ts';
import {
  asJson,
  defaultComputeSa,
  finishOperation,
  gate,
  JOB_TYPE,
  type JobRef,
  type Json,
  jobName,
  later,
  newEtag,
  newOperation,
  newUid,
  principalOf,
  TIMING,
  timestamp,
} from './run-model.ts';
import { requireValidJob } from './run-spec-rules.ts';

/** Fields a client may set; everything else on a stored job is the server's. */
const CLIENT_FIELDS = [
  'labels',
  'annotations',
  'client',
  'clientVersion',
  'launchStage',
  'binaryAuthorization',
  'template',
  'runExecutionToken',
  'startExecutionToken',
];

/** The execution token of a write, checked as the API does (job name + token under 63). */
function executionToken(
  ctx: Ctx,
  ref: JobRef,
  body: Json,
): { token: string; until: 'started' | 'completed' } | undefined {
  const run = typeof body.runExecutionToken === 'string' ? body.runExecutionToken : '';
  const start = typeof body.startExecutionToken === 'string' ? body.startExecutionToken : '';
  if (!run && !start) return undefined;
  const token = run || start;
  if (ref.job.length + token.length >= 63)
    throw new HttpError(
      400,
      'INVALID_ARGUMENT',
      `The sum of job name and execution token length must be fewer than 63 characters, got ${ref.job.length + token.length}.`,
    );
  // Which permission Google checks for the execution a token starts is not documented; the
  // emulator asks for the one `:run` needs, so a deployer without it is refused before the write.
  gate(ctx, 'run.jobs.run', ref, jobName(ref));
  return { token, until: run ? 'completed' : 'started' };
}

/** Apply the defaults the real API fills in, without touching what the client set. */
function withDefaults(ref: JobRef, template: Json): Json {
  const t = structuredClone(template);
  t.taskCount ??= 1;
  const task = asJson(t.template);
  task.maxRetries ??= 3;
  task.timeout ??= '600s';
  task.serviceAccount ??= defaultComputeSa(ref.project, ref.projectId);
  const containers = Array.isArray(task.containers) ? task.containers.map(asJson) : [];
  for (const c of containers) {
    const res = asJson(c.resources);
    res.limits ??= { cpu: '1000m', memory: '512Mi' };
    c.resources = res;
  }
  task.containers = containers;
  t.template = task;
  return t;
}

function condition(state: string, failure?: Failure): Json {
  const c: Json = { type: 'Ready', state, lastTransitionTime: timestamp() };
  if (failure) {
    c.message = failure.message;
    if (failure.reason) c.reason = failure.reason;
  }
  return c;
}

/**
 * What a replaced job showed before the write, kept until the write settles: until then the
 * controller has not observed the new generation, so readers see the previous generation's
 * observedGeneration (and, on v1, its Ready condition), as on the real service.
 */
const lagging = new WeakMap<Json, { terminalCondition: unknown }>();

/** The previous generation's terminal condition while a write is still reconciling, else undefined. */
export function laggingCondition(job: Json): Json | undefined {
  const prev = lagging.get(job)?.terminalCondition;
  return job.reconciling === true && prev ? asJson(prev) : undefined;
}

/** The stored job from a client body and, when replacing, the current job. */
export function buildJob(ref: JobRef, body: Json, caller: Caller, current?: Json): Json {
  const now = timestamp();
  const job: Json = {};
  for (const f of CLIENT_FIELDS) if (body[f] !== undefined) job[f] = structuredClone(body[f]);
  job.template = withDefaults(ref, asJson(body.template));
  job.launchStage ??= 'GA';
  const generation = current ? Number(current.generation ?? '0') + 1 : 1;
  Object.assign(job, {
    name: jobName(ref),
    uid: current?.uid ?? newUid(),
    generation: String(generation),
    createTime: current?.createTime ?? now,
    updateTime: now,
    creator: current?.creator ?? principalOf(caller),
    lastModifier: principalOf(caller),
    terminalCondition: condition('CONDITION_RECONCILING'),
    conditions: [],
    executionCount: current?.executionCount ?? 0,
    reconciling: true,
    etag: `"${newEtag()}"`,
  });
  if (current?.latestCreatedExecution) job.latestCreatedExecution = current.latestCreatedExecution;
  // Not yet observed: a new job has no observedGeneration, a replaced one keeps the previous.
  if (current?.observedGeneration !== undefined) job.observedGeneration = current.observedGeneration;
  if (current?.terminalCondition) lagging.set(job, { terminalCondition: current.terminalCondition });
  return job;
}

export interface WriteResult {
  job: Json;
  operation: Json;
}

/**
 * Validate (synchronous checks), store and start reconciling a job. `validateOnly` answers the
 * operation without storing anything.
 */
export function writeJob(
  ctx: Ctx,
  ref: JobRef,
  body: Json,
  caller: Caller,
  opts: { current?: Json; validateOnly?: boolean; legacy?: boolean } = {},
): WriteResult {
  const job = buildJob(ref, body, caller, opts.current);
  requireValidJob(job, opts.current !== undefined, opts.legacy ?? false);
  checkDeployer(ctx, ref, job, opts.legacy ?? false);
  const token = executionToken(ctx, ref, body);
  const failure = reconcileFailure(ctx, ref, job);
  if (opts.validateOnly) {
    const operation: Json = { name: '', done: true, response: { '@type': JOB_TYPE, ...job } };
    return { job, operation };
  }
  const name = jobName(ref);
  ctx.world.jobs[name] = job;
  const operation = newOperation(ctx.world, ref, { '@type': JOB_TYPE, ...job });
  operation.done = false;
  // world.operationDelayMs: a reconcile (and the write's operation) that finishes late.
  later(TIMING.reconcileMs + (ctx.world.operationDelayMs ?? 0), () => {
    if (failure || !token || ctx.world.jobs[name] !== job) return settle(ctx, name, job, operation, failure);
    let settled = false;
    const done = (error?: { code: number; message: string }) => {
      if (settled) return;
      settled = true;
      settle(ctx, name, job, operation, error ? { code: error.code, message: error.message } : undefined);
    };
    startExecution(ctx, ref, job, {}, caller, {
      id: `${ref.job}-${token.token}`,
      ...(token.until === 'started' ? { started: () => done() } : {}),
      ended: (error) => done(error),
    });
  });
  return { job, operation };
}

function settle(ctx: Ctx, name: string, job: Json, operation: Json, failure: Failure | undefined): void {
  // A newer write replaced this job meanwhile: its own timer settles it.
  if (ctx.world.jobs[name] !== job) {
    finishOperation(operation, { response: { '@type': JOB_TYPE, ...job } });
    return;
  }
  job.reconciling = false;
  job.observedGeneration = job.generation;
  lagging.delete(job);
  job.terminalCondition = failure ? condition('CONDITION_FAILED', failure) : condition('CONDITION_SUCCEEDED');
  job.updateTime = timestamp();
  job.etag = `"${newEtag()}"`; // the stored resource changed, so does its etag
  operation.metadata = { '@type': JOB_TYPE, ...job };
  if (failure) finishOperation(operation, { error: { code: failure.code, message: failure.message } });
  else finishOperation(operation, { response: { '@type': JOB_TYPE, ...job } });
}

/** Delete a job and its executions; the operation is done at once. */
export function deleteJob(ctx: Ctx, ref: JobRef, current: Json): Json {
  const name = jobName(ref);
  delete ctx.world.jobs[name];
  // The job's IAM policy goes with it: a job created again under the name starts without one.
  if (ctx.world.jobPolicies) delete ctx.world.jobPolicies[name];
  for (const key of Object.keys(ctx.world.executions)) {
    if (key.startsWith(`${name}/executions/`)) delete ctx.world.executions[key];
  }
  const deleted = { ...current, deleteTime: timestamp(), reconciling: false };
  const operation = newOperation(ctx.world, ref, { '@type': JOB_TYPE, ...deleted });
  finishOperation(operation, { response: { '@type': JOB_TYPE, ...deleted } });
  return operation;
}
