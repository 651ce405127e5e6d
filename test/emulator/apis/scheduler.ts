// Cloud Scheduler v1 (issue 21): locations get/list and jobs get/list/create/patch/delete/
// pause/resume/run, with the IAM Google applies: cloudscheduler.jobs.* and .locations.* on the
// project (jobs have no policy of their own), iam.serviceAccounts.actAs on the OAuth account of
// a job's HTTP target, SERVICE_DISABLED when the API is off on the caller's consumer project,
// and 429 when the world says its write quota is used up.
// Sources: paths and fields from gcloud's cloudscheduler_v1_client.py / _messages.py; the
// update mask paths gcloud sends (command_lib/scheduler/util.py); "Schedule or time zone is
// invalid." as 400 INVALID_ARGUMENT (googleapis/google-cloud-go#1352, hashicorp/terraform#31571);
// the OAuth account must be in the job's project and the caller must be able to act as it
// (OAuthToken in the messages); the service agent needs roles/cloudscheduler.serviceAgent to mint
// the account's tokens, else the target answers 403 (https://cloud.google.com/scheduler/docs/http-target-auth).
// Wordings of NOT_FOUND (job, location) and of the foreign-project account are not documented
// by Google; the action reads only their status and ErrorInfo. The location list is a fixed few.
// `run` attempts the target at once (Google does so asynchronously) and records the answer in
// the job's `status` and `lastAttemptTime`: the target is called over HTTP with a token of the
// job's OAuth account, so a Cloud Run job the account may not run answers 403 as in Google.
import type { Ctx, EmuResponse, Handler, World, WorldProject } from '../contract.ts';
import { HttpError } from '../contract.ts';
import { isRecord, notFound, route } from '../http.ts';
import { attempt, checkJob, quota, SCHEDULER } from '../scheduler-rules.ts';
import { forService } from '../services.ts';
import { findProject } from '../world-index.ts';

type Job = Record<string, unknown>;
const stores = new WeakMap<World, Map<string, Job>>();

/** The Cloud Scheduler jobs of a world, by full name (tests read and seed it). */
export function schedulerJobs(world: World): Map<string, Job> {
  let s = stores.get(world);
  if (!s) {
    s = new Map();
    stores.set(world, s);
  }
  return s;
}

/** Where Cloud Scheduler runs in the emulator: every world may narrow it (tests set it). */
const unsupported = new WeakMap<World, Set<string>>();
export function withoutSchedulerIn(world: World, ...locations: string[]): void {
  unsupported.set(world, new Set(locations));
}

const ID = '([^/:]+)';
const LOCATIONS = new RegExp(`^/v1/projects/${ID}/locations$`);
const LOCATION = new RegExp(`^/v1/projects/${ID}/locations/${ID}$`);
const JOBS = new RegExp(`^/v1/projects/${ID}/locations/${ID}/jobs$`);
const JOB = new RegExp(`^/v1/projects/${ID}/locations/${ID}/jobs/${ID}$`);
const VERB = new RegExp(`^/v1/projects/${ID}/locations/${ID}/jobs/${ID}:(pause|resume|run)$`);
const DOMAIN = 'cloudscheduler.googleapis.com';
const ok = (body: unknown): EmuResponse => ({ status: 200, body });

function project(ctx: Ctx, id: string, permission: string): WorldProject {
  const p = findProject(ctx.world, id);
  ctx.require(permission, `projects/${p?.id ?? id}`, { domain: DOMAIN });
  if (!p) throw notFound(`Project ${id} not found.`);
  return p;
}

function location(ctx: Ctx, p: WorldProject, loc: string): void {
  if (unsupported.get(ctx.world)?.has(loc) || !/^[a-z]+-[a-z]+\d+$/.test(loc))
    throw notFound(`Location ${loc} is not found or access is unallowed.`);
  void p;
}

function locationBody(p: WorldProject, loc: string) {
  return { name: `projects/${p.id}/locations/${loc}`, locationId: loc };
}

/** The fields a client may set (the rest are output only). */
const INPUT_FIELDS = ['description', 'schedule', 'timeZone', 'httpTarget', 'retryConfig', 'attemptDeadline'];

function getJob(ctx: Ctx, name: string): Job {
  const job = schedulerJobs(ctx.world).get(name);
  if (!job) throw notFound(`Job not found.`);
  return job;
}

const listLocations: Handler = (req, ctx) => {
  const g = route(req, 'GET', LOCATIONS);
  if (!g) return undefined;
  const p = project(ctx, g[0] ?? '', 'cloudscheduler.locations.list');
  const taken = unsupported.get(ctx.world) ?? new Set();
  const locs = ['us-central1', 'us-east1', 'europe-west1', 'asia-northeast1'].filter((l) => !taken.has(l));
  return ok({ locations: locs.map((l) => locationBody(p, l)) });
};

const getLocation: Handler = (req, ctx) => {
  const g = route(req, 'GET', LOCATION);
  if (!g) return undefined;
  const p = project(ctx, g[0] ?? '', 'cloudscheduler.locations.get');
  location(ctx, p, g[1] ?? '');
  return ok(locationBody(p, g[1] ?? ''));
};

