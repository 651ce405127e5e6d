// Cloud Run v1 (Knative `namespaces/{project}/jobs`), what `gcloud run jobs replace` uses. It
// lives on regional hosts, which the googleapis client cannot target per call, so this goes
// through the auth client's request() with the same timeout/no-retry policy.
import { runRegionalRoot } from '../auth/endpoints.ts';
import { type Decoder, list, optional, record, required, text } from './answer.ts';
import { type ApiContext, read, write } from './clients.ts';
import { isStatus } from './errors.ts';
import { requestJson } from './rest.ts';

export type V1Job = Record<string, unknown> & {
  metadata?: { name?: string; generation?: number; resourceVersion?: string; [k: string]: unknown };
  status?: {
    observedGeneration?: number;
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
    [k: string]: unknown;
  };
};

function jobsUrl(ctx: ApiContext, region: string, project: string, name?: string): string {
  const base = `${runRegionalRoot(region, ctx.universe, ctx.env)}apis/run.googleapis.com/v1/namespaces/${encodeURIComponent(project)}/jobs`;
  return name ? `${base}/${encodeURIComponent(name)}` : base;
}

// A v1 Job (gcloud's run/v1 messages: Job, ObjectMeta, JobSpec, JobStatus): metadata.name and
// spec.template are what every write is built from; status conditions are read when present.
const v1Job: Decoder<V1Job> = (v, at) => {
  const o = record(v, at);
  const metadata = required(o, 'metadata', record, at);
  required(metadata, 'name', text, `${at}.metadata`);
  const spec = required(o, 'spec', record, at);
  required(spec, 'template', record, `${at}.spec`);
  const status = optional(o, 'status', record, at);
  if (status) optional(status, 'conditions', list(record), `${at}.status`);
  return o as V1Job;
};

const JOB = { what: 'a Job', decode: v1Job };

function call(ctx: ApiContext, method: 'GET' | 'POST' | 'PUT', url: string, data?: unknown): Promise<V1Job> {
  return requestJson(ctx, new URL(url), 'run.googleapis.com', JOB, {
    method,
    ...(data === undefined ? {} : { body: data }),
  });
}

export async function getJobV1(
  ctx: ApiContext,
  region: string,
  project: string,
  name: string,
): Promise<V1Job | undefined> {
  try {
    return await read(ctx, `read job ${name} (v1) in ${project}/${region}`, () =>
      call(ctx, 'GET', jobsUrl(ctx, region, project, name)),
    );
  } catch (e) {
    if (isStatus(e, 'NOT_FOUND')) return undefined;
    throw e;
  }
}

export function createJobV1(ctx: ApiContext, region: string, project: string, job: V1Job): Promise<V1Job> {
  return write(`create job ${job.metadata?.name} (v1) in ${project}/${region}`, () =>
    call(ctx, 'POST', jobsUrl(ctx, region, project), job),
  );
}

export function replaceJobV1(ctx: ApiContext, region: string, project: string, job: V1Job): Promise<V1Job> {
  const name = job.metadata?.name ?? '';
  return write(`replace job ${name} (v1) in ${project}/${region}`, () =>
    call(ctx, 'PUT', jobsUrl(ctx, region, project, name), job),
  );
}

/**
 * The Ready condition once the controller has seen the latest generation, else undefined. Right
 * after a write the job can still carry the previous generation's Ready condition (and its
 * observedGeneration, or none on a new job): that is not an answer for this write.
 */
export function readyCondition(
  job: V1Job,
): { status: string; reason?: string; message?: string } | undefined {
  const generation = job.metadata?.generation;
  const observed = job.status?.observedGeneration;
  if (generation !== undefined && (observed === undefined || observed < generation)) return undefined;
  const ready = job.status?.conditions?.find((c) => c.type === 'Ready');
  if (!ready?.status || ready.status === 'Unknown') return undefined;
  const out: { status: string; reason?: string; message?: string } = { status: ready.status };
  if (ready.reason) out.reason = ready.reason;
  if (ready.message) out.message = ready.message;
  return out;
}
