// Inputs -> Cloud Run v2 Job (pure). The merge rule for updates: every setting an input names
// overrides the existing job's value; everything else the existing job holds is kept as it
// is (other env vars, volumes, VPC access, annotations, extra containers, labels...). Env vars
// are matched by name: a named one is replaced in place, new ones are appended; under an
// `overwrite` update strategy the unnamed ones of that kind go (spec-env.ts). Volumes and
// mounts: spec-volumes.ts; VPC, CMEK, GPU: spec-task.ts; job_patch is merged last (patch.ts).
import type { run_v2 } from '@googleapis/run/build/v2';
import { ACTION_NAME, ACTION_VERSION } from '../auth/attribution.ts';
import type { Config } from '../model.ts';
import type { JobManifest } from './metadata.ts';
import { mergePatch } from './patch.ts';
import { mergeEnv } from './spec-env.ts';
import { applyTaskInputs } from './spec-task.ts';
import { mergeVolumes, type Where } from './spec-volumes.ts';

export type V2Job = run_v2.Schema$GoogleCloudRunV2Job;
type V2Container = run_v2.Schema$GoogleCloudRunV2Container;

export const MANAGED_BY_LABEL = 'managed-by';
// The value Cloud Run's console recognises for deployments from GitHub Actions.
export const MANAGED_BY_VALUE = 'github-actions';
export const COMMIT_LABEL = 'commit-sha';
export const LOCATION_LABEL = 'cloud.googleapis.com/location';
// v1 has no client fields: these annotations are their equivalent (gcloud sets them too).
export const CLIENT_NAME_ANNOTATION = 'run.googleapis.com/client-name';
export const CLIENT_VERSION_ANNOTATION = 'run.googleapis.com/client-version';

// Fields the API computes; sent back they would be ignored at best, so an update leaves them out.
// `etag` stays: it makes the update fail rather than overwrite a concurrent change.
const OUTPUT_ONLY = [
  'uid',
  'generation',
  'createTime',
  'updateTime',
  'deleteTime',
  'expireTime',
  'creator',
  'lastModifier',
  'observedGeneration',
  'terminalCondition',
  'conditions',
  'executionCount',
  'latestCreatedExecution',
  'reconciling',
  'satisfiesPzs',
] as const;

/** Labels the action adds (unless skip_default_labels): who manages the job and from which commit. */
export function defaultLabels(
  config: Pick<Config, 'skipDefaultLabels'>,
  sha: string | undefined,
): Record<string, string> {
  if (config.skipDefaultLabels) return {};
  const labels: Record<string, string> = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
  // Label values are at most 63 lowercase characters; a full SHA-1 (40 hex) fits.
  if (sha && /^[0-9a-f]{7,63}$/i.test(sha)) labels[COMMIT_LABEL] = sha.toLowerCase();
  return labels;
}

/** The user's labels win over the defaults: they asked for them explicitly. */
export function jobLabels(config: Config, sha: string | undefined): Record<string, string> {
  return { ...defaultLabels(config, sha), ...config.labels };
}

/** A new job from inputs alone (create). */
export function buildJob(config: Config, sha: string | undefined, project?: string): V2Job {
  return mergeJob({}, config, sha, project);
}

/**
 * The existing job with every input applied on top (update). Does not modify `existing`.
 * `project` (the job's) completes short names (a connector, a Cloud SQL instance, a Binary
 * Authorization policy). Throws InputError for inputs that contradict the job.
 */
export function mergeJob(existing: V2Job, config: Config, sha: string | undefined, project?: string): V2Job {
  const where: Where = { region: config.region, ...(project ? { project } : {}) };
  const job = structuredClone(existing) as V2Job & Record<string, unknown>;
  for (const field of OUTPUT_ONLY) delete job[field];

  job.labels = { ...(existing.labels ?? {}), ...jobLabels(config, sha) };
  // Which tool last wrote the job (shown by Cloud Run as the deployer's client).
  job.client = ACTION_NAME;
  job.clientVersion = ACTION_VERSION;
  const execution = { ...(job.template ?? {}) };
  if (config.tasks !== undefined) execution.taskCount = config.tasks;
  if (config.parallelism !== undefined) execution.parallelism = config.parallelism;
  const task = { ...(execution.template ?? {}) };
  if (config.serviceAccount) task.serviceAccount = config.serviceAccount;
  if (config.maxRetries !== undefined) task.maxRetries = config.maxRetries;
  if (config.taskTimeout) task.timeout = config.taskTimeout;

  const containers = [...(task.containers ?? [])];
  const main = mergeContainer(containers[0] ?? {}, config);
  containers[0] = main;
  const volumes = mergeVolumes(task.volumes, main, containers.slice(1), config, where);
  if (volumes) {
    task.volumes = volumes.volumes;
    main.volumeMounts = volumes.mounts;
  }
  applyTaskInputs(task, main, config, where);
  task.containers = containers;
  execution.template = task;
  job.template = execution;
  applyBinaryAuthorization(job, config, where);
  return config.jobPatch ? (mergePatch(job, config.jobPatch) as V2Job) : job;
}

