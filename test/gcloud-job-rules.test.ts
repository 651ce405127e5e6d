// Where gcloud checks a value on the client, the action refuses the same value: each case runs
// Google's gcloud CLI against the emulator and the bundled action against the emulator, and
// both refuse, neither writing. The rules (command_lib/run in gcloud's source):
//   job name            flags.ValidateResource (lowercase, digits, hyphens, at most 63)
//   secret file path    flags._ValidatedMountPoint (/dir/file, no empty, '.' or '..' segment)
//   Cloud SQL name      config_changes.CloudSQLChanges (1 or 3 ':'-separated parts)
//   literal <-> secret  config_changes.EnvVarLiteralChanges ("already been set with a different type")
//   task count          flags.AddTasksFlag (BoundedInt, at least 1)
//   max retries         flags.AddMaxRetriesFlag (BoundedInt, at least 0)
//   task timeout        flags.AddTaskTimeoutFlags (Duration, at least 1s)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP, DEPLOYER, IMAGE, REGION, RUNNER, runWorld } from './emulator/run-world.ts';
import { type Emulator, startEmulator } from './emulator/server.ts';
import { IMAGE as DEMO_IMAGE, demo, RUNTIME, stepInputs } from './helpers/diagnose-e2e.ts';
import { GCLOUD_PATH, runGcloud } from './helpers/gcloud.ts';
import { ensureBuilt, runAction } from './helpers/run-action.ts';

const GCLOUD = GCLOUD_PATH;
if (!GCLOUD)
  console.log('gcloud-job-rules.test.ts: SKIPPED - the gcloud CLI is not installed on this machine.');

/** A job that exists in both worlds, its DB_PASSWORD read from a secret. */
const secretJob = (image: string, sa: string) => ({
  template: {
    template: {
      serviceAccount: sa,
      containers: [
        {
          image,
          env: [
            { name: 'DB_PASSWORD', valueSource: { secretKeyRef: { secret: 'db-password', version: '1' } } },
          ],
        },
      ],
    },
  },
});

interface Case {
  name: string;
  /** gcloud's arguments after `run jobs`. */
  gcloud: string[];
  /** gcloud's own reason. */
  says: RegExp;
  /** The action's inputs over a valid step. */
  action: Record<string, string>;
}

const CASES: Case[] = [
  {
    name: 'a job name with an upper-case letter',
    gcloud: ['create', 'Bad-Job', `--image=${IMAGE}`],
    says: /Invalid resource name \[Bad-Job\]/,
    action: { job: 'Bad-Job' },
  },
  {
    name: 'a secret file path with ..',
    gcloud: ['create', 'secret-path', `--image=${IMAGE}`, '--set-secrets=/secrets/../passwd=db-password:1'],
    says: /Mount path \[\/secrets\/\.\.\/passwd\] must be in the form/,
    action: { secrets: '/secrets/../passwd=db-password:1' },
  },
  {
    name: 'a Cloud SQL name of two parts',
    gcloud: ['create', 'sql-name', `--image=${IMAGE}`, '--set-cloudsql-instances=us-central1:orders'],
    says: /Malformed CloudSQL instance string/,
    action: { cloudsql_instances: 'us-central1:orders' },
  },
  {
    name: 'a secret-backed variable set to a literal',
    gcloud: ['update', 'with-secret', '--update-env-vars=DB_PASSWORD=x'],
    says: /Cannot update environment variable \[DB_PASSWORD\] to string literal/,
    action: { job: 'with-secret', env_vars: 'DB_PASSWORD=x' },
  },
  {
    name: 'zero tasks',
    gcloud: ['create', 'no-tasks', `--image=${IMAGE}`, '--tasks=0'],
    says: /argument --tasks: Value must be greater than or equal to 1/,
    action: { tasks: '0' },
  },
  {
    name: 'negative retries',
    gcloud: ['create', 'retries', `--image=${IMAGE}`, '--max-retries=-1'],
    says: /argument --max-retries: Value must be greater than or equal to 0/,
    action: { max_retries: '-1' },
  },
  {
    name: 'a zero task timeout',
    gcloud: ['create', 'timeout', `--image=${IMAGE}`, '--task-timeout=0s'],
    says: /argument --task-timeout: value must be greater than or equal to 1s/i,
    action: { task_timeout: '0s' },
  },
];

const writes = (e: Emulator) =>
  e.requestLog.filter(
    (r) => r.method !== 'GET' && /\/jobs|apis\/run\.googleapis\.com|:setIamPolicy/.test(r.path),
  );

describe.skipIf(!GCLOUD)('gcloud and the action refuse the same values', () => {
  let gEmu: Emulator;
  let aEmu: Emulator;
  let configDir: string;
  let env: NodeJS.ProcessEnv;

  const gcloud = (args: string[]): Promise<{ code: number; stderr: string }> =>
    runGcloud(GCLOUD as string, [...args, '--quiet'], env, 90_000);

  beforeAll(async () => {
    ensureBuilt();
    gEmu = await startEmulator({
      scenario: {
        ...runWorld(),
        jobs: { [`projects/${APP.id}/locations/${REGION}/jobs/with-secret`]: secretJob(IMAGE, RUNNER) },
      },
    });
    const world = demo();
    (world as Record<string, unknown>).jobs = {
      'projects/demo-app/locations/us-central1/jobs/with-secret': secretJob(DEMO_IMAGE, RUNTIME),
    };
    aEmu = await startEmulator({ scenario: world });
    configDir = mkdtempSync(join(tmpdir(), 'gcloud-rules-'));
    const endpoint = `http://emulator.invalid:${gEmu.port}/`;
    env = {
      PATH: process.env.PATH,
      HOME: configDir,
      CLOUDSDK_CONFIG: configDir,
      CLOUDSDK_AUTH_ACCESS_TOKEN: gEmu.issueToken(`serviceAccount:${DEPLOYER}`),
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
      CLOUDSDK_CORE_PROJECT: APP.id,
      CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
      CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
      CLOUDSDK_CORE_SHOULD_PROMPT_TO_ENABLE_API: 'false',
      CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN: endpoint,
      CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER: endpoint,
      CLOUDSDK_PROXY_TYPE: 'http',
      CLOUDSDK_PROXY_ADDRESS: '127.0.0.1',
      CLOUDSDK_PROXY_PORT: String(gEmu.port),
    };
  }, 120_000);
  afterAll(async () => {
    await gEmu?.stop();
    await aEmu?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it.each(CASES.map((c) => [c.name, c] as const))(
    '%s',
    async (_, c) => {
      const g = await gcloud(['run', 'jobs', ...c.gcloud, `--region=${REGION}`]);
      expect(g.code, `gcloud accepted it:\n${g.stderr}`).not.toBe(0);
      // gcloud refused on the client: the error is its own, not an HTTP error from the emulator.
      expect(g.stderr).toMatch(c.says);
      expect(writes(gEmu)).toEqual([]);

      const a = await runAction({ emulator: aEmu, inputs: stepInputs(c.action) });
      const findings = JSON.parse(a.outputs.findings ?? '[]') as Array<{ check: string }>;
      expect(a.code, a.stdout.slice(-2000)).toBe(1);
      expect(findings.map((f) => f.check)).toEqual(['invalid-input']);
      expect(writes(aEmu)).toEqual([]);
    },
    120_000,
  );
});
