// The data types that flow between the action's stages: the resolved deploy plan and the
// finding, the one record every check, fix, diagnosis and report speaks in.

/** What a job reaches besides its image, secrets and service account (src/job/resources.ts reads it from the spec). */
export interface CloudSqlInstance {
  /** PROJECT:REGION:INSTANCE, as Cloud Run takes it. */
  connectionName: string;
  project: string;
  region: string;
  instance: string;
}

export interface BucketVolume {
  /** The volume's name in the job. */
  volume: string;
  bucket: string;
  readOnly: boolean;
}

export interface Subnet {
  /** projects/P/regions/R/subnetworks/S */
  name: string;
  project: string;
  region: string;
  subnetwork: string;
  /** projects/P/global/networks/N, when the spec names it. */
  network?: string;
}

export interface Connector {
  /** projects/P/locations/L/connectors/C */
  name: string;
  project: string;
}

export interface JobResources {
  cloudSql: CloudSqlInstance[];
  buckets: BucketVolume[];
  subnets: Subnet[];
  connector?: Connector;
  /** projects/P/locations/L/keyRings/R/cryptoKeys/K */
  kmsKey?: string;
  /**
   * VPC egress in run.allowedVPCEgress's words (all-traffic, private-ranges-only) when the job
   * sends traffic to a VPC; absent when it has no VPC (v2 VpcAccess.egress defaults to
   * PRIVATE_RANGES_ONLY once a connector or network is set).
   */
  vpcEgress?: string;
  /** Binary Authorization: `default` or a policy's full name; absent when the job sets none. */
  binaryAuthorization?: string;
}

/** Where in a file a value was set, so a finding can be annotated on that line. */
export interface SourceLocation {
  /** Path relative to the workspace root, as GitHub annotations expect. */
  file: string;
  line: number;
  column?: number;
}

/**
 * Which user-facing setting a finding is about. The report layer maps a subject to a
 * job.yaml line (metadata input) or to the workflow step's `with:` line.
 * `secret:NAME` names the env var (or volume) that references the secret.
 */
export type Subject =
  | 'service_account'
  | 'image'
  | 'job'
  | 'region'
  | 'project_id'
  | 'workload_identity_provider'
  | 'impersonate_service_account'
  | 'execute'
  | 'cloudsql_instances'
  | 'network'
  | 'vpc_connector'
  | 'volumes'
  | 'kms_key'
  | 'schedule'
  | 'schedule_service_account'
  // Job settings a refusal can name (a field violation, an org constraint, a quota, a timeout).
  | 'task_timeout'
  | 'memory'
  | 'cpu'
  | 'tasks'
  | 'parallelism'
  | 'max_retries'
  | 'env_vars'
  | 'labels'
  | 'command'
  | 'args'
  | 'vpc_egress'
  | 'binary_authorization'
  | 'gpu'
  | 'secrets'
  | 'subnet'
  | 'network_tags'
  | 'volume_mounts'
  | 'metadata'
  | 'job_patch'
  | 'execute_args'
  | 'execute_env_vars'
  | 'execute_tasks'
  | 'execute_task_timeout'
  | 'wait_timeout'
  | `secret:${string}`
  /** Any other input of the step, by its action.yml name (a refused value's input). */
  | `input:${string}`;

/** Requirement model ids (DESIGN.md) plus the failure kinds diagnosis adds. */
export type CheckId =
  | 'deployer-actas'
  | 'deployer-run'
  | 'deployer-image'
  | 'agent-image'
  | 'agent-token'
  | 'orgpolicy-xproject'
  | 'runtime-secret'
  | 'runtime-sa'
  | 'agent-role'
  | 'wif-user'
  | (string & {});

/**
 * satisfied / missing / unverified are the three outcomes of a check; `granted` is a
 * missing check that mode `fix` closed; `failed` is a diagnosed runtime failure;
 * `warning` is advice that is neither (e.g. the default compute service account).
 */
