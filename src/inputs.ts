// Every input is read here, once, and validated into one typed Config before any remote call.
// Errors name the input, the expected form and the value received; all problems are reported
// together so a user fixes their workflow in one round trip.
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import * as core from '@actions/core';
import type { Env } from './auth/endpoints.ts';
import type { Config, FailOn, IamMode } from './model.ts';

export type GetInput = (name: string) => string;

/** Bad inputs, all of them; message is one line per problem. */
export class InputError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.name = 'InputError';
    this.problems = problems;
  }
}

// Cloud Run resource names: lowercase letter first, then letters, digits, hyphens; no trailing hyphen.
const JOB_NAME = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const REGION = /^[a-z]+(?:-[a-z]+)+\d+$/;
// Project ids are 6-30 chars; legacy domain-scoped ids look like example.com:my-project.
const PROJECT_ID = /^(?:[a-z0-9.-]+\.[a-z]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;
const WIF_PROVIDER =
  /^projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]+\/providers\/[a-z0-9-]+$/;
const IMAGE =
  /^[a-z0-9]+(?:[.-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;
const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;
const SECRET_VERSION = /^(?:latest|[1-9]\d*)$/;
const CPU = /^(?:\d+(?:\.\d+)?|\d+m)$/;
const MEMORY = /^\d+(?:\.\d+)?(?:Ki|Mi|Gi|Ti|k|M|G|T)$/;
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const UNIVERSE = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/;
/** Cloud Run jobs accept task timeouts up to 168 hours. */
const MAX_TASK_TIMEOUT_S = 168 * 3600;

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
] as const;

/**
 * Split a list input: one entry per line, or comma separated when it is one line. A comma
 * inside a value on a single line can be escaped as `\,`.
 */
export function splitList(raw: string): string[] {
  const text = raw.trim();
  if (!text) return [];
  const parts = text.includes('\n')
    ? text.split('\n')
    : text.split(/(?<!\\),/).map((p) => p.replace(/\\,/g, ','));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function splitPair(entry: string): [string, string] | undefined {
  const at = entry.indexOf('=');
  if (at <= 0) return undefined;
  return [entry.slice(0, at).trim(), entry.slice(at + 1).trim()];
}

/** Duration like 90s, 10m, 1h30m or a bare number of seconds -> "Ns" (Google's Duration JSON form). */
export function toSeconds(raw: string): string | undefined {
  if (/^\d+$/.test(raw)) return `${Number(raw)}s`;
  const m = DURATION.exec(raw);
  if (!m || raw === '') return undefined;
  const [, h = '0', min = '0', s = '0'] = m;
  return `${Number(h) * 3600 + Number(min) * 60 + Number(s)}s`;
}

/** The checkout-style reader: `parseInputs` over the runner's INPUT_* variables. */
export function readInputs(env: Env = process.env): Config {
  return parseInputs((name) => core.getInput(name), env);
}

/**
 * Validate every input. `get` returns the trimmed value ('' when unset); `exists` checks
 * the metadata path (injectable so the core stays testable with any file system).
 */
export function parseInputs(get: GetInput, env: Env, exists: (path: string) => boolean = existsSync): Config {
  const problems: string[] = [];
  const bad = (name: string, expected: string, got: string) =>
    problems.push(`Input "${name}" must be ${expected}, got ${JSON.stringify(got)}`);

  const text = (name: string, re: RegExp, expected: string): string | undefined => {
    const v = get(name);
    if (!v) return undefined;
    if (!re.test(v)) bad(name, expected, v);
    return v;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const v = get(name);
    if (!v) return fallback;
    if (v === 'true') return true;
    if (v === 'false') return false;
    bad(name, 'true or false', v);
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

  const config: Config = {
    region: text('region', REGION, 'a Cloud Run region like us-central1') ?? 'us-central1',
    envVars: parseEnvVars(get('env_vars'), bad),
    secrets: parseSecrets(get('secrets'), bad),
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

  const provider = get('workload_identity_provider').replace(/^\/\/iam\.[^/]+\//, '');
  if (provider) {
    if (WIF_PROVIDER.test(provider)) config.workloadIdentityProvider = provider;
    else
      bad(
        'workload_identity_provider',
        'a provider name like projects/123456789/locations/global/workloadIdentityPools/POOL/providers/PROVIDER',
        provider,
      );
  }
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
  const timeout = get('task_timeout');
  if (timeout) {
    const seconds = toSeconds(timeout);
    if (!seconds || Number.parseInt(seconds, 10) < 1 || Number.parseInt(seconds, 10) > MAX_TASK_TIMEOUT_S)
      bad('task_timeout', 'a duration between 1s and 168h like 600s, 10m or 1h30m', timeout);
    else config.taskTimeout = seconds;
  }
  const token = get('github_token');
  if (token) config.githubToken = token;
  if (config.tasks === 0) bad('tasks', 'at least 1', '0');

  const metadata = get('metadata');
  if (metadata) {
    config.metadata = metadata;
    const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
    const full = isAbsolute(metadata) ? metadata : resolve(workspace, metadata);
    if (!exists(full))
      problems.push(
        `Input "metadata" must be the path of a job.yaml relative to the workspace; ${JSON.stringify(metadata)} does not exist`,
      );
    for (const name of SPEC_INPUTS)
      if (get(name))
        problems.push(
          `Inputs "metadata" and "${name}" conflict: with metadata, the job.yaml sets ${name}; remove "${name}" or set it in the file`,
        );
  } else {
    if (!get('image')) problems.push('Input "image" is required (or set "metadata" to a job.yaml)');
    if (!get('job')) problems.push('Input "job" is required (or set "metadata" to a job.yaml)');
  }
  if (config.parallelism !== undefined && config.tasks !== undefined && config.parallelism > config.tasks)
    problems.push(`Input "parallelism" (${config.parallelism}) must not exceed "tasks" (${config.tasks})`);
  for (const name of Object.keys(config.secrets))
    if (name in config.envVars)
      problems.push(`Inputs "env_vars" and "secrets" both set ${JSON.stringify(name)}; keep one of them`);

  if (problems.length) throw new InputError(problems);
  return config;
}

type Bad = (name: string, expected: string, got: string) => void;

function parseEnvVars(raw: string, bad: Bad): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of splitList(raw)) {
    const pair = splitPair(entry);
    if (!pair || !ENV_NAME.test(pair[0])) {
      bad('env_vars', 'KEY=VALUE entries, one per line or comma separated (KEY: letters, digits, _)', entry);
      continue;
    }
    out[pair[0]] = pair[1];
  }
  return out;
}

/** NAME=secret:version or NAME=projects/P/secrets/S:version (version: a number or latest). */
function parseSecrets(raw: string, bad: Bad): Config['secrets'] {
  const out: Config['secrets'] = {};
  const expected =
    'NAME=SECRET:VERSION or NAME=projects/PROJECT/secrets/SECRET:VERSION entries (VERSION: a number or latest)';
  for (const entry of splitList(raw)) {
    const pair = splitPair(entry);
    const m = pair && /^(?:projects\/([^/]+)\/secrets\/)?([^/:]+):([^:/]+)$/.exec(pair[1]);
    const [, project, secret, version] = m ?? [];
    if (!pair || !ENV_NAME.test(pair[0]) || !secret || !version) {
      bad('secrets', expected, entry);
      continue;
    }
    if (
      !SECRET_ID.test(secret) ||
      !SECRET_VERSION.test(version) ||
      (project && !/^[a-z0-9.:-]+$/.test(project))
    ) {
      bad('secrets', expected, entry);
      continue;
    }
    out[pair[0]] = project ? { project, secret, version } : { secret, version };
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

/** A JSON array of strings, or a comma separated list (`\,` keeps a comma). */
function parseArgList(name: string, raw: string, bad: Bad): string[] | undefined {
  if (!raw) return undefined;
  if (raw.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return parsed;
    bad(name, 'a JSON array of strings like ["python","main.py"] or a comma separated list', raw);
    return undefined;
  }
  return raw.split(/(?<!\\),/).map((p) => p.replace(/\\,/g, ',').trim());
}
