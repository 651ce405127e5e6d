// Cloud Run v1 (Knative shape), as `gcloud run jobs describe/create/replace/execute` call it on
// the regional host ({region}-run.googleapis.com, or {region}-emulator.invalid through the
// proxy). Same store as v2; writes are synchronous objects whose readiness shows in
// status.conditions[type=Ready]; errors also carry the legacy `errors[]`.
import { type Ctx, type EmuRequest, type EmuResponse, type Handler, HttpError } from '../contract.ts';
import { startExecution } from '../executions.ts';
import { route } from '../http.ts';
import { paginate } from '../paging.ts';
import { deleteJob, writeJob } from '../run-jobs.ts';
import {
  alreadyExists,
  asJson,
  asLegacy,
  findProject,
  gate,
  invalidJobId,
  JOB_ID,
  type JobRef,
  type Json,
  jobName,
  jobNotFound,
  jobRef,
  str,
} from '../run-model.ts';
import { executionToV1, jobBodyToV2, jobToV1, overridesToV2 } from '../run-v1-shape.ts';
import { forService } from '../services.ts';

const NS = '^/apis/run\\.googleapis\\.com/v1/namespaces/([^/]+)';
const JOBS = new RegExp(`${NS}/jobs$`);
const JOB = new RegExp(`${NS}/jobs/([^/:]+)$`);
const RUN = new RegExp(`${NS}/jobs/([^/:]+):run$`);
const EXECUTION = new RegExp(`${NS}/executions/([^/:]+)$`);
const EXECUTIONS = new RegExp(`${NS}/executions$`);

const ok = (body: unknown): EmuResponse => ({ status: 200, body });

/** The region of a regional host: us-central1-run.googleapis.com, us-central1-emulator.invalid:1234. */
export function regionOfHost(host: string): string | undefined {
  return /^([a-z]+-[a-z]+\d+)-/.exec(host)?.[1];
}

/** Where a named job lives: the host's region, else wherever the project has a job of that name. */
function locate(req: EmuRequest, ctx: Ctx, namespace: string, job: string): JobRef {
  const region = regionOfHost(req.host);
  if (region) return jobRef(ctx.world, namespace, region, job);
  const any = jobRef(ctx.world, namespace, '-', job);
  const hit = Object.keys(ctx.world.jobs).find(
    (k) => k.startsWith(`projects/${any.projectId}/`) && k.endsWith(`/jobs/${job}`),
  );
  const location = hit?.split('/')[3];
  return location ? { ...any, location } : { ...any, location: 'us-central1' };
}

function v1(ctx: Ctx, ref: JobRef, job: Json): Json {
  return jobToV1(job, ref, findProject(ctx.world, ref.projectId));
}

function create(req: EmuRequest, ctx: Ctx) {
  const g = route(req, 'POST', JOBS);
  if (!g) return undefined;
  return asLegacy(() => {
    const body = asJson(req.body);
    const meta = asJson(body.metadata);
    const name = str(meta.name) ?? '';
    const region = regionOfHost(req.host) ?? str(asJson(meta.labels)['cloud.googleapis.com/location']);
    if (!region) {
      throw new HttpError(
        400,
        'INVALID_ARGUMENT',
        'The request must be sent to a regional endpoint.',
        [],
        true,
      );
    }
    const ref = jobRef(ctx.world, g[0] ?? '', region, name);
    const caller = gate(ctx, 'run.jobs.create', ref, `namespaces/${g[0]}/jobs/${name}`);
    if (!JOB_ID.test(name)) throw invalidJobId(true);
    if (ctx.world.jobs[jobName(ref)]) throw alreadyExists(ref, true);
    const { job } = writeJob(ctx, ref, jobBodyToV2(body), caller, { legacy: true });
    return ok(v1(ctx, ref, job));
  });
}

