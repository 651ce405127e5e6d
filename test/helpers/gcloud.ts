// Google's own gcloud CLI against an emulator started for the test file: a private config
// folder, a token the emulator issued, the emulator as gcloud's HTTP proxy and endpoint
// overrides on an unresolvable host, so gcloud speaks to nothing else.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type Emulator, type StartOptions, startEmulator } from '../emulator/server.ts';

export const hasGcloud = spawnSync('gcloud', ['--version'], { stdio: 'ignore' }).status === 0;

export interface GcloudRun {
  code: number;
  stdout: string;
  stderr: string;
}

function which(): string | undefined {
  try {
    return execFileSync('which', ['gcloud'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Where the gcloud CLI is installed (for tests that run it with their own environment). */
export const GCLOUD_PATH = which();

/** Runs `command` (gcloud) with `env`: its exit code (1 when it died without one) and output. */
export function runGcloud(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<GcloudRun> {
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Start the emulator with `scenario`; `gcloud(args)` runs the CLI with `--format=json`.
 * `overrides` maps gcloud's API names (CLOUDSDK_API_ENDPOINT_OVERRIDES_<API>) to the path
 * below the emulator's host each one is served at ('' for the root).
 */
export function useGcloudEmulator(
  scenario: StartOptions['scenario'],
  overrides: Record<string, string>,
  timeoutMs: number,
  options: Omit<StartOptions, 'scenario'> = {},
): { emu: () => Emulator; gcloud: (args: string[], token?: string) => Promise<GcloudRun> } {
  let emu: Emulator | undefined;
  let config: string | undefined;
  beforeAll(async () => {
    emu = await startEmulator({ ...options, scenario });
    config = mkdtempSync(join(tmpdir(), 'gcloud-emu-'));
  });
  afterAll(async () => {
    await emu?.stop();
    if (config) rmSync(config, { recursive: true, force: true });
  });
  const started = (): Emulator => {
    if (!emu) throw new Error('the emulator is not started yet (use it inside a test or a hook)');
    return emu;
  };
  const gcloud = (args: string[], token = 'admin-token'): Promise<GcloudRun> => {
    const port = started().port;
    const host = `http://emulator.invalid:${port}/`;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: config,
      CLOUDSDK_CONFIG: config,
      CLOUDSDK_AUTH_ACCESS_TOKEN: token,
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
      CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: '1',
      CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: '1',
      CLOUDSDK_PROXY_TYPE: 'http',
      CLOUDSDK_PROXY_ADDRESS: '127.0.0.1',
      CLOUDSDK_PROXY_PORT: String(port),
    };
    for (const [api, path] of Object.entries(overrides))
      env[`CLOUDSDK_API_ENDPOINT_OVERRIDES_${api}`] = `${host}${path}`;
    return runGcloud('gcloud', [...args, '--format=json'], env, timeoutMs);
  };
  return { emu: started, gcloud };
}
