// Every input is read here, once, and validated into one typed Config before any remote call.
// Errors name the input, the expected form and the value received; all problems are reported
// together so a user fixes their workflow in one round trip.
import * as core from '@actions/core';
import type { Env } from './auth/endpoints.ts';
import { FEATURE_SPEC_INPUTS, parseFeatures } from './inputs/features.ts';
import { type Bad, matching, splitList, splitPair, toSeconds } from './inputs/lists.ts';
import { parseArgList, parseTaskTimeout } from './inputs/overrides.ts';
import { providerName, REQUEST_REASON, UNIVERSE, WIF_PROVIDER } from './inputs/patterns.ts';
import { parseSchedule } from './inputs/schedule.ts';
import { parseSecrets } from './inputs/secrets.ts';
import { fsGlob, type Glob, metadataPaths, parseRegions } from './inputs/targets.ts';
import { checkMetadataPath } from './job/metadata-file.ts';
import { InputError } from './job-rules/input-error.ts';
import {
  CPU,
  EMAIL,
  ENV_NAME,
  IMAGE,
  JOB_NAME,
  LABEL_KEY,
  LABEL_VALUE,
  MEMORY,
  NAME_RULES,
  PROJECT_ID,
  quote,
  REGION,
} from './job-rules/names.ts';
import type { Config, FailOn, IamMode } from './model.ts';

export { splitList, toSeconds } from './inputs/lists.ts';
export { InputError } from './job-rules/input-error.ts';
export {
  EMAIL,
  IMAGE,
  JOB_NAME,
  NAME_RULES,
  type NameKind,
  nameProblem,
  PROJECT_ID,
  quote,
  REGION,
} from './job-rules/names.ts';

export type GetInput = (name: string) => string;

/** Environment variables google-github-actions/auth and gcloud use for the default project. */
export const PROJECT_ENV = [
  'CLOUDSDK_CORE_PROJECT',
  'CLOUDSDK_PROJECT',
  'GOOGLE_CLOUD_PROJECT',
  'GCLOUD_PROJECT',
  'GCP_PROJECT',
];

/**
 * Longest value per input. Names and scalars are short by nature (256); lists, JSON and
 * tokens get room; anything else (job features) gets DEFAULT_MAX_LENGTH.
 */
const SHORT = 256;
const MAX_LENGTH: Record<string, number> = {
  workload_identity_provider: 1_024,
  impersonate_service_account: SHORT,
  project_id: SHORT,
  region: SHORT,
  job: SHORT,
  image: 1_024,
  metadata: 1_024,
  service_account: SHORT,
  env_vars: 32_768,
  secrets: 32_768,
  labels: 8_192,
  command: 8_192,
  args: 32_768,
  cpu: SHORT,
  memory: SHORT,
  tasks: SHORT,
  parallelism: SHORT,
  max_retries: SHORT,
  task_timeout: SHORT,
  wait_timeout: SHORT,
  github_token: 4_096,
  request_reason: 1_024,
  universe: SHORT,
  job_patch: 32_768,
  execute_args: 32_768,
  execute_env_vars: 32_768,
};
const DEFAULT_MAX_LENGTH = 8_192;
/** GitHub's job limit is 6 h: the wait ends well before it, with the report. */
const MAX_WAIT_TIMEOUT_S = 5.5 * 3600;
/** The default wait: most batch jobs end well within it, and a hung wait ends hours before GitHub's limit. */
const DEFAULT_WAIT_TIMEOUT_S = 3600;

/** Inputs that describe the job itself; with `metadata`, the job.yaml is the only source of those. */
const SPEC_INPUTS = [
  'image',
  'service_account',
  'env_vars',
  'secrets',
  'command',
  'args',
  'cpu',
  'memory',
  'tasks',
  'parallelism',
  'max_retries',
  'task_timeout',
  ...FEATURE_SPEC_INPUTS,
] as const;

/** The checkout-style reader: `parseInputs` over the runner's INPUT_* variables. */
export function readInputs(env: Env = process.env): Config {
  return parseInputs((name) => core.getInput(name), env);
}

/**
 * Validate every input. `get` returns the trimmed value ('' when unset); `exists` checks
 * the metadata path (injectable so the core stays testable with any file system).
 */