function replace(req: EmuRequest, ctx: Ctx) {
  const g = route(req, 'PUT', JOB);
  if (!g) return undefined;
  return asLegacy(() => {
    const ref = locate(req, ctx, g[0] ?? '', g[1] ?? '');
    const caller = gate(ctx, 'run.jobs.update', ref, `namespaces/${g[0]}/jobs/${g[1]}`);
    const current = ctx.world.jobs[jobName(ref)];
    if (!current) throw jobNotFound(ref, true);
    const body = asJson(req.body);
    const version = str(asJson(body.metadata).resourceVersion);
    if (version && version !== String(current.etag ?? '').replaceAll('"', '')) {
      throw new HttpError(
        409,
        'ABORTED',
        `Conflict for resource '${ref.job}': version '${version}' was specified but current version is '${String(current.etag).replaceAll('"', '')}'.`,
        [],
        true,
      );
    }
    const { job } = writeJob(ctx, ref, jobBodyToV2(body), caller, { current, legacy: true });
    return ok(v1(ctx, ref, job));
  });
}

function get(req: EmuRequest, ctx: Ctx) {
  const g = route(req, 'GET', JOB);
  if (!g) return undefined;
  return asLegacy(() => {
    const ref = locate(req, ctx, g[0] ?? '', g[1] ?? '');
    gate(ctx, 'run.jobs.get', ref, `namespaces/${g[0]}/jobs/${g[1]}`);
    const job = ctx.world.jobs[jobName(ref)];
    if (!job) throw jobNotFound(ref, true);
    return ok(v1(ctx, ref, job));
  });
}

function list(req: EmuRequest, ctx: Ctx) {
  const g = route(req, 'GET', JOBS);
  if (!g) return undefined;
  return asLegacy(() => {
    const region = regionOfHost(req.host);
    const ref = jobRef(ctx.world, g[0] ?? '', region ?? '-', '-');
    gate(ctx, 'run.jobs.list', ref, `namespaces/${g[0]}`);
    const prefix = `projects/${ref.projectId}/locations/${region ? `${region}/` : ''}`;
    const items = Object.entries(ctx.world.jobs)
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, job]) =>
        v1(ctx, { ...ref, location: k.split('/')[3] ?? '', job: k.split('/')[5] ?? '' }, job),
      );
    return ok(v1List('JobsList', items, req));
  });
}

function remove(req: EmuRequest, ctx: Ctx) {
  const g = route(req, 'DELETE', JOB);
  if (!g) return undefined;
  return asLegacy(() => {
    const ref = locate(req, ctx, g[0] ?? '', g[1] ?? '');
    gate(ctx, 'run.jobs.delete', ref, `namespaces/${g[0]}/jobs/${g[1]}`);
    const current = ctx.world.jobs[jobName(ref)];
    if (!current) throw jobNotFound(ref, true);
    deleteJob(ctx, ref, current);
    // google.cloud.run.v1 Status: no apiVersion/kind, unlike a Kubernetes Status.
    return ok({
      status: 'Success',
      details: { name: ref.job, group: 'run.googleapis.com', kind: 'jobs', uid: current.uid },
    });
  });
}

function run(req: EmuRequest, ctx: Ctx) {
  const g = route(req, 'POST', RUN);
  if (!g) return undefined;
  return asLegacy(() => {
    const ref = locate(req, ctx, g[0] ?? '', g[1] ?? '');
    const overrides = overridesToV2(asJson(asJson(req.body).overrides));
    const permission =
      Object.keys(asJson(asJson(req.body).overrides)).length > 0
        ? 'run.jobs.runWithOverrides'
        : 'run.jobs.run';
    const caller = gate(ctx, permission, ref, `namespaces/${g[0]}/jobs/${g[1]}`);
    const job = ctx.world.jobs[jobName(ref)];
    if (!job) throw jobNotFound(ref, true);
    const terminal = asJson(job.terminalCondition);
    if (terminal.state === 'CONDITION_FAILED') {
      throw new HttpError(
        400,
        'FAILED_PRECONDITION',
        `Job '${ref.job}' is not ready and cannot be executed: ${String(terminal.message ?? 'its last deployment failed')}`,
        [],
        true,
      );
    }
    const { execution } = startExecution(ctx, ref, job, overrides, caller);
    return ok(executionToV1(execution, ref, findProject(ctx.world, ref.projectId), job.uid));
  });
}