export type FindingStatus = 'satisfied' | 'missing' | 'unverified' | 'granted' | 'failed' | 'warning';

export interface Grant {
  /** Full resource name whose IAM policy gets the binding, e.g. projects/p/serviceAccounts/sa@p.iam.gserviceaccount.com */
  resource: string;
  /** Which API owns the policy. */
  kind:
    | 'serviceAccount'
    | 'repository'
    | 'secret'
    | 'job'
    | 'project'
    | 'subnetwork'
    | 'bucket'
    | 'cryptoKey';
  role: string;
  /** IAM member form: serviceAccount:x, user:x, principalSet://... */
  member: string;
}

export interface Finding {
  check: CheckId;
  status: FindingStatus;
  /** One line a human reads first, e.g. "Deployer cannot act as the job's service account". */
  title: string;
  /** IAM member form of who needs the permission, when there is one. */
  principal?: string;
  permission?: string;
  /** Role that grants it at the narrowest scope. */
  role?: string;
  /** Full resource name the permission is needed on. */
  resource?: string;
  /** What was observed: policy facts, the API's status and message, the reason it is unverified. */
  evidence: string;
  /** What to do, in words. */
  remedy?: string;
  /** The exact command an administrator can run (gcloud). */
  command?: string;
  /** The grant mode `fix` would make (or made) to close it. */
  grant?: Grant;
  /** dry_run: the policy diff the grant would make (unified-style text), when it could be computed. */
  plannedChange?: string;
  /**
   * Whether the deployer may set the IAM policy `grant` changes (its *.setIamPolicy tested on
   * that resource): true, `iam: fix` closes the gap; false, an administrator must. Absent when
   * the test could not answer.
   */
  deployerMayGrant?: boolean;
  subject?: Subject;
  location?: SourceLocation;
}

/** Where an image lives, resolved from its URL. */
export interface ImageRef {
  url: string;
  /** Artifact Registry (LOC-docker.pkg.dev) or Container Registry host (gcr.io, us.gcr.io, ...) */
  registry: 'artifact-registry' | 'gcr' | 'other';
  project?: string;
  location?: string;
  repository?: string;
  /** projects/P/locations/L/repositories/R when known. */
  repositoryName?: string;
  /** Path of the image inside the repository, without tag or digest. */
  path?: string;
  tag?: string;
  digest?: string;
}

export interface SecretRef {
  /** The env var (or volume name) that uses it. */
  name: string;
  project: string;
  secret: string;
  version: string;
}

/** Everything the IAM checks and the deploy need, resolved once. */
export interface DeployPlan {
  project: string;
  projectNumber: string;
  region: string;
  job: string;
  /** projects/P/locations/R/jobs/J */
  jobName: string;
  image: ImageRef;
  serviceAccount: string;
  serviceAccountProject: string;
  serviceAccountIsDefault: boolean;
  /** service-NUMBER@serverless-robot-prod.iam.gserviceaccount.com */
  serviceAgent: string;
  secrets: SecretRef[];
  /** Email of the identity the action calls Google as, when known. */
  deployer?: string;
  execute: boolean;
  /**
   * Whether the job exists already (read while resolving): decides whether deploying needs
   * run.jobs.create or run.jobs.update. Absent when it could not be read.
   */
  jobExists?: boolean;
  /** What the job connects to (Cloud SQL, buckets, VPC, CMEK key), from the spec it deploys. */
  resources?: JobResources;
  /** The execution is started with RunJobRequest.overrides (needs run.jobs.runWithOverrides). */
  runWithOverrides?: boolean;
  /** The Cloud Scheduler trigger managed for this job (src/schedule/plan.ts). */
  trigger?: TriggerPlan;
}

export type IamMode = 'off' | 'check' | 'fix';
export type FailOn = 'missing' | 'unverified' | 'never';
export type IamStatus = 'ok' | 'missing' | 'fixed' | 'unverified';
export type ExecutionStatus = 'succeeded' | 'failed' | 'cancelled' | 'running';

