// Cloud Run Admin API v2: jobs, their long-running operations and executions, as plain REST
// through the auth client (rest.ts; paths and methods from the run v2 discovery document). The
// types are the generated client's; its code is not loaded (~20 ms of CPU, `node bench/chunks.ts`).
import type { run_v2 } from '@googleapis/run/build/v2';
import type { RunOverrides } from '../model.ts';
import {
  type Decoder,
  decodeAnswer,
  integer,
  list,
  only,
  optional,
  record,
  required,
  string,
  text,
} from './answer.ts';
import { type ApiContext, CALL_TIMEOUT_MS, read, write } from './clients.ts';
import type { GoogleStatus } from './errors.ts';
import { isStatus } from './errors.ts';
import { type Expect, type RestCall, resourcePath, rest } from './rest.ts';
import { realSleep } from './retry.ts';
import { scaled, seconds, stepTimeLeft } from './timeout.ts';

export type V2Job = run_v2.Schema$GoogleCloudRunV2Job;
export type V2Execution = run_v2.Schema$GoogleCloudRunV2Execution;
export type Operation = run_v2.Schema$GoogleLongrunningOperation;

/**
 * A long-running operation that ended in error. Shaped like a failed HTTP call (a
 * `response.data.error` google.rpc.Status) so toApiError reads its gRPC code, message and
 * ErrorInfo the same way as any other API failure.
 */
export class OperationFailed extends Error {
  readonly response: { data: { error: GoogleStatus } };
  /** The finished operation, when known (its metadata tells what the failure was about). */
  readonly operation: Operation | undefined;
  constructor(operation: string, error: GoogleStatus, finished?: Operation) {
    super(`operation ${operation} failed: ${error.message ?? ''}`);
    this.name = 'OperationFailed';
    this.response = { data: { error } };
    this.operation = finished;
  }
}

/** An operation still running at the deadline: it keeps running on Google's side. */
export class OperationTimeout extends Error {
  readonly operation: string;
  /** Read by toApiError: a wait that ran out, on Cloud Run, after `ms`. */
  readonly code = 'ETIMEDOUT';
  readonly service = 'run.googleapis.com';
  readonly ms: number;
  /** Read by toApiError: accepted and unfinished, not a request without an answer. */
  readonly stillRunning: string;
  constructor(operation: string, deadlineMs: number) {
    super(`operation ${operation} still running after ${seconds(deadlineMs)}`);
    this.name = 'OperationTimeout';
    this.operation = operation;
    this.stillRunning = operation;
    this.ms = deadlineMs;
  }
}

const RUN = 'run.googleapis.com';

// Field names and types: GoogleCloudRunV2Job, GoogleCloudRunV2Execution and
// GoogleLongrunningOperation in gcloud's generated_clients/apis/run/v2/run_v2_messages.py.

/**
 * A Job every update is built from: its name, its template (ExecutionTemplate with its
 * TaskTemplate) and its etag, which the PATCH sends back so a concurrent change fails the write
 * instead of being overwritten. Every other field is kept as read.
 */
export const jobDecoder: Decoder<V2Job> = (v, at) => {
  const o = record(v, at);
  required(o, 'name', text, at);
  required(o, 'etag', text, at);
  const template = required(o, 'template', record, at);
  required(template, 'template', record, `${at}.template`);
  const latest = optional(o, 'latestCreatedExecution', record, at);
  if (latest) optional(latest, 'name', string, `${at}.latestCreatedExecution`);
  return o as V2Job;
};

/** An Operation has a name (what `:wait` is asked about); `done` and `error` when present are typed. */
const operationDecoder: Decoder<Operation> = (v, at) => {
  const o = record(v, at);
  required(o, 'name', text, at);
  optional(o, 'done', (x, where) => (typeof x === 'boolean' ? x : record(x, where)), at);
  const error = optional(o, 'error', record, at);
  if (error) optional(error, 'message', string, `${at}.error`);
  optional(o, 'response', record, at);
  optional(o, 'metadata', record, at);
  return o as Operation;
};

const executionDecoder: Decoder<V2Execution> = (v, at) => {
  const o = record(v, at);
  required(o, 'name', text, at);
  return o as V2Execution;
};

export const decodeJob = (body: unknown): V2Job => decodeAnswer(RUN, 'a Job', jobDecoder, body);
export const decodeOperation = (body: unknown): Operation =>
  decodeAnswer(RUN, 'an Operation', operationDecoder, body);

const JOB: Expect<V2Job> = { what: 'a Job', decode: jobDecoder };
const OPERATION: Expect<Operation> = { what: 'an Operation', decode: operationDecoder };
const EXECUTION: Expect<V2Execution> = { what: 'an Execution', decode: executionDecoder };

/** One v2 call on `v2/{+name}` (plus `suffix`), its answer decoded as `expect` says. */
export function runCall<T>(
  ctx: ApiContext,
  name: string,
  expect: Expect<T>,
  call: RestCall = {},
  suffix = '',
) {
  return rest(ctx, 'run', `v2/${resourcePath(name)}${suffix}`, expect, call);
}