/**
 * binary_authorization and breakglass. A breakglass justification is for one deploy: like
 * gcloud, every deploy clears the one a previous deploy left unless the input gives it again.
 */
function applyBinaryAuthorization(job: V2Job, config: Config, where: Where): void {
  const current = { ...(job.binaryAuthorization ?? {}) };
  delete current.breakglassJustification;
  const policy = config.binaryAuthorization;
  if (policy && 'useDefault' in policy) {
    current.useDefault = true;
    delete current.policy;
  } else if (policy) {
    current.policy =
      policy.policy.includes('/') || !where.project
        ? policy.policy
        : `projects/${where.project}/platforms/cloudRun/policies/${policy.policy}`;
    delete current.useDefault;
  }
  if (config.breakglass) current.breakglassJustification = config.breakglass;
  if (Object.keys(current).length) job.binaryAuthorization = current;
  else delete job.binaryAuthorization;
}

function mergeContainer(existing: V2Container, config: Config): V2Container {
  const container: V2Container = { ...existing };
  if (config.image) container.image = config.image;
  if (config.command) container.command = config.command;
  if (config.args) container.args = config.args;
  if (config.cpu || config.memory) {
    const limits = { ...(existing.resources?.limits ?? {}) };
    if (config.cpu) limits.cpu = config.cpu;
    if (config.memory) limits.memory = config.memory;
    container.resources = { ...(existing.resources ?? {}), limits };
  }
  const env = mergeEnv(existing.env, config);
  if (env) container.env = env;
  return container;
}

/** What the job will run as and with: read back from a v2 job (for the plan and the IAM checks). */
export interface JobFacts {
  image?: string;
  serviceAccount?: string;
  secrets: Array<{ name: string; secret: string; version: string }>;
}

export function factsOfV2(job: V2Job): JobFacts {
  const task = job.template?.template;
  const facts: JobFacts = { secrets: [] };
  const image = task?.containers?.[0]?.image;
  if (image) facts.image = image;
  if (task?.serviceAccount) facts.serviceAccount = task.serviceAccount;
  for (const container of task?.containers ?? [])
    for (const e of container.env ?? []) {
      const ref = e.valueSource?.secretKeyRef;
      if (ref?.secret && e.name)
        facts.secrets.push({ name: e.name, secret: ref.secret, version: ref.version ?? 'latest' });
    }
  for (const volume of task?.volumes ?? []) {
    const s = volume.secret;
    if (!s?.secret || !volume.name) continue;
    const versions = s.items?.length ? s.items.map((i) => i.version ?? 'latest') : ['latest'];
    for (const version of new Set(versions))
      facts.secrets.push({ name: volume.name, secret: s.secret, version });
  }
  return facts;
}

/**
 * The v1 object `replace` sends: the job.yaml as written, in the resolved project, with the
 * action's labels added (the file's own labels are kept; input labels win).
 */
export function manifestForReplace(
  manifest: JobManifest,
  project: string,
  config: Config,
  sha: string | undefined,
): Record<string, unknown> {
  const job = structuredClone(manifest.job);
  const metadata = { ...(job.metadata as Record<string, unknown>) };
  const labels = (metadata.labels ?? {}) as Record<string, string>;
  metadata.namespace = project;
  // The location label is how v1 objects say their region (gcloud sets it too); it keeps the
  // request unambiguous when an endpoint override replaces the regional host.
  metadata.labels = { ...labels, ...jobLabels(config, sha), [LOCATION_LABEL]: config.region };
  metadata.annotations = {
    ...((metadata.annotations ?? {}) as Record<string, string>),
    [CLIENT_NAME_ANNOTATION]: ACTION_NAME,
    [CLIENT_VERSION_ANNOTATION]: ACTION_VERSION,
  };
  job.metadata = metadata;
  return job;
}