/** A job or execution condition as Cloud Run reports it: v2 `state`, v1 `status`. */
export interface JobCondition {
  type?: string;
  /** v2: CONDITION_SUCCEEDED, CONDITION_FAILED, CONDITION_PENDING, CONDITION_RECONCILING */
  state?: string;
  /** v1: "True", "False", "Unknown" */
  status?: string;
  reason?: string;
  message?: string;
  executionReason?: string;
}

/**
 * Per-execution overrides sent on the :run call, shaped exactly like the v2 RunJobRequest
 * `overrides` JSON (GoogleCloudRunV2Overrides / GoogleCloudRunV2ContainerOverride in gcloud's
 * run v2 messages), so it can be sent as is. Present only when an execute_* override input is set.
 */
export interface RunOverrides {
  containerOverrides?: Array<{
    /** Container to override; absent: the job's first (only) container. */
    name?: string;
    /** Replaces the container's args for this execution. */
    args?: string[];
    /** Merged over the container's env for this execution. */
    env?: Array<{ name: string; value: string }>;
    /** Clear the container's args (an override with no args). */
    clearArgs?: boolean;
  }>;
  /** Replaces the job's task count for this execution. */
  taskCount?: number;
  /** Replaces the task timeout for this execution, Duration JSON like "600s". */
  timeout?: string;
}

/** How an update treats what the job already holds: keep what the input does not name, or not. */
export type UpdateStrategy = 'merge' | 'overwrite';

/** A secret reference as the inputs name it (`secret:version` or `projects/P/secrets/S:version`). */
export interface SecretInput {
  project?: string;
  secret: string;
  version: string;
}

/**
 * A volume from the `volumes` input (gcloud's --add-volume syntax), already in the v2 Volume
 * shape: exactly one of gcs, nfs or emptyDir is set.
 */
export interface VolumeInput {
  name: string;
  gcs?: { bucket: string; readOnly?: boolean; mountOptions?: string[] };
  nfs?: { server: string; path: string; readOnly?: boolean };
  emptyDir?: { medium: 'MEMORY'; sizeLimit?: string };
}

/** The job features beyond the basics (issue 11); every field absent means "not named". */
export interface JobFeatures {
  envVarsUpdateStrategy?: UpdateStrategy;
  secretsUpdateStrategy?: UpdateStrategy;
  /** Secrets mounted as files: absolute file path -> secret (from `secrets` keys starting with /). */
  secretFiles?: Record<string, SecretInput>;
  /** PROJECT:REGION:INSTANCE, or INSTANCE (the job's project and region). */
  cloudSqlInstances?: string[];
  /** Direct VPC egress: network and/or subnet (name or full resource name), and tags. */
  network?: string;
  subnet?: string;
  networkTags?: string[];
  /** Serverless VPC Access connector (name or projects/P/locations/L/connectors/C). */
  vpcConnector?: string;
  vpcEgress?: 'ALL_TRAFFIC' | 'PRIVATE_RANGES_ONLY';
  volumes?: VolumeInput[];
  volumeMounts?: Array<{ name: string; mountPath: string }>;
  /** projects/P/locations/L/keyRings/R/cryptoKeys/K */
  kmsKey?: string;
  /** `default` (the project's policy) or a policy's full name. */
  binaryAuthorization?: { useDefault: true } | { policy: string };
  breakglass?: string;
  /** GPUs per task (container limit nvidia.com/gpu). */
  gpu?: number;
  /** nodeSelector.accelerator, e.g. nvidia-l4 */
  gpuType?: string;
  gpuZonalRedundancy?: boolean;
  executionEnvironment?: 'EXECUTION_ENVIRONMENT_GEN1' | 'EXECUTION_ENVIRONMENT_GEN2';
  /** A v2 Job fragment (validated against the v2 schema), merged last as a JSON Merge Patch. */
  jobPatch?: Record<string, unknown>;
}

