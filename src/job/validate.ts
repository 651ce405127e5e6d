// Runs the job's rules (src/job-rules/) on the job the deploy would send and says where each
// refused value came from: the input that set it, the job_patch field, or the job.yaml line.
// A value the existing job already held (and nothing changed) is not refused: Cloud Run
// accepted it, and the user did not ask for it now.

import {
  checkJob,
  envKindChanges,
  type Path,
  type RuleId,
  type Violation,
  viewOfV1,
  viewOfV2,
} from '../job-rules/index.ts';
import { InputError } from '../job-rules/input-error.ts';
import type { Config, SourceLocation } from '../model.ts';
import type { JobManifest } from './metadata.ts';
import type { V2Job } from './spec.ts';

/**
 * Rules about one value alone. Before the job is read these are all that can be judged on the
 * inputs: a combination (CPU with memory, a mount with its volume, parallelism with the task
 * count, a var's type change) may involve what the existing job holds.
 */
const SINGLE_VALUE_RULES = new Set<RuleId>([
  'job-name',
  'container-name',
  'volume-name',
  'label',
  'env-name',
  'env-reserved',
  'secret-ref',
  'mount-path',
  'secret-item-path',
  'cloudsql-name',
  'connector-region',
  'subnet-region',
  'kms-key',
  'task-count',
  'max-retries',
  'task-timeout',
  'image',
  'service-account',
]);

