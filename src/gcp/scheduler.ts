// Cloud Scheduler v1: the few job methods the trigger needs (get, create, patch, delete, pause,
// resume), as plain authenticated REST like rest.ts. Every answer is decoded into a typed value
// at this boundary; a body that is not what the API documents is one clear error, never half
// a job a later write is built from.
// Paths and fields: gcloud's generated client and messages,
// lib/googlecloudsdk/generated_clients/apis/cloudscheduler/v1/cloudscheduler_v1_client.py
// (v1/{+parent}/jobs, v1/{+name}, v1/{+name}:pause, v1/{+name}:resume) and
// cloudscheduler_v1_messages.py (Job, HttpTarget, OAuthToken, RetryConfig).
import { Mismatch, only, record } from './answer.ts';
import { type ApiContext, read, write } from './clients.ts';
import { isStatus } from './errors.ts';
import { type Expect, resourcePath, rest } from './rest.ts';

export type SchedulerState = 'ENABLED' | 'PAUSED' | 'DISABLED' | 'UPDATE_FAILED' | 'STATE_UNSPECIFIED';

export interface SchedulerRetry {
  retryCount?: number;
  maxRetryDuration?: string;
  minBackoffDuration?: string;
  maxBackoffDuration?: string;
  maxDoublings?: number;
}

export interface SchedulerHttpTarget {
  uri: string;
  httpMethod?: string;
  /** Base64 (a BytesField in the message classes). */
  body?: string;
  headers?: Record<string, string>;
  oauthToken?: { serviceAccountEmail?: string; scope?: string };
  oidcToken?: { serviceAccountEmail?: string; audience?: string };
}

/** The fields of a Cloud Scheduler Job the action writes or reads. */
export interface SchedulerJob {
  name: string;
  description?: string;
  schedule?: string;
  timeZone?: string;
  httpTarget?: SchedulerHttpTarget;
  retryConfig?: SchedulerRetry;
  attemptDeadline?: string;
  state?: SchedulerState;
  /** Output only: the next time the job is scheduled (RFC 3339). */
  scheduleTime?: string;
  /** Output only: the target's answer to the last attempt. */
  status?: { code?: number; message?: string };
  lastAttemptTime?: string;
}

/** An answer that is not a Job as documented. */
/** A Scheduler answer of another shape (a Mismatch: rest() reports it as a BadAnswer naming the API). */
export class MalformedAnswer extends Mismatch {}

const STATES = new Set(['ENABLED', 'PAUSED', 'DISABLED', 'UPDATE_FAILED', 'STATE_UNSPECIFIED']);
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function str(o: Obj, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new MalformedAnswer(`${where}.${key} is not a string`);
  return v;
}

function int(o: Obj, key: string, where: string): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new MalformedAnswer(`${where}.${key} is not an integer`);
  return v;
}

function decodeTarget(v: unknown): SchedulerHttpTarget {
  if (!isObj(v)) throw new MalformedAnswer('httpTarget is not an object');
  const uri = str(v, 'uri', 'httpTarget');
  if (!uri) throw new MalformedAnswer('httpTarget has no uri');
  const t: SchedulerHttpTarget = { uri };
  const method = str(v, 'httpMethod', 'httpTarget');
  if (method) t.httpMethod = method;
  const body = str(v, 'body', 'httpTarget');
  if (body !== undefined) t.body = body;
  if (v.headers !== undefined) {
    if (!isObj(v.headers) || Object.values(v.headers).some((h) => typeof h !== 'string'))
      throw new MalformedAnswer('httpTarget.headers is not a map of strings');
    t.headers = v.headers as Record<string, string>;
  }
  for (const key of ['oauthToken', 'oidcToken'] as const) {
    const tok = v[key];
    if (tok === undefined) continue;
    if (!isObj(tok)) throw new MalformedAnswer(`httpTarget.${key} is not an object`);
    const email = str(tok, 'serviceAccountEmail', `httpTarget.${key}`);
    const extra = str(tok, key === 'oauthToken' ? 'scope' : 'audience', `httpTarget.${key}`);
    if (key === 'oauthToken')
      t.oauthToken = { ...(email ? { serviceAccountEmail: email } : {}), ...(extra ? { scope: extra } : {}) };
    else
      t.oidcToken = {
        ...(email ? { serviceAccountEmail: email } : {}),
        ...(extra ? { audience: extra } : {}),
      };
  }
  return t;
}

function decodeRetry(v: unknown): SchedulerRetry {
  if (!isObj(v)) throw new MalformedAnswer('retryConfig is not an object');
  const r: SchedulerRetry = {};
  for (const k of ['retryCount', 'maxDoublings'] as const) {
    const n = int(v, k, 'retryConfig');
    if (n !== undefined) r[k] = n;
  }
  for (const k of ['maxRetryDuration', 'minBackoffDuration', 'maxBackoffDuration'] as const) {
    const s = str(v, k, 'retryConfig');
    if (s !== undefined) r[k] = s;
  }
  return r;
}