function getExecution(req: EmuRequest, ctx: Ctx) {
  const g = route(req, 'GET', EXECUTION);
  if (!g) return undefined;
  return asLegacy(() => {
    const id = g[1] ?? '';
    const base = jobRef(ctx.world, g[0] ?? '', regionOfHost(req.host) ?? '-', '-');
    gate(ctx, 'run.executions.get', base, `namespaces/${g[0]}/executions/${id}`);
    const region = regionOfHost(req.host);
    const key = Object.keys(ctx.world.executions).find((k) => {
      const p = k.split('/');
      return p[1] === base.projectId && (!region || p[3] === region) && p[7] === id;
    });
    const execution = key ? ctx.world.executions[key] : undefined;
    if (!key || !execution) {
      throw new HttpError(
        404,
        'NOT_FOUND',
        `Resource '${id}' of kind 'EXECUTION' in region '${region ?? 'global'}' in project '${base.projectId}' does not exist.`,
        [],
        true,
      );
    }
    const p = key.split('/');
    const ref = jobRef(ctx.world, base.projectId, p[3] ?? '', p[5] ?? '');
    return ok(executionToV1(execution, ref, ref.project, ctx.world.jobs[jobName(ref)]?.uid));
  });
}

/** Executions of the namespace, optionally narrowed by `labelSelector=run.googleapis.com/job=J` as gcloud sends it. */
function listExecutions(req: EmuRequest, ctx: Ctx) {
  const g = route(req, 'GET', EXECUTIONS);
  if (!g) return undefined;
  return asLegacy(() => {
    const region = regionOfHost(req.host);
    const base = jobRef(ctx.world, g[0] ?? '', region ?? '-', '-');
    gate(ctx, 'run.executions.list', base, `namespaces/${g[0]}`);
    const job = /run\.googleapis\.com\/job\s*=\s*([a-z0-9-]+)/.exec(
      req.query.get('labelSelector') ?? '',
    )?.[1];
    const items = Object.entries(ctx.world.executions)
      .map(([k, ex]) => ({ p: k.split('/'), ex }))
      .filter(({ p }) => p[1] === base.projectId && (!region || p[3] === region) && (!job || p[5] === job))
      .reverse()
      .map(({ p, ex }) => {
        const ref = jobRef(ctx.world, base.projectId, p[3] ?? '', p[5] ?? '');
        return executionToV1(ex, ref, ref.project, ctx.world.jobs[jobName(ref)]?.uid);
      });
    return ok(v1List('ExecutionsList', items, req));
  });
}

/** A Knative list: `limit`/`continue` paging, the next token in `metadata.continue`. */
function v1List(kind: string, all: Json[], req: EmuRequest): Json {
  const page = paginate(all, req.query, req.path, { sizeParam: 'limit', tokenParam: 'continue' });
  const metadata: Json = page.next ? { continue: page.next } : {};
  return { apiVersion: 'run.googleapis.com/v1', kind, metadata, items: page.items };
}

/**
 * A namespace that names no project: 404 "Requested entity was not found." after
 * authentication (gcloud shows it as "Namespaces instance [P] not found").
 */
function unknownNamespace(req: EmuRequest, ctx: Ctx): EmuResponse | undefined {
  const ns = /^\/apis\/run\.googleapis\.com\/v1\/namespaces\/([^/]+)\//.exec(req.path)?.[1];
  if (!ns || findProject(ctx.world, decodeURIComponent(ns))) return undefined;
  ctx.requireCaller();
  throw new HttpError(404, 'NOT_FOUND', 'Requested entity was not found.', [], true);
}

export const handlers: Handler[] = forService('run.googleapis.com', [
  unknownNamespace,
  create,
  list,
  get,
  replace,
  remove,
  run,
  getExecution,
  listExecutions,
]);