/** The job, or undefined when it does not exist. */
export async function getJob(ctx: ApiContext, name: string): Promise<V2Job | undefined> {
  try {
    return await read(ctx, `read job ${name}`, () => runCall(ctx, name, JOB));
  } catch (e) {
    if (isStatus(e, 'NOT_FOUND')) return undefined;
    throw e;
  }
}

export function createJob(ctx: ApiContext, parent: string, jobId: string, job: V2Job): Promise<Operation> {
  return write(`create job ${parent}/jobs/${jobId}`, () =>
    runCall(ctx, parent, OPERATION, { method: 'POST', params: { jobId }, body: job }, '/jobs'),
  );
}

/**
 * Replace the job with `job` (v2 PATCH has no update mask: the body is the whole job). The job's
 * `etag` (GoogleCloudRunV2Job.etag: "may be used to detect modification conflict during updates")
 * goes with it: mergeJob keeps the read's etag, and it is required here.
 */
export async function updateJob(ctx: ApiContext, name: string, job: V2Job): Promise<Operation> {
  if (!job.etag) throw new Error(`internal: an update of job ${name} must carry the etag of its read`);
  return write(`update job ${name}`, () => runCall(ctx, name, OPERATION, { method: 'PATCH', body: job }));
}

/** Start an execution; `overrides` (RunJobRequest.overrides) change this execution only. */
export function runJob(ctx: ApiContext, name: string, overrides?: RunOverrides): Promise<Operation> {
  const body = overrides ? { overrides } : {};
  return write(`run job ${name}${overrides ? ' with overrides' : ''}`, () =>
    runCall(ctx, name, OPERATION, { method: 'POST', body }, ':run'),
  );
}

export function getExecution(ctx: ApiContext, name: string): Promise<V2Execution> {
  // Decoded inside the read: an answer that does not decode is asked again like a 503.
  return read(ctx, `read execution ${name}`, () => runCall(ctx, name, EXECUTION));
}

/** What a report needs of one Task (GoogleCloudRunV2Task: index, retried, lastAttemptResult). */
export interface TaskResult {
  index: number;
  retried?: number;
  exitCode?: number;
  /** lastAttemptResult.status (google.rpc.Status): code and message. */
  statusCode?: number;
  message?: string;
}

const taskDecoder: Decoder<TaskResult> = (v, at) => {
  const o = record(v, at);
  const task: TaskResult = { index: optional(o, 'index', integer, at) ?? 0 };
  const retried = optional(o, 'retried', integer, at);
  if (retried !== undefined) task.retried = retried;
  const result = optional(o, 'lastAttemptResult', record, at);
  if (result) {
    const exitCode = optional(result, 'exitCode', integer, `${at}.lastAttemptResult`);
    if (exitCode !== undefined) task.exitCode = exitCode;
    const status = optional(result, 'status', record, `${at}.lastAttemptResult`);
    if (status) {
      const code = optional(status, 'code', integer, `${at}.lastAttemptResult.status`);
      if (code !== undefined) task.statusCode = code;
      const message = optional(status, 'message', string, `${at}.lastAttemptResult.status`);
      if (message) task.message = message;
    }
  }
  return task;
};

/** ListTasksResponse: its tasks (a first page is all a report shows). */
const TASKS: Expect<TaskResult[]> = {
  what: 'a ListTasksResponse',
  decode: (v, at) =>
    optional(only(record(v, at), ['tasks', 'nextPageToken'], at), 'tasks', list(taskDecoder), at) ?? [],
};

/** The first `pageSize` tasks of an execution. */
export function listTasks(ctx: ApiContext, execution: string, pageSize = 100): Promise<TaskResult[]> {
  return read(ctx, `list the tasks of execution ${execution}`, () =>
    runCall(ctx, execution, TASKS, { params: { pageSize } }, '/tasks'),
  );
}

export interface WaitOptions {
  /** Give up after this long overall. */
  deadlineMs: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * Wait for an operation with `:wait` (the server holds each request until done or its
 * timeout), looping over bounded requests until the deadline. If the server answers early
 * without being done, back off before asking again. Throws OperationFailed on error.
 */
export async function waitOperation(
  ctx: ApiContext,
  op: Operation,
  options: WaitOptions,
): Promise<Operation> {
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const start = now();
  const name = decodeOperation(op).name as string;
  let current = op;
  let pauseMs = scaled(250);
  while (!current.done) {
    const left = Math.min(options.deadlineMs - (now() - start), stepTimeLeft(now()));
    if (left <= 0) throw new OperationTimeout(name, options.deadlineMs);
    // The server holds the request up to this long; it must answer before our own request bound.
    const serverWaitMs = Math.max(scaled(100), Math.min(CALL_TIMEOUT_MS - scaled(5_000), left));
    const asked = now();
    current = await read(ctx, `wait for operation ${name}`, () =>
      runCall(
        ctx,
        name,
        OPERATION,
        { method: 'POST', body: { timeout: `${(serverWaitMs / 1000).toFixed(3)}s` } },
        ':wait',
      ),
    );
    if (!current.done && now() - asked < serverWaitMs / 2) {
      await sleep(Math.min(pauseMs, Math.max(1, left)));
      pauseMs = Math.min(pauseMs * 2, scaled(5_000));
    }
  }
  if (current.error) throw new OperationFailed(name, current.error as GoogleStatus, current);
  return current;
}
