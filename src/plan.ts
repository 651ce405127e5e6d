// Resolves what will be deployed and who is involved: the project and its number, the job's
// runtime service account (explicit, kept from the existing job, or the default compute
// account), the image's repository, the referenced secrets and the Cloud Run service agent.
// `resolveLocal` runs before any remote call; `buildPlan` is pure; `resolvePlan` does the reads.
import { isAbsolute, resolve } from 'node:path';
import type { Env } from './auth/endpoints.ts';
import type { ApiContext } from './gcp/clients.ts';
import { isStatus } from './gcp/errors.ts';
import type { V2Job } from './gcp/run.ts';
import type { V1Job } from './gcp/run-v1.ts';
import { InputError, PROJECT_ENV } from './inputs.ts';
import { parseImage } from './job/image.ts';
import { type JobManifest, parseManifest } from './job/metadata.ts';
import { MetadataFileError, readMetadataFile } from './job/metadata-file.ts';
import { type JobResources, resourcesOfManifest, resourcesOfV2 } from './job/resources.ts';
import { factsOfV2, type JobFacts, mergeJob } from './job/spec.ts';
import { validateManifest, validateV2Job } from './job/validate.ts';
import type { Config, DeployPlan, SecretRef } from './model.ts';
import { triggerPlan } from './schedule/plan.ts';

export interface LocalPlan {
  project: string;
  job: string;
  manifest?: JobManifest;
}

/** Everything knowable without a remote call: the job.yaml, the project, the job name. */
export function resolveLocal(config: Config, env: Env, readText?: (path: string) => string): LocalPlan {
  let manifest: JobManifest | undefined;
  if (config.metadata) {
    const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
    let text: string;
    if (readText) {
      text = readText(isAbsolute(config.metadata) ? config.metadata : resolve(workspace, config.metadata));
    } else {
      try {
        text = readMetadataFile(config.metadata, workspace).text;
      } catch (e) {
        if (e instanceof MetadataFileError) throw new InputError([e.message]);
        throw e;
      }
    }
    manifest = parseManifest(text, config.metadata);
    // The job.yaml is the whole job: all of its rules are judged now, before any request.
    validateManifest(manifest, config.metadata, config.region);
    if (config.job && config.job !== manifest.name)
      throw new InputError([
        `Inputs "job" and "metadata" conflict: job is ${JSON.stringify(config.job)} but ${config.metadata} names ${JSON.stringify(manifest.name)}`,
      ]);
  }
  const job = config.job ?? manifest?.name;
  if (!job) throw new InputError(['Input "job" is required (or set "metadata" to a job.yaml)']);
  const namespace = manifest?.namespace;
  const project = config.projectId ?? namespace ?? PROJECT_ENV.map((k) => env[k]).find((v) => v);
  if (!project)
    throw new InputError([
      'Input "project_id" is required: set it, or set metadata.namespace in the job.yaml, or run google-github-actions/auth (which exports the project) first',
    ]);
  if (config.projectId && namespace && namespace !== config.projectId && !/^\d+$/.test(namespace))
    throw new InputError([
      `Inputs "project_id" and "metadata" conflict: project_id is ${JSON.stringify(config.projectId)} but ${config.metadata} has namespace ${JSON.stringify(namespace)}`,
    ]);
  const local: LocalPlan = { project, job };
  if (manifest) local.manifest = manifest;
  // What the inputs alone decide is judged now; what depends on the existing job, once it is read.
  else validateV2Job(jobForRules(config, project), config, undefined, job);
  return local;
}

/** The project a service account belongs to, from its email; the job's project when the email does not say. */
export function serviceAccountProject(email: string, jobProject: string, jobProjectNumber: string): string {
  const [, domain = ''] = email.split('@');
  const userManaged = /^([^.]+)\.iam\.gserviceaccount\.com$/.exec(domain);
  if (userManaged?.[1]) return userManaged[1];
  const appEngine = /^(.+)@appspot\.gserviceaccount\.com$/.exec(email);
  if (appEngine?.[1]) return appEngine[1];
  const compute = /^(\d+)-compute@developer\.gserviceaccount\.com$/.exec(email);
  if (compute?.[1] && compute[1] !== jobProjectNumber) return compute[1];
  // The job's own default compute account, or a domain that names no project.
  return jobProject;
}

