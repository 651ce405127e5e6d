// Cloud Run Admin API v2: jobs, executions and long-running operations, with IAM enforced.
// Failure placement (synchronous vs. operation/condition) is explained in ../run-checks.ts.
import { type Ctx, type EmuRequest, type Handler, HttpError } from '../contract.ts';
import { startExecution } from '../executions.ts';
import { route } from '../http.ts';
import { listBody, paginate } from '../paging.ts';
import { deleteJob, writeJob } from '../run-jobs.ts';
import {
  alreadyExists,
  asJson,
  gate,
  invalidJobId,
  JOB_ID,
  type JobRef,
  type Json,
  jobName,
  jobNotFound,
  jobRef,
  parseDuration,
  waitOperation,
} from '../run-model.ts';
import { forService } from '../services.ts';

const BASE = '^/v2/projects/([^/]+)/locations/([^/]+)';
const JOBS = new RegExp(`${BASE}/jobs$`);
const JOB = new RegExp(`${BASE}/jobs/([^/:]+)$`);
const RUN = new RegExp(`${BASE}/jobs/([^/:]+):run$`);
const EXECUTIONS = new RegExp(`${BASE}/jobs/([^/:]+)/executions$`);
const EXECUTION = new RegExp(`${BASE}/jobs/([^/:]+)/executions/([^/:]+)$`);
const OPERATION = new RegExp(`${BASE}/operations/([^/:]+)$`);
const WAIT = new RegExp(`${BASE}/operations/([^/:]+):wait$`);

const ok = (body: unknown) => ({ status: 200, body });
const truthy = (v: string | null) => v === 'true' || v === '1';

function refOf(ctx: Ctx, g: string[]): JobRef {
  return jobRef(ctx.world, g[0] ?? '', g[1] ?? '', g[2] ?? '');
}

function checkEtag(current: Json, etag: unknown): void {
  if (typeof etag === 'string' && etag !== '' && etag !== current.etag) {
    throw new HttpError(409, 'ABORTED', 'The provided etag does not match the current etag of the job.');
  }
}

function existing(ctx: Ctx, ref: JobRef): Json {
  const job = ctx.world.jobs[jobName(ref)];
  if (!job) throw jobNotFound(ref);
  return job;
}

function create(req: EmuRequest, ctx: Ctx): { status: number; body: unknown } | undefined {
  const g = route(req, 'POST', JOBS);
  if (!g) return undefined;
  const id = req.query.get('jobId') ?? '';
  const ref = jobRef(ctx.world, g[0] ?? '', g[1] ?? '', id);
  const caller = gate(ctx, 'run.jobs.create', ref, jobName(ref));
  if (!JOB_ID.test(id)) throw invalidJobId();
  if (ctx.world.jobs[jobName(ref)]) throw alreadyExists(ref);
  const { operation } = writeJob(ctx, ref, asJson(req.body), caller, {
    validateOnly: truthy(req.query.get('validateOnly')),
  });
  return ok(operation);
}

function patch(req: EmuRequest, ctx: Ctx) {
  const g = route(req, 'PATCH', JOB);
  if (!g) return undefined;
  const ref = refOf(ctx, g);
  const current = ctx.world.jobs[jobName(ref)];
  const validateOnly = truthy(req.query.get('validateOnly'));
  if (!current && truthy(req.query.get('allowMissing'))) {
    const caller = gate(ctx, 'run.jobs.create', ref, jobName(ref));
    if (!JOB_ID.test(ref.job)) throw invalidJobId();
    return ok(writeJob(ctx, ref, asJson(req.body), caller, { validateOnly }).operation);
  }
  const caller = gate(ctx, 'run.jobs.update', ref, jobName(ref));
  if (!current) throw jobNotFound(ref);
  const body = asJson(req.body);
  checkEtag(current, body.etag);
  return ok(writeJob(ctx, ref, body, caller, { current, validateOnly }).operation);
}

function get(req: EmuRequest, ctx: Ctx) {
  const g = route(req, 'GET', JOB);
  if (!g) return undefined;
  const ref = refOf(ctx, g);
  gate(ctx, 'run.jobs.get', ref, jobName(ref));
  return ok(existing(ctx, ref));
}