export function parseInputs(
  getRaw: GetInput,
  env: Env,
  exists?: (path: string) => boolean,
  glob: Glob = fsGlob,
): Config {
  const problems: string[] = [];
  const tooLong = new Set<string>();
  // Every input is bounded before it is parsed: a 5,000-character image is refused, not deployed.
  const get = (name: string): string => {
    const v = getRaw(name);
    const max = MAX_LENGTH[name] ?? DEFAULT_MAX_LENGTH;
    if (v.length <= max) return v;
    if (!tooLong.has(name))
      problems.push(`Input "${name}" must be at most ${max} characters, got ${v.length}`);
    tooLong.add(name);
    return '';
  };
  const bad = (name: string, expected: string, got: string) =>
    problems.push(`Input "${name}" must be ${expected}, got ${quote(got)}`);

  const text = (name: string, re: RegExp, expected: string): string | undefined => {
    const v = get(name);
    if (!v) return undefined;
    if (!re.test(v)) bad(name, expected, v);
    return v;
  };
  // What core.getBooleanInput accepts (the YAML 1.2 core schema's booleans), nothing else.
  const bool = (name: string, fallback: boolean): boolean => {
    const v = get(name);
    if (!v) return fallback;
    if (['true', 'True', 'TRUE'].includes(v)) return true;
    if (['false', 'False', 'FALSE'].includes(v)) return false;
    bad(name, 'true or false (True, TRUE, False and FALSE also work)', v);
    return fallback;
  };
  const count = (name: string): number | undefined => {
    const v = get(name);
    if (!v) return undefined;
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
      bad(name, 'a non-negative whole number like 3', v);
      return undefined;
    }
    return Number(v);
  };
  const oneOf = <T extends string>(name: string, values: readonly T[], fallback: T): T => {
    const v = get(name);
    if (!v) return fallback;
    if ((values as readonly string[]).includes(v)) return v as T;
    bad(name, `one of ${values.join(', ')}`, v);
    return fallback;
  };

  const regions = parseRegions(get('region'), REGION, bad);
  const config: Config = {
    region: regions[0] ?? 'us-central1',
    envVars: parseEnvVars(get('env_vars'), bad),
    secrets: {},
    labels: parseLabels(get('labels'), bad),
    skipDefaultLabels: bool('skip_default_labels', false),
    execute: bool('execute', false),
    wait: bool('wait', true),
    iam: oneOf<IamMode>('iam', ['off', 'check', 'fix'], 'check'),
    dryRun: bool('dry_run', false),
    allowPrivilegedRuntimeAccount: bool('allow_privileged_runtime_account', false),
    failOn: oneOf<FailOn>('fail_on', ['missing', 'unverified', 'never'], 'missing'),
    prComment: bool('pr_comment', true),
    universe: text('universe', UNIVERSE, 'a universe domain like googleapis.com') ?? 'googleapis.com',
  };

  if (regions.length > 1) config.regions = regions;
  if (bool('show_env_values', false)) config.showEnvValues = true;

  const provider = matching(
    providerName(get('workload_identity_provider')),
    WIF_PROVIDER,
    bad,
    'workload_identity_provider',
    'a provider name like projects/123456789/locations/global/workloadIdentityPools/POOL/providers/PROVIDER',
  );
  if (provider) config.workloadIdentityProvider = provider;
  const set = <K extends keyof Config>(key: K, value: Config[K] | undefined) => {
    if (value !== undefined) config[key] = value;
  };
  set('impersonateServiceAccount', text('impersonate_service_account', EMAIL, 'a service account email'));
  set('projectId', text('project_id', PROJECT_ID, 'a project id like my-project-123'));
  set(
    'job',
    text(
      'job',
      JOB_NAME,
      'a job name: a lowercase letter, then lowercase letters, digits or hyphens, at most 63, not ending in a hyphen',
    ),
  );
  set('image', text('image', IMAGE, 'an image URL like us-docker.pkg.dev/PROJECT/REPO/IMAGE:TAG'));
  set(
    'serviceAccount',
    text('service_account', EMAIL, 'a service account email like runner@PROJECT.iam.gserviceaccount.com'),
  );
  set('command', parseArgList('command', get('command'), bad));
  set('args', parseArgList('args', get('args'), bad));
  set('cpu', text('cpu', CPU, 'a CPU quantity like 1, 2 or 1000m'));
  set('memory', text('memory', MEMORY, 'a quantity like 512Mi or 2Gi'));
  set('tasks', count('tasks'));
  set('parallelism', count('parallelism'));
  set('maxRetries', count('max_retries'));
  const waitTimeout = get('wait_timeout');
  if (waitTimeout) {
    const s = Number.parseInt(toSeconds(waitTimeout) ?? '', 10);
    if (!(s >= 10 && s <= MAX_WAIT_TIMEOUT_S))
      bad('wait_timeout', 'a duration between 10s and 5h30m like 45m or 2h', waitTimeout);
    else config.waitTimeoutMs = s * 1000;
  } else config.waitTimeoutMs = DEFAULT_WAIT_TIMEOUT_S * 1000;
  set('taskTimeout', parseTaskTimeout('task_timeout', get('task_timeout'), bad));
  const problem = (message: string) => problems.push(message);
  const typeChange = splitList(get('allow_env_type_change'));
  for (const name of typeChange)
    if (!ENV_NAME.test(name))
      bad('allow_env_type_change', 'environment variable names, comma separated', name);
  if (typeChange.length) config.allowEnvTypeChange = typeChange;
  const { secrets, secretFiles } = parseSecrets(get('secrets'), bad, problem);
  config.secrets = secrets;
  if (Object.keys(secretFiles).length) config.secretFiles = secretFiles;
  const { features, overrides } = parseFeatures(get, config.region, bad, problem);
  Object.assign(config, features);
  if (overrides) config.overrides = overrides;
  set('schedule', parseSchedule(get, bad, problem));
  for (const mount of config.volumeMounts ?? [])
    for (const path of Object.keys(secretFiles))
      if (path.slice(0, path.lastIndexOf('/')) === mount.mountPath)
        problems.push(
          `Inputs "volume_mounts" and "secrets" both mount something at ${mount.mountPath}; use another directory for one of them`,
        );
  const token = get('github_token');
  // A token goes into a request header: no spaces or line breaks. Never echoed (it is a secret).
  if (token && !/^[\x21-\x7e]+$/.test(token))
    problems.push('Input "github_token" must be a token (printable characters, no spaces or line breaks)');
  else if (token) config.githubToken = token;
  set(
    'requestReason',
    text('request_reason', REQUEST_REASON, 'printable ASCII on one line, at most 512 characters'),
  );
  if (config.tasks === 0) bad('tasks', 'at least 1', '0');

  const metadata = get('metadata');
  if (metadata) {
    const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
    const files = metadataPaths(metadata, workspace, glob, problem);
    config.metadata = files[0] ?? metadata;
    if (files.length > 1) config.metadataFiles = files;
    for (const file of files) {
      if (exists) {
        // Injected file system (unit tests): only existence is known.
        const full = file.startsWith('/') ? file : `${workspace.replace(/\/$/, '')}/${file}`;
        if (!exists(full))
          problems.push(
            `Input "metadata" must be the path of a job.yaml relative to the workspace; ${JSON.stringify(file)} does not exist`,
          );
      } else {
        const checked = checkMetadataPath(file, workspace);
        if ('problem' in checked) problems.push(checked.problem);
      }
    }
    for (const name of SPEC_INPUTS)
      if (get(name))
        problems.push(
          `Inputs "metadata" and "${name}" conflict: with metadata, the job.yaml sets ${name}; remove "${name}" or set it in the file`,
        );
  } else {
    if (!get('image')) problems.push('Input "image" is required (or set "metadata" to a job.yaml)');
    if (!get('job')) problems.push('Input "job" is required (or set "metadata" to a job.yaml)');
    // Reported here with the others, not on the next try (with metadata, the file may name it).
    if (!get('project_id') && !PROJECT_ENV.some((k) => env[k]))
      problems.push(
        'Input "project_id" is required: set it, or run google-github-actions/auth (which exports the project) first',
      );
  }
  if (config.parallelism !== undefined && config.tasks !== undefined && config.parallelism > config.tasks)
    problems.push(`Input "parallelism" (${config.parallelism}) must not exceed "tasks" (${config.tasks})`);
  for (const name of Object.keys(config.secrets))
    if (name in config.envVars)
      problems.push(`Inputs "env_vars" and "secrets" both set ${JSON.stringify(name)}; keep one of them`);

  if (problems.length) throw new InputError(problems);
  return config;
}

function parseEnvVars(raw: string, bad: Bad): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of splitList(raw)) {
    const pair = splitPair(entry);
    if (!pair) {
      bad('env_vars', 'KEY=VALUE entries, one per line or comma separated (KEY: letters, digits, _)', entry);
      continue;
    }
    if (!ENV_NAME.test(pair[0])) {
      bad('env_vars', `KEY=VALUE entries, KEY ${NAME_RULES.envName.expected}`, entry);
      continue;
    }
    out[pair[0]] = pair[1];
  }
  return out;
}

function parseLabels(raw: string, bad: Bad): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of splitList(raw)) {
    const pair = splitPair(entry);
    if (!pair || !LABEL_KEY.test(pair[0]) || !LABEL_VALUE.test(pair[1])) {
      bad(
        'labels',
        'key=value entries (key: a lowercase letter then lowercase letters, digits, _ or -; value: the same characters, at most 63)',
        entry,
      );
      continue;
    }
    out[pair[0]] = pair[1];
  }
  return out;
}