export interface PlanInput {
  config: Config;
  local: LocalPlan;
  projectNumber: string;
  /** What the job will run as and with (from the merged v2 job, or the job.yaml). */
  facts: JobFacts;
  deployer?: string;
  /** Whether the job exists now; absent when that is unknown. */
  jobExists?: boolean;
  /** What the deployed spec connects to (src/job/resources.ts). */
  resources?: JobResources;
}

/** Pure: the plan from resolved facts. */
export function buildPlan({
  config,
  local,
  projectNumber,
  facts,
  deployer,
  jobExists,
  resources,
}: PlanInput): DeployPlan {
  const { project, job } = local;
  const explicit = facts.serviceAccount;
  const serviceAccount = explicit ?? `${projectNumber}-compute@developer.gserviceaccount.com`;
  const secrets: SecretRef[] = facts.secrets.map((s) => {
    const full = /^projects\/([^/]+)\/secrets\/([^/]+)$/.exec(s.secret);
    return { name: s.name, project: full?.[1] ?? project, secret: full?.[2] ?? s.secret, version: s.version };
  });
  const plan: DeployPlan = {
    project,
    projectNumber,
    region: config.region,
    job,
    jobName: `projects/${project}/locations/${config.region}/jobs/${job}`,
    image: parseImage(facts.image ?? ''),
    serviceAccount,
    serviceAccountProject: serviceAccountProject(serviceAccount, project, projectNumber),
    serviceAccountIsDefault: serviceAccount === `${projectNumber}-compute@developer.gserviceaccount.com`,
    serviceAgent: `service-${projectNumber}@serverless-robot-prod.iam.gserviceaccount.com`,
    secrets,
    execute: config.execute,
  };
  if (deployer) plan.deployer = deployer;
  if (jobExists !== undefined) plan.jobExists = jobExists;
  if (resources) plan.resources = resources;
  if (config.execute && config.overrides) plan.runWithOverrides = true;
  if (config.schedule) plan.trigger = triggerPlan(config.schedule, plan);
  return plan;
}

/**
 * The job the inputs alone describe, for the provisional plan. An input that only makes sense
 * on top of the existing job (vpc_egress or network_tags alone, a mount of the job's own
 * volume, gpu_type for a GPU job) is left out: the real plan, built on the job as read,
 * decides whether it fits.
 */
function provisionalJob(config: Config, sha: string | undefined, project: string, base: V2Job = {}): V2Job {
  try {
    return mergeJob(base, config, sha, project);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const {
      vpcEgress: _egress,
      networkTags: _tags,
      volumeMounts: _mounts,
      gpu: _gpu,
      gpuType: _type,
      gpuZonalRedundancy: _redundancy,
      ...alone
    } = config;
    return mergeJob(base, alone, sha, project);
  }
}

/**
 * The job the inputs describe, for judging their values before the read: a mount of a volume
 * the inputs do not define names one of the job's own, stood in for by an empty volume so the
 * mount (its path) is judged now rather than after the read.
 */
function jobForRules(config: Config, project: string): V2Job {
  const own = (config.volumeMounts ?? []).filter((m) => !config.volumes?.some((v) => v.name === m.name));
  const base: V2Job = own.length
    ? { template: { template: { volumes: own.map((m) => ({ name: m.name, emptyDir: {} })) } } }
    : {};
  return provisionalJob(config, undefined, project, base);
}

/** Facts of a job.yaml, in the same shape as those of a v2 job. */
export function factsOfManifest(manifest: JobManifest): JobFacts {
  const facts: JobFacts = {
    secrets: manifest.secrets.map((s) => ({
      name: s.name,
      secret: s.project ? `projects/${s.project}/secrets/${s.secret}` : s.secret,
      version: s.version,
    })),
  };
  if (manifest.image) facts.image = manifest.image;
  if (manifest.serviceAccountName) facts.serviceAccount = manifest.serviceAccountName;
  return facts;
}

/** Stands for the project number in a provisional plan, which is built before it is read. */
export const UNKNOWN_NUMBER = 'PROJECT_NUMBER_NOT_YET_READ';