/** Every input, validated once (src/inputs.ts builds it; nothing else reads inputs). */
export interface Config extends JobFeatures {
  workloadIdentityProvider?: string;
  impersonateServiceAccount?: string;
  projectId?: string;
  region: string;
  job?: string;
  image?: string;
  /** Path of the job.yaml, relative to the workspace, as the user wrote it. */
  metadata?: string;
  /** Every region when `region` lists more than one (`region` is the first); see inputs/targets.ts. */
  regions?: string[];
  /** Every job.yaml when `metadata` lists or globs more than one (`metadata` is the first). */
  metadataFiles?: string[];
  serviceAccount?: string;
  envVars: Record<string, string>;
  /** env var name -> secret reference */
  secrets: Record<string, { project?: string; secret: string; version: string }>;
  labels: Record<string, string>;
  skipDefaultLabels: boolean;
  command?: string[];
  args?: string[];
  cpu?: string;
  memory?: string;
  tasks?: number;
  parallelism?: number;
  maxRetries?: number;
  /** e.g. "600s", normalised to seconds */
  taskTimeout?: string;
  execute: boolean;
  /** RunJobRequest.overrides for the execution (execute_* inputs); absent: a plain run. */
  overrides?: RunOverrides;
  wait: boolean;
  /** With execute and wait: how long to wait for the execution, in ms (wait_timeout). */
  waitTimeoutMs?: number;
  iam: IamMode;
  dryRun: boolean;
  /** fix may grant actAs on a runtime account holding roles/owner or roles/editor (opt-in). */
  allowPrivilegedRuntimeAccount: boolean;
  failOn: FailOn;
  prComment: boolean;
  githubToken?: string;
  universe: string;
  /** Sent as X-Goog-Request-Reason on every Google call (Cloud Audit Logs record it). */
  requestReason?: string;
  /** The job plan shows plain env var values (show_env_values); absent: names only. */
  showEnvValues?: boolean;
  /** The Cloud Scheduler trigger the schedule_* inputs ask for (src/inputs/schedule.ts). */
  schedule?: ScheduleInput;
  /** Env vars allowed to change between a literal value and a secret (allow_env_type_change). */
  allowEnvTypeChange?: string[];
}

/** Why a finished execution failed, as far as its tasks and logs could be read (src/job/execution-details.ts). */
export interface ExecutionDetails {
  /** The tasks that failed: index, exit code of the last attempt, its message, retries. */
  failedTasks: Array<{ index: number; exitCode?: number; message?: string; retried?: number }>;
  /** The last log lines of the first failed task's last attempt (0-based), oldest first. */
  log?: { task: number; attempt?: number; lines: string[] };
  /** Why the log is not shown: the permission (and role) that would show it, or the read's error. */
  logUnavailable?: { reason: string; permission?: string; role?: string };
  /** Why the tasks could not be listed. */
  tasksUnavailable?: string;
}

/** What a run produced, handed to the report layer whatever happened. */
export interface RunResult {
  config?: Config;
  plan?: DeployPlan;
  findings: Finding[];
  granted: Grant[];
  iamStatus?: IamStatus;
  job?: {
    name: string;
    consoleUrl: string;
    action: 'created' | 'updated' | 'replaced' | 'unchanged' | 'planned';
  };
  /** What the deploy changes (or would, in a dry run) in the job, setting by setting (src/job/diff.ts). */
  jobPlan?: JobPlan;
  execution?: { name: string; status: ExecutionStatus; logUri?: string; details?: ExecutionDetails };
  /** The diagnosed failure that ended the run, if any (also in findings). */
  failure?: Finding;
  /** The stage the run stopped in, when it stopped on a failure (a preflight stop is `iam`). */
  failedAt?: RunStage;
  /** The Cloud Scheduler trigger, when the schedule input is set. */
  schedule?: ScheduleResult;
  /** When the step started and the job was deployed and executed (ISO 8601), and the step's length. */
  timings?: { started?: string; deployed?: string; executed?: string; durationMs?: number };
  /** What the IAM preflight could not read, each verdict standing as the readable side shows it. */
  caveats?: string[];
}