/** A Cloud Scheduler Job from its JSON, or MalformedAnswer saying what is wrong. */
export function decodeSchedulerJob(body: unknown): SchedulerJob {
  if (!isObj(body)) throw new MalformedAnswer('the body is not a JSON object');
  const name = str(body, 'name', 'job');
  if (!name || !/^projects\/[^/]+\/locations\/[^/]+\/jobs\/[^/]+$/.test(name))
    throw new MalformedAnswer(
      `job.name ${JSON.stringify(name ?? null)} is not projects/P/locations/L/jobs/J`,
    );
  const job: SchedulerJob = { name };
  for (const k of [
    'description',
    'schedule',
    'timeZone',
    'attemptDeadline',
    'scheduleTime',
    'lastAttemptTime',
  ] as const) {
    const s = str(body, k, 'job');
    if (s !== undefined) job[k] = s;
  }
  const state = str(body, 'state', 'job');
  if (state !== undefined) {
    if (!STATES.has(state))
      throw new MalformedAnswer(`job.state ${JSON.stringify(state)} is not a Job state`);
    job.state = state as SchedulerState;
  }
  if (body.httpTarget !== undefined) job.httpTarget = decodeTarget(body.httpTarget);
  if (body.retryConfig !== undefined) job.retryConfig = decodeRetry(body.retryConfig);
  if (body.status !== undefined) {
    if (!isObj(body.status)) throw new MalformedAnswer('job.status is not an object');
    const code = int(body.status, 'code', 'job.status');
    const message = str(body.status, 'message', 'job.status');
    job.status = { ...(code !== undefined ? { code } : {}), ...(message ? { message } : {}) };
  }
  return job;
}

const v1 = (name: string) => `v1/${resourcePath(name)}`;

/** A Job answer, decoded where it arrives (rest.ts reports another shape as a BadAnswer). */
const JOB: Expect<SchedulerJob> = { what: 'a Job', decode: (v) => decodeSchedulerJob(v) };

/** jobs.delete answers google.protobuf.Empty (cloudscheduler_v1_messages.py): nothing to keep. */
const EMPTY: Expect<undefined> = {
  what: 'an Empty',
  decode: (v, at) => {
    only(record(v, at), [], at);
    return undefined;
  },
};

/** The job, or undefined when it does not exist. */
export async function getSchedulerJob(ctx: ApiContext, name: string): Promise<SchedulerJob | undefined> {
  const what = `read Cloud Scheduler job ${name}`;
  try {
    const body = await read(ctx, what, () => rest(ctx, 'cloudscheduler', v1(name), JOB));
    return body;
  } catch (e) {
    if (isStatus(e, 'NOT_FOUND')) return undefined;
    throw e;
  }
}

/** The fields the action writes: what createSchedulerJob and patchSchedulerJob send. */
export type SchedulerJobSpec = Omit<SchedulerJob, 'state' | 'scheduleTime' | 'status' | 'lastAttemptTime'>;

export async function createSchedulerJob(ctx: ApiContext, job: SchedulerJobSpec): Promise<SchedulerJob> {
  const parent = job.name.replace(/\/jobs\/[^/]+$/, '');
  const what = `create Cloud Scheduler job ${job.name}`;
  const body = await write(
    what,
    () => rest(ctx, 'cloudscheduler', `${v1(parent)}/jobs`, JOB, { method: 'POST', body: job }),
    ctx.retry,
  );
  return body;
}

/** PATCH with an update mask naming exactly the fields that change. */
export async function patchSchedulerJob(
  ctx: ApiContext,
  job: SchedulerJobSpec,
  updateMask: readonly string[],
): Promise<SchedulerJob> {
  const what = `update Cloud Scheduler job ${job.name}`;
  const body = await write(
    what,
    () =>
      rest(ctx, 'cloudscheduler', v1(job.name), JOB, {
        method: 'PATCH',
        params: { updateMask: updateMask.join(',') },
        body: job,
      }),
    ctx.retry,
  );
  return body;
}

export async function setSchedulerJobPaused(
  ctx: ApiContext,
  name: string,
  paused: boolean,
): Promise<SchedulerJob> {
  const verb = paused ? 'pause' : 'resume';
  const what = `${verb} Cloud Scheduler job ${name}`;
  const body = await write(
    what,
    () => rest(ctx, 'cloudscheduler', `${v1(name)}:${verb}`, JOB, { method: 'POST', body: {} }),
    ctx.retry,
  );
  return body;
}

export async function deleteSchedulerJob(ctx: ApiContext, name: string): Promise<void> {
  await write(
    `delete Cloud Scheduler job ${name}`,
    () => rest(ctx, 'cloudscheduler', v1(name), EMPTY, { method: 'DELETE' }),
    ctx.retry,
  );
}