/**
 * Pure: the plan as far as the inputs (or the job.yaml) alone tell it, assuming the job is new
 * and its existence unknown. The preflight starts its reads from it while the real plan's
 * reads are in flight; names containing UNKNOWN_NUMBER are not known yet.
 */
export function provisionalPlan(
  config: Config,
  local: LocalPlan,
  sha: string | undefined,
  deployer?: string,
): DeployPlan {
  const merged = local.manifest ? undefined : provisionalJob(config, sha, local.project);
  const facts = merged ? factsOfV2(merged) : factsOfManifest(local.manifest as JobManifest);
  return buildPlan({
    config,
    local,
    projectNumber: UNKNOWN_NUMBER,
    facts,
    resources: resourcesOf(local, merged, config.region),
    ...(deployer ? { deployer } : {}),
  });
}

/** What the spec to deploy connects to: the merged v2 job, or the job.yaml as written. */
function resourcesOf(local: LocalPlan, merged: V2Job | undefined, region: string): JobResources {
  return merged
    ? resourcesOfV2(merged, local.project, region)
    : resourcesOfManifest((local.manifest as JobManifest).job, local.project, region);
}

export interface Resolved {
  plan: DeployPlan;
  /** The job as it exists now (v2), undefined when it does not exist or could not be read. */
  existing?: V2Job;
  /** False when reading the existing job was refused: the plan assumed inputs and defaults. */
  existingKnown: boolean;
  /** A job.yaml's job as it exists now, read in v1 (the shape replace writes), to compare. */
  existingV1?: V1Job;
  /** The v2 job a deploy from inputs sends (the existing job with every input applied). */
  merged?: V2Job;
}

/**
 * Reads the project number and the existing job in parallel, so the plan reflects what the
 * job will really hold after the merge (e.g. the service account an update keeps; a job.yaml
 * replaces everything, so there only its existence counts). A refused job read is not fatal
 * here: the IAM preflight reports it.
 */
export async function resolvePlan(
  ctx: ApiContext,
  config: Config,
  local: LocalPlan,
  sha: string | undefined,
  deployer?: string,
): Promise<Resolved> {
  const jobName = `projects/${local.project}/locations/${config.region}/jobs/${local.job}`;
  // The API clients load with the first remote read, not with resolveLocal before authentication.
  const [{ projectNumber }, { getJob }, { getJobV1 }] = await Promise.all([
    import('./gcp/projects.ts'),
    import('./gcp/run.ts'),
    import('./gcp/run-v1.ts'),
  ]);
  // Read for a job.yaml too: whether it exists decides the permissions the deploy needs. A
  // job.yaml's job is read in v1, the shape its replace writes, so the two compare.
  const read: Promise<V2Job | V1Job | undefined> = local.manifest
    ? getJobV1(ctx, config.region, local.project, local.job)
    : getJob(ctx, jobName);
  const existingRead = read.then(
    (job) => ({ job, known: true }),
    (e: unknown) => {
      if (isStatus(e, 'PERMISSION_DENIED')) return { job: undefined, known: false };
      throw e;
    },
  );
  const [number, existing] = await Promise.all([projectNumber(ctx, local.project), existingRead]);
  const existingV2 = local.manifest ? undefined : (existing.job as V2Job | undefined);
  const merged = local.manifest ? undefined : mergeJob(existingV2 ?? {}, config, sha, local.project);
  // The final job, every rule, before the first write (and before the plan's IAM rows read it).
  if (merged) validateV2Job(merged, config, existingV2 ?? {}, local.job);
  const facts = merged ? factsOfV2(merged) : factsOfManifest(local.manifest as JobManifest);
  const resources = resourcesOf(local, merged, config.region);
  const input: PlanInput = { config, local, projectNumber: number, facts, resources };
  if (deployer) input.deployer = deployer;
  if (existing.known) input.jobExists = existing.job !== undefined;
  const resolved: Resolved = { plan: buildPlan(input), existingKnown: existing.known };
  if (existingV2) resolved.existing = existingV2;
  if (local.manifest && existing.job) resolved.existingV1 = existing.job as V1Job;
  if (merged) resolved.merged = merged;
  return resolved;
}