/** The stages of a run, in order (main.ts). */
export type RunStage = 'inputs' | 'auth' | 'resolve' | 'iam' | 'deploy' | 'execute';

// The job plan (src/job/diff.ts computes it): what a deploy changes in the job, setting by setting.
export type PlanAction = 'create' | 'update' | 'replace';

export interface JobChange {
  /** The setting in a reviewer's words: image, env, memory, label, vpc connector... */
  setting: string;
  /** Which one, for settings that are maps or lists: the env var, the label key, the mount path. */
  key?: string;
  change: 'added' | 'removed' | 'changed';
  before?: string;
  after?: string;
  /** A plain env var value left out (show_env_values is off). */
  hidden?: true;
}

export interface JobPlan {
  action: PlanAction;
  /** For a create, every setting of the new job (as added); else what the write changes. */
  changes: JobChange[];
  /**
   * The job is not ready (its last write failed to reconcile, or is still reconciling): it is
   * written again even with no change, so Cloud Run tries again (e.g. once the image is pushed).
   */
  notReady?: true;
}

// The schedule (issue 21): what the schedule_* inputs ask for, the trigger the plan resolves
// from them, and what the step did with it (src/schedule/).
/**
 * Cloud Scheduler RetryConfig fields the inputs set (gcloud's --max-retry-attempts,
 * --max-retry-duration, --min-backoff, --max-backoff, --max-doublings); an absent field is
 * left as the trigger holds it (Google's default on a new trigger).
 */
export interface ScheduleRetry {
  retryCount?: number;
  maxRetryDuration?: string;
  minBackoffDuration?: string;
  maxBackoffDuration?: string;
  maxDoublings?: number;
}

/** The `schedule` input and its companions, validated. */
export type ScheduleInput =
  | {
      kind: 'set';
      /** unix-cron, five fields, whitespace normalised. */
      cron: string;
      /** tz database name (schedule_time_zone), default Etc/UTC as gcloud's --time-zone. */
      timeZone: string;
      /** schedule_service_account; absent: the job's own service account (see src/schedule/plan.ts). */
      serviceAccount?: string;
      paused: boolean;
      retry: ScheduleRetry;
      /** Duration JSON like "180s" (schedule_attempt_deadline). */
      attemptDeadline?: string;
      /** RunJobRequest.overrides the scheduled runs send (schedule_args, schedule_env_vars, ...). */
      overrides?: RunOverrides;
    }
  | { kind: 'remove' };

/** The trigger the plan manages for one Cloud Run job and region. */
export interface TriggerPlan {
  /** projects/P/locations/L/jobs/ID (the Cloud Scheduler job). */
  name: string;
  /** The Cloud Run job it runs, projects/P/locations/L/jobs/J. */
  target: string;
  project: string;
  location: string;
  /** Absent when the trigger is being removed. */
  serviceAccount?: string;
  serviceAccountProject?: string;
  /** The account is the job's own (schedule_service_account unset). */
  serviceAccountIsJobs?: boolean;
  /** service-NUMBER@gcp-sa-cloudscheduler.iam.gserviceaccount.com */
  serviceAgent: string;
  remove: boolean;
  /** schedule_paused: the trigger is kept paused. */
  paused: boolean;
  withOverrides: boolean;
}

export type TriggerAction = 'created' | 'updated' | 'unchanged' | 'deleted' | 'absent' | 'planned';

/** What the step did with the trigger, for the report and the outputs. */
export interface ScheduleResult {
  name: string;
  action: TriggerAction;
  /** What a dry run would do (create, update: fields, delete), or what changed. */
  change?: string;
  cron?: string;
  timeZone?: string;
  /** The schedule in words. */
  words?: string;
  /** The next runs, ISO 8601 UTC. */
  nextRuns?: string[];
  paused?: boolean;
  serviceAccount?: string;
  consoleUrl: string;
}
