// The environment the GitHub runner gives a node24 action step: INPUT_* variables, the
// output and summary files, the OIDC token request endpoint, plus the endpoint overrides
// that point every Google API at the emulator.
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_ID_TOKEN_REQUEST_TOKEN } from '../test/emulator/apis/github.ts';
import { REPOSITORY } from './worlds.ts';

export const GOOGLE_APIS = [
  'sts',
  'iamcredentials',
  'iam',
  'run',
  'cloudresourcemanager',
  'artifactregistry',
  'secretmanager',
  'orgpolicy',
] as const;

/** Path (with its query) of the emulator's GitHub OIDC token endpoint; @actions/core appends `&audience=`. */
export const OIDC_PATH = '/_github/oidc/token?api-version=2.0';

export interface RunnerFiles {
  dir: string;
  output: string;
  summary: string;
}

/** A fresh runner temp dir with empty GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files and a push event. */
export async function runnerFiles(): Promise<RunnerFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-runner-'));
  const output = join(dir, 'github_output');
  const summary = join(dir, 'step_summary');
  await Promise.all([
    writeFile(output, ''),
    writeFile(summary, ''),
    writeFile(
      join(dir, 'event.json'),
      JSON.stringify({ ref: 'refs/heads/main', repository: { full_name: REPOSITORY } }),
    ),
  ]);
  return { dir, output, summary };
}

/** action.yml input defaults, as the runner fills them in (expressions left out: only a runner evaluates those). */
export function actionDefaults(actionYml: string): Record<string, string> {
  const action = parse(actionYml) as { inputs?: Record<string, { default?: unknown }> };
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs ?? {})) {
    if (spec.default === undefined) continue;
    const value = String(spec.default);
    if (!value.includes('${{')) out[name] = value;
  }
  return out;
}

const DEFAULTS = actionDefaults(readFileSync(new URL('../action.yml', import.meta.url), 'utf8'));

/** INPUT_<NAME> as the runner names it: upper case, spaces to underscores. */
export function inputEnv(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => [`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, v]),
  );
}

export function runnerEnv(
  emulatorUrl: string,
  files: RunnerFiles,
  inputs: Record<string, string>,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: files.dir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: REPOSITORY,
    GITHUB_SHA: '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: join(files.dir, 'event.json'),
    GITHUB_WORKSPACE: files.dir,
    GITHUB_SERVER_URL: `${emulatorUrl}/_github`,
    GITHUB_API_URL: `${emulatorUrl}/_github/api`,
    GITHUB_RUN_ID: '1000000001',
    GITHUB_RUN_ATTEMPT: '1',
    RUNNER_TEMP: files.dir,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    ACTIONS_ID_TOKEN_REQUEST_URL: `${emulatorUrl}${OIDC_PATH}`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: DEFAULT_ID_TOKEN_REQUEST_TOKEN,
    ...inputEnv({ ...DEFAULTS, ...inputs }),
  };
  for (const api of GOOGLE_APIS) env[`GHA_ENDPOINT_OVERRIDE_${api}`] = `${emulatorUrl}/`;
  return env;
}
