// gcloud as a client of the emulator, for the side-by-side numbers: a private config dir,
// every API pointed at `emulator.invalid:PORT` through an HTTP proxy on the emulator's port
// (so the region-prefixed host of Cloud Run v1 needs no DNS), and a token the emulator issued.
// Properties are set as CLOUDSDK_* variables: the same as `gcloud config set`, without the
// extra gcloud processes.
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const OVERRIDDEN = [
  'run',
  'iam',
  'cloudresourcemanager',
  'artifactregistry',
  'secretmanager',
  'serviceusage',
];

/** The installed gcloud's version, or undefined when gcloud is not on PATH. */
export async function gcloudVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)('gcloud', ['version', '--format=json'], {
      timeout: 30_000,
      env: { ...process.env, CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true' },
    });
    const version = (JSON.parse(stdout) as Record<string, unknown>)['Google Cloud SDK'];
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

export async function gcloudConfigDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'bench-gcloud-'));
}

export function gcloudEnv(opts: {
  configDir: string;
  port: number;
  token: string;
  project: string;
}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? opts.configDir,
    CLOUDSDK_CONFIG: opts.configDir,
    CLOUDSDK_AUTH_ACCESS_TOKEN: opts.token,
    CLOUDSDK_CORE_PROJECT: opts.project,
    CLOUDSDK_CORE_DISABLE_PROMPTS: 'true',
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
    CLOUDSDK_PROXY_TYPE: 'http',
    CLOUDSDK_PROXY_ADDRESS: '127.0.0.1',
    CLOUDSDK_PROXY_PORT: String(opts.port),
  };
  for (const api of OVERRIDDEN) {
    env[`CLOUDSDK_API_ENDPOINT_OVERRIDES_${api.toUpperCase()}`] = `http://emulator.invalid:${opts.port}/`;
  }
  return env;
}

/** `gcloud run jobs deploy` with the same job settings the action's inputs carry. */
export function deployArgs(
  job: string,
  opts: { image: string; region: string; serviceAccount: string; envVars: string; secrets: string },
): string[] {
  return [
    'run',
    'jobs',
    'deploy',
    job,
    `--image=${opts.image}`,
    `--region=${opts.region}`,
    `--service-account=${opts.serviceAccount}`,
    `--set-env-vars=${opts.envVars}`,
    `--set-secrets=${opts.secrets}`,
    '--quiet',
  ];
}

export function replaceArgs(file: string, region: string): string[] {
  return ['run', 'jobs', 'replace', file, `--region=${region}`, '--quiet'];
}