function list(req: EmuRequest, ctx: Ctx) {
  const g = route(req, 'GET', JOBS);
  if (!g) return undefined;
  const ref = jobRef(ctx.world, g[0] ?? '', g[1] ?? '', '-');
  gate(ctx, 'run.jobs.list', ref, `projects/${ref.projectId}/locations/${ref.location}`);
  const prefix = `projects/${ref.projectId}/locations/${ref.location === '-' ? '' : `${ref.location}/`}`;
  const jobs = Object.entries(ctx.world.jobs)
    .filter(([k]) => k.startsWith(prefix))
    .map(([, v]) => v);
  return ok(listBody('jobs', paginate(jobs, req.query, req.path)));
}

function remove(req: EmuRequest, ctx: Ctx) {
  const g = route(req, 'DELETE', JOB);
  if (!g) return undefined;
  const ref = refOf(ctx, g);
  gate(ctx, 'run.jobs.delete', ref, jobName(ref));
  const current = existing(ctx, ref);
  checkEtag(current, req.query.get('etag'));
  return ok(deleteJob(ctx, ref, current));
}

function run(req: EmuRequest, ctx: Ctx) {
  const g = route(req, 'POST', RUN);
  if (!g) return undefined;
  const ref = refOf(ctx, g);
  const body = asJson(req.body);
  const overrides = asJson(body.overrides);
  const permission = Object.keys(overrides).length > 0 ? 'run.jobs.runWithOverrides' : 'run.jobs.run';
  const caller = gate(ctx, permission, ref, jobName(ref));
  const job = existing(ctx, ref);
  checkEtag(job, body.etag);
  const terminal = asJson(job.terminalCondition);
  if (terminal.state === 'CONDITION_FAILED') {
    throw new HttpError(
      400,
      'FAILED_PRECONDITION',
      `Job '${ref.job}' is not ready and cannot be executed: ${String(terminal.message ?? 'its last deployment failed')}`,
    );
  }
  if (body.validateOnly === true) return ok({ name: '', done: true, response: {} });
  return ok(startExecution(ctx, ref, job, overrides, caller).operation);
}

function getExecution(req: EmuRequest, ctx: Ctx) {
  const g = route(req, 'GET', EXECUTION);
  if (!g) return undefined;
  const ref = refOf(ctx, g);
  const name = `${jobName(ref)}/executions/${g[3] ?? ''}`;
  gate(ctx, 'run.executions.get', ref, name);
  const execution = ctx.world.executions[name];
  if (!execution) {
    throw new HttpError(
      404,
      'NOT_FOUND',
      `Resource '${g[3]}' of kind 'EXECUTION' in region '${ref.location}' in project '${ref.projectId}' does not exist.`,
    );
  }
  return ok(execution);
}

function listExecutions(req: EmuRequest, ctx: Ctx) {
  const g = route(req, 'GET', EXECUTIONS);
  if (!g) return undefined;
  const ref = refOf(ctx, g);
  gate(ctx, 'run.executions.list', ref, jobName(ref));
  const prefix = `${jobName(ref)}/executions/`;
  const executions = Object.entries(ctx.world.executions)
    .filter(([k]) => k.startsWith(prefix))
    .map(([, v]) => v)
    .reverse();
  return ok(listBody('executions', paginate(executions, req.query, req.path)));
}

function operation(ctx: Ctx, g: string[]): Json {
  const ref = jobRef(ctx.world, g[0] ?? '', g[1] ?? '', '-');
  const name = `projects/${ref.projectId}/locations/${ref.location}/operations/${g[2] ?? ''}`;
  gate(ctx, 'run.operations.get', ref, name);
  const op = ctx.world.operations[name];
  if (!op) throw new HttpError(404, 'NOT_FOUND', `Operation '${name}' not found.`);
  return op;
}

function getOperation(req: EmuRequest, ctx: Ctx) {
  const g = route(req, 'GET', OPERATION);
  return g ? ok(operation(ctx, g)) : undefined;
}

async function waitOp(req: EmuRequest, ctx: Ctx) {
  const g = route(req, 'POST', WAIT);
  if (!g) return undefined;
  const op = operation(ctx, g);
  // The real method caps the wait (and may return before the timeout); 30 s is enough here.
  await waitOperation(op, Math.min(parseDuration(asJson(req.body).timeout, 30_000), 30_000));
  return ok(op);
}

export const handlers: Handler[] = forService('run.googleapis.com', [
  create,
  list,
  get,
  patch,
  remove,
  run,
  getExecution,
  listExecutions,
  getOperation,
  waitOp,
]);
