// The job plan: what a deploy changes in the job, setting by setting, between the job as it
// exists and the job the deploy sends (after every input, job.yaml and job_patch). Pure. The
// same comparison decides whether the deploy writes at all: a job whose every setting already
// holds is not written again (no new generation). Plain env values are shown only when the
// user opted in (show_env_values); secret values are never in a job, only references to them.

import type { V2Job } from '../gcp/run.ts';
import { readyCondition, type V1Job } from '../gcp/run-v1.ts';
import type { JobChange, JobPlan } from '../model.ts';
import { type Entry, type Flat, type FlattenOptions, flattenV2 } from './diff-flatten.ts';
import { flattenV1 } from './diff-flatten-v1.ts';

export interface PlanOptions {
  /** Show plain env var values (input show_env_values). */
  showEnvValues?: boolean;
  /** PROJECT_NUMBER-compute@developer.gserviceaccount.com: what a job that names no account runs as. */
  defaultServiceAccount?: string;
}

type Flatten = (job: unknown, options?: FlattenOptions) => Flat;

function shown(entry: Entry | undefined, options: PlanOptions): { value?: string; hidden?: true } {
  if (!entry) return {};
  return entry.plain && !options.showEnvValues ? { hidden: true } : { value: entry.value };
}

/** What a reviewer looks at first comes first; settings not listed keep their order, after these. */
const ORDER = [
  'image',
  'service account',
  'env',
  'cpu',
  'memory',
  'gpu',
  'gpu type',
  'tasks',
  'parallelism',
  'retries',
  'timeout',
  'command',
  'args',
  'vpc connector',
  'vpc network',
  'vpc egress',
  'cloud sql',
  'volume',
  'mount',
  'key',
  'binary authorization',
  'breakglass',
  'execution environment',
  'label',
];
/** A sidecar's setting ranks as its main container's: `image (sidecar)` as `image`. */
const rank = (c: JobChange) => {
  const i = ORDER.indexOf(c.setting.replace(/ \(.*\)$/, ''));
  return c.setting === 'other' ? ORDER.length + 1 : i < 0 ? ORDER.length : i;
};

/** Setting-by-setting difference of two flattened jobs, in ORDER (then `after`'s order, then what went). */
export function diffFlat(before: Flat, after: Flat, options: PlanOptions = {}): JobChange[] {
  const changes: JobChange[] = [];
  const add = (id: string, change: JobChange['change']) => {
    const was = before.get(id);
    const now = after.get(id);
    const entry = (now ?? was) as Entry;
    const out: JobChange = { setting: entry.field, change };
    if (entry.key !== undefined) out.key = entry.key;
    const b = shown(was, options);
    const a = shown(now, options);
    if (b.value !== undefined) out.before = b.value;
    if (a.value !== undefined) out.after = a.value;
    if (b.hidden || a.hidden) out.hidden = true;
    changes.push(out);
  };
  for (const [id, now] of after) {
    const was = before.get(id);
    if (!was) add(id, 'added');
    else if (was.value !== now.value || Boolean(was.plain) !== Boolean(now.plain)) add(id, 'changed');
  }
  for (const id of before.keys()) if (!after.has(id)) add(id, 'removed');
  return changes
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i)
    .map(({ c }) => c);
}

function compare(flatten: Flatten, existing: unknown, final: unknown, options: PlanOptions): JobChange[] {
  const fill: FlattenOptions = { defaults: true };
  if (options.defaultServiceAccount) fill.defaultServiceAccount = options.defaultServiceAccount;
  return diffFlat(flatten(existing, fill), flatten(final, fill), options);
}

/** Every setting a new job is created with, briefly: only what it sets, no defaults. */
function whole(flatten: Flatten, final: unknown, options: PlanOptions): JobChange[] {
  return diffFlat(new Map(), flatten(final), options);
}

/** The plan of a deploy from inputs (v2): `existing` as read (undefined: it will be created). */
export function planV2(existing: unknown, final: unknown, options: PlanOptions = {}): JobPlan {
  return existing === undefined
    ? { action: 'create', changes: whole(flattenV2, final, options) }
    : { action: 'update', changes: compare(flattenV2, existing, final, options) };
}

/** The plan of a replace from a job.yaml (v1): `existing` as read in v1 (undefined: created). */
export function planV1(existing: unknown, final: unknown, options: PlanOptions = {}): JobPlan {
  return existing === undefined
    ? { action: 'create', changes: whole(flattenV1, final, options) }
    : { action: 'replace', changes: compare(flattenV1, existing, final, options) };
}

/** Whether writing `final` over `existing` (v2) would change nothing. */
export function sameV2(existing: unknown, final: unknown, options: PlanOptions = {}): boolean {
  return compare(flattenV2, existing, final, options).length === 0;
}

/** Whether replacing `existing` with `final` (v1) would change nothing. */
export function sameV1(existing: unknown, final: unknown, options: PlanOptions = {}): boolean {
  return compare(flattenV1, existing, final, options).length === 0;
}

/** A plan that writes nothing: an update or replace of a ready job that already matches. */
export function unchanged(plan: JobPlan | undefined): boolean {
  return plan !== undefined && plan.action !== 'create' && plan.changes.length === 0 && !plan.notReady;
}

/** A v2 job whose latest generation reconciled (terminalCondition, Job message in gcloud's run v2 messages). */
export function readyV2(job: V2Job): boolean {
  return job.terminalCondition?.state === 'CONDITION_SUCCEEDED' && !job.reconciling;
}

/** A v1 job whose Ready condition is True for the generation it holds. */
export function readyV1(job: V1Job): boolean {
  return readyCondition(job)?.status === 'True';
}