const list: Handler = (req, ctx) => {
  const g = route(req, 'GET', JOBS);
  if (!g) return undefined;
  const p = project(ctx, g[0] ?? '', 'cloudscheduler.jobs.list');
  location(ctx, p, g[1] ?? '');
  const prefix = `projects/${p.id}/locations/${g[1]}/jobs/`;
  const jobs = [...schedulerJobs(ctx.world).entries()]
    .filter(([k]) => k.startsWith(prefix))
    .map(([, v]) => v);
  return ok(jobs.length ? { jobs } : {});
};

const create: Handler = (req, ctx) => {
  const g = route(req, 'POST', JOBS);
  if (!g) return undefined;
  const p = project(ctx, g[0] ?? '', 'cloudscheduler.jobs.create');
  location(ctx, p, g[1] ?? '');
  const body = isRecord(req.body) ? req.body : {};
  const name = String(body.name ?? '');
  const want = new RegExp(
    `^projects/(?:${p.id}|${p.number})/locations/${g[1]}/jobs/([A-Za-z0-9_-]{1,500})$`,
  ).exec(name);
  if (!want) throw new HttpError(400, 'INVALID_ARGUMENT', `Job name ${JSON.stringify(name)} is invalid.`);
  const full = `projects/${p.id}/locations/${g[1]}/jobs/${want[1]}`;
  checkJob(ctx, p, body);
  quota(ctx);
  if (schedulerJobs(ctx.world).has(full)) throw new HttpError(409, 'ALREADY_EXISTS', 'Job already exists.');
  const job: Job = { name: full, state: 'ENABLED', userUpdateTime: new Date().toISOString() };
  for (const k of INPUT_FIELDS) if (body[k] !== undefined) job[k] = structuredClone(body[k]);
  if (isRecord(job.httpTarget)) job.httpTarget.httpMethod ??= 'POST';
  schedulerJobs(ctx.world).set(full, job);
  return ok(job);
};

function setPath(job: Job, from: Job, path: string): void {
  const [head = '', ...rest] = path.split('.');
  if (!rest.length) {
    if (from[head] === undefined) delete job[head];
    else job[head] = structuredClone(from[head]);
    return;
  }
  const inner = isRecord(job[head]) ? (job[head] as Job) : {};
  setPath(inner, isRecord(from[head]) ? (from[head] as Job) : {}, rest.join('.'));
  job[head] = inner;
}

const patch: Handler = (req, ctx) => {
  const g = route(req, 'PATCH', JOB);
  if (!g) return undefined;
  const p = project(ctx, g[0] ?? '', 'cloudscheduler.jobs.update');
  const name = `projects/${p.id}/locations/${g[1]}/jobs/${g[2]}`;
  const current = getJob(ctx, name);
  const body = isRecord(req.body) ? req.body : {};
  const mask = (req.query.get('updateMask') ?? '').split(',').filter((m) => m);
  const paths = mask.length ? mask : INPUT_FIELDS;
  for (const path of paths)
    if (!INPUT_FIELDS.includes(path.split('.')[0] ?? ''))
      throw new HttpError(400, 'INVALID_ARGUMENT', `Invalid mask for Job: ${path}`);
  const next = structuredClone(current);
  for (const path of paths) setPath(next, body, path);
  checkJob(ctx, p, next);
  quota(ctx);
  next.userUpdateTime = new Date().toISOString();
  schedulerJobs(ctx.world).set(name, next);
  return ok(next);
};

const remove: Handler = (req, ctx) => {
  const g = route(req, 'DELETE', JOB);
  if (!g) return undefined;
  const p = project(ctx, g[0] ?? '', 'cloudscheduler.jobs.delete');
  const name = `projects/${p.id}/locations/${g[1]}/jobs/${g[2]}`;
  getJob(ctx, name);
  quota(ctx);
  schedulerJobs(ctx.world).delete(name);
  return ok({});
};

const get: Handler = (req, ctx) => {
  const g = route(req, 'GET', JOB);
  if (!g) return undefined;
  const p = project(ctx, g[0] ?? '', 'cloudscheduler.jobs.get');
  return ok(getJob(ctx, `projects/${p.id}/locations/${g[1]}/jobs/${g[2]}`));
};

const verb: Handler = async (req, ctx) => {
  const g = route(req, 'POST', VERB);
  if (!g) return undefined;
  const action = g[3];
  const permission =
    action === 'pause'
      ? 'cloudscheduler.jobs.pause'
      : action === 'resume'
        ? 'cloudscheduler.jobs.enable'
        : 'cloudscheduler.jobs.run';
  const p = project(ctx, g[0] ?? '', permission);
  const name = `projects/${p.id}/locations/${g[1]}/jobs/${g[2]}`;
  const job = getJob(ctx, name);
  if (action === 'pause') job.state = 'PAUSED';
  else if (action === 'resume') job.state = 'ENABLED';
  else {
    job.lastAttemptTime = new Date().toISOString();
    const status = await attempt(ctx, p, job);
    if (status && Object.keys(status).length) job.status = status;
    else delete job.status;
  }
  return ok(job);
};

export const handlers: Handler[] = forService(SCHEDULER, [
  listLocations,
  getLocation,
  list,
  create,
  patch,
  remove,
  get,
  verb,
]);