/** a.b[0].c, as job_patch and job.yaml fields are written. */
export function dotted(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function dig(value: unknown, path: Path): unknown {
  let cur = value;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/** Whether job_patch set the value at `path`: the patch holds it, or replaced a value or list above it. */
function patchTouches(patch: unknown, path: Path): boolean {
  for (let n = 1; n <= path.length; n++) {
    const v = dig(patch, path.slice(0, n));
    if (v === undefined) return false;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return true;
  }
  return true;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const TASK: Path = ['template', 'template'];
/**
 * The parts of the job a violation's rule read: a combination is new when any part it combines
 * changed (raising the CPU can break the memory the job already had), not only the part it
 * points at.
 */
function readsOf(v: Violation): Path[] {
  const container = v.at.slice(0, 5);
  switch (v.rule) {
    case 'cpu-memory':
    case 'gpu':
      return [v.at, [...TASK, 'containers'], [...TASK, 'nodeSelector'], [...TASK, 'executionEnvironment']];
    case 'parallelism':
    case 'task-count':
      return [v.at, ['template', 'taskCount'], ['template', 'parallelism']];
    case 'task-timeout':
      return [v.at, [...TASK, 'nodeSelector']];
    case 'mount-path':
    case 'mount-volume':
      return [v.at, container, [...TASK, 'volumes']];
    default:
      return [v.at];
  }
}

/** The input that sets a v2 path (src/job/spec*.ts build these fields from these inputs). */
function inputOf(path: Path, job: V2Job, config: Config): string {
  const [top] = path;
  const field = path[4];
  if (top === 'labels') return 'labels';
  if (top === 'name') return 'job';
  if (path[1] === 'taskCount') return 'tasks';
  if (path[1] === 'parallelism') return 'parallelism';
  const key = path[2];
  if (key === 'maxRetries') return 'max_retries';
  if (key === 'timeout') return 'task_timeout';
  if (key === 'serviceAccount') return 'service_account';
  if (key === 'encryptionKey') return 'kms_key';
  if (key === 'nodeSelector') return 'gpu_type';
  if (key === 'executionEnvironment') return 'execution_environment';
  if (key === 'vpcAccess')
    return path[3] === 'connector' ? 'vpc_connector' : config.subnet ? 'subnet' : 'network';
  if (key === 'volumes') {
    const volume = dig(job, path.slice(0, 4)) as {
      name?: string;
      secret?: unknown;
      cloudSqlInstance?: unknown;
    };
    if (volume?.cloudSqlInstance) return 'cloudsql_instances';
    if (volume?.secret) return 'secrets';
    // Before the read, a mount of the job's own volume stands in for it (plan.ts, jobForRules).
    const mounted = !config.volumes?.some((v) => v.name === volume?.name);
    return mounted && config.volumeMounts?.some((m) => m.name === volume?.name) ? 'volume_mounts' : 'volumes';
  }
  if (key === 'containers') {
    if (field === 'env') {
      const name = (dig(job, path.slice(0, 6)) as { name?: string } | undefined)?.name;
      return name !== undefined && name in config.secrets ? 'secrets' : 'env_vars';
    }
    if (field === 'volumeMounts') {
      const mount = dig(job, path.slice(0, 6)) as { mountPath?: string; name?: string } | undefined;
      if (config.volumeMounts?.some((m) => m.mountPath === mount?.mountPath)) return 'volume_mounts';
      if (mount?.mountPath === '/cloudsql') return 'cloudsql_instances';
      return 'secrets';
    }
    if (field === 'image') return 'image';
    if (field === 'resources') {
      const limit = path[6];
      return limit === 'cpu' ? 'cpu' : limit === 'memory' ? 'memory' : 'gpu';
    }
    return 'job_patch';
  }
  return 'job_patch';
}

/**
 * Where to point for a combination the job already half held: the value the inputs changed
 * (raising cpu breaks the memory the job had: the cpu input is the one to fix).
 */
function blame(v: Violation, job: V2Job, existing: V2Job | undefined): Path {
  if (!existing || !same(dig(job, v.at), dig(existing, v.at))) return v.at;
  const limits = v.at.slice(0, 6);
  const candidates: Path[] =
    v.rule === 'parallelism' || v.rule === 'task-count'
      ? [
          ['template', 'taskCount'],
          ['template', 'parallelism'],
        ]
      : [
          [...limits, 'cpu'],
          [...limits, 'memory'],
          [...limits, 'nvidia.com/gpu'],
          [...TASK, 'nodeSelector', 'accelerator'],
        ];
  return candidates.find((p) => !same(dig(job, p), dig(existing, p))) ?? v.at;
}

function problemsOfV2(violations: Violation[], job: V2Job, config: Config, existing?: V2Job): string[] {
  return violations.map((v) => {
    if (config.jobPatch && patchTouches(config.jobPatch, v.at))
      return `Input "job_patch": ${dotted(v.at)}: ${v.problem}`;
    return `Input "${inputOf(blame(v, job, existing), job, config)}": ${v.problem}`;
  });
}

/**
 * The job the inputs (and job_patch) build, checked before the first write. Without the
 * existing job (`existing` undefined: before the read) only the rules about one value run; with
 * it, every rule, and a value the existing job already held unchanged is not refused.
 */
export function validateV2Job(
  job: V2Job,
  config: Config,
  existing: V2Job | undefined,
  jobName: string,
): void {
  const view = viewOfV2(job as Record<string, unknown>, jobName);
  let violations = checkJob(view, { region: config.region });
  // Before the read, only values the inputs set are judged (an absent one may be the job's).
  if (!existing)
    violations = violations.filter((v) => SINGLE_VALUE_RULES.has(v.rule) && dig(job, v.at) !== undefined);
  else {
    violations = violations.filter(
      (v) =>
        readsOf(v).some((path) => !same(dig(job, path), dig(existing, path))) ||
        (config.jobPatch && patchTouches(config.jobPatch, v.at)),
    );
    const allowed = new Set(config.allowEnvTypeChange ?? []);
    violations.push(...envKindChanges(viewOfV2(existing as Record<string, unknown>), view, allowed));
  }
  if (violations.length) throw new InputError(problemsOfV2(violations, job, config, existing));
}

/** The nearest written ancestor of a path (a value the rule assumed by default has no line). */
function lineOf(manifest: JobManifest, path: Path): SourceLocation | undefined {
  for (let n = path.length; n > 0; n--) {
    const loc = manifest.locate?.(path.slice(0, n));
    if (loc) return loc;
  }
  return undefined;
}

/** A job.yaml is the whole job (replace): every rule runs, before any request. */
export function validateManifest(manifest: JobManifest, file: string, region: string): void {
  const violations = checkJob(viewOfV1(manifest.job), { region });
  if (!violations.length) return;
  const located = violations.map((v) => ({ v, loc: lineOf(manifest, v.at) }));
  throw new InputError(
    located.map(
      ({ v, loc }) => `Input "metadata": ${file}${loc ? `:${loc.line}` : ''}: ${dotted(v.at)}: ${v.problem}`,
    ),
    located[0]?.loc,
  );
}
