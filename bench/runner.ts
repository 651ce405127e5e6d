// The environment the GitHub runner gives a node24 action step: INPUT_* variables, the
// output and summary files, the OIDC token request endpoint, plus the endpoint overrides
// that point every Google API at the emulator.
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ID_TOKEN_REQUEST_TOKEN } from '../test/emulator/apis/github.ts';
import { actionDefaults, GOOGLE_APIS, inputEnv, OIDC_PATH } from '../test/helpers/runner-env.ts';
import { REPOSITORY } from './worlds.ts';

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

const DEFAULTS = actionDefaults(readFileSync(new URL('../action.yml', import.meta.url), 'utf8'));

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
