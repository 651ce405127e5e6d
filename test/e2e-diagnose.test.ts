// End to end, one case per failure kind: the bundled action meets the failure (in the deploy
// itself with `iam: off`, or in the preflight with `iam: check`), and the report explains it on
// the line that set the value, in the job summary, in the outputs and in one step failure.
//
// Which mode, and why:
// - `iam: off` for every kind that only the deploy (or the auth before it) can meet, so the
//   diagnosis of the real API error is what is under test: token exchange and impersonation,
//   org policy, the service agent's image and token access, image not found, API disabled,
//   quota, the execution's exit code.
// - `iam: check` as well for the deployer's own permissions (actAs, run.jobs.*, image read):
//   testIamPermissions proves those gaps before anything is deployed, so the preflight must
//   stop the run with a `missing` finding and no Cloud Run write at all.
import { beforeAll, describe, expect, it } from 'vitest';
import { commandLines } from '../src/iam/commands.ts';
import {
  AGENT,
  commands,
  DEPLOYER,
  demo,
  failureOf,
  findingsOf,
  IMAGE,
  IMAGE_BASE,
  JOB_YAML,
  jobYaml,
  lineOf,
  PROVIDER,
  REPO,
  RUNTIME,
  revoke,
  SHARED_RUNTIME,
  sa,
  stepInputs,
  WORKFLOW,
  type World,
  withSharedRuntime,
  workflowEnv,
  workflowFile,
} from './helpers/diagnose-e2e.ts';
import { withEmulator } from './helpers/e2e-emulator.ts';
import { ensureBuilt, type RunActionResult, runAction } from './helpers/run-action.ts';

beforeAll(() => ensureBuilt(), 120_000);

const DEPLOYER_MEMBER = `serviceAccount:${DEPLOYER}`;
const WIF_SET =
  'principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/attribute.repository/acme/payments';

interface Case {
  name: string;
  world?: (w: World) => void;
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  /** Where the annotation must land: the step's `with:` input, or a key of the job.yaml. */
  at:
    | { workflow: string }
    | { yaml: string; manifest?: Parameters<typeof jobYaml>[0] }
    /** Caused by no line of the workflow or job.yaml: the annotation carries no location. */
    | { nowhere: true };
  check: string;
  status?: 'failed' | 'missing';
  /** Fragments the finding's gcloud command must contain (it must also be in the summary). */
  command?: string[];
  /** The one step failure (`::error::`). */
  error: RegExp;
  iamStatus?: string;
  /** Further assertions on the run. */
  more?: (res: RunActionResult, calls: Array<{ method: string; path: string; status: number }>) => void;
}

const noRunWrites = (calls: Array<{ method: string; path: string }>) =>
  expect(
    calls.filter(
      (c) =>
        (c.path.startsWith('/v2/') || c.path.startsWith('/apis/run')) &&
        c.method !== 'GET' &&
        // A read: the preflight tests the job's own permissions before it knows the job is new.
        !c.path.endsWith(':testIamPermissions'),
    ),
  ).toEqual([]);

/** The deployer may read jobs (roles/run.viewer) but not create or update them. */
function onlyRunViewer(w: World): void {
  const binding = w.projects[0]?.policy?.bindings?.find((b) => b.role === 'roles/run.developer');
  if (binding) binding.role = 'roles/run.viewer';
}

const cases: Case[] = [
  {
    name: 'actAs denied (iam: off, job.yaml)',
    world: (w) => revoke(sa(w, RUNTIME).policy, 'roles/iam.serviceAccountUser', DEPLOYER_MEMBER),
    at: { yaml: 'serviceAccountName:' },
    check: 'deployer-actas',
    command: [
      `gcloud iam service-accounts add-iam-policy-binding ${RUNTIME}`,
      `--member=${DEPLOYER_MEMBER}`,
      '--role=roles/iam.serviceAccountUser',
    ],
    error: /iam\.serviceaccounts\.actAs.*denied on service account runtime@demo-app/i,
  },
  {
    name: 'actAs denied (iam: check finds it first)',
    world: (w) => revoke(sa(w, RUNTIME).policy, 'roles/iam.serviceAccountUser', DEPLOYER_MEMBER),
    inputs: { iam: 'check' },
    at: { workflow: 'service_account' },
    check: 'deployer-actas',
    status: 'missing',
    command: [`add-iam-policy-binding ${RUNTIME}`, '--role=roles/iam.serviceAccountUser'],
    error: /IAM preflight found 1 missing requirement/,
    iamStatus: 'missing',
    more: (_res, calls) => noRunWrites(calls),
  },
  {
    name: 'deployer cannot read the image (iam: off, workflow)',
    world: (w) => revoke(w.repositories[0]?.policy, 'roles/artifactregistry.reader', DEPLOYER_MEMBER),
    at: { workflow: 'image' },
    check: 'deployer-image',
    command: [
      'gcloud artifacts repositories add-iam-policy-binding containers',
      '--project=demo-images',
      '--location=us-central1',
      `--member=${DEPLOYER_MEMBER}`,
      '--role=roles/artifactregistry.reader',
    ],
    // Cloud Run's wording names no permission: the classifier still finds the deployer-image gap.
    error: /User must have permission to read the image/,
  },
  {
    name: 'deployer cannot read the image (iam: check finds it first)',
    world: (w) => revoke(w.repositories[0]?.policy, 'roles/artifactregistry.reader', DEPLOYER_MEMBER),
    inputs: { iam: 'check' },
    at: { workflow: 'image' },
    check: 'deployer-image',
    status: 'missing',
    command: ['add-iam-policy-binding containers', '--role=roles/artifactregistry.reader'],
    error: /IAM preflight found 1 missing requirement/,
    iamStatus: 'missing',
    more: (_res, calls) => noRunWrites(calls),
  },
  {
    name: 'service agent cannot read an image in another project (403 downloadArtifacts)',
    world: (w) =>
      revoke(w.repositories[0]?.policy, 'roles/artifactregistry.reader', `serviceAccount:${AGENT}`),
    at: { yaml: '- image:' },
    check: 'agent-image',
    command: [
      'gcloud artifacts repositories add-iam-policy-binding containers',
      '--project=demo-images',
      `--member=serviceAccount:${AGENT}`,
      '--role=roles/artifactregistry.reader',
    ],
    error: /must have permission to read the image/,
  },
  {
    name: 'service agent cannot get tokens for a runtime account of another project',
    world: (w) => withSharedRuntime(w, true),
    at: { yaml: 'serviceAccountName:', manifest: { serviceAccount: SHARED_RUNTIME } },
    check: 'agent-token',
    command: [
      `gcloud iam service-accounts add-iam-policy-binding ${SHARED_RUNTIME}`,
      '--project=demo-shared',
      `--member=serviceAccount:${AGENT}`,
      '--role=roles/iam.serviceAccountTokenCreator',
    ],
    error: /does not have permission to get access tokens/,
  },
  {
    name: 'cross-project service account blocked by the org policy',
    world: (w) => withSharedRuntime(w, false),
    inputs: { service_account: SHARED_RUNTIME },
    at: { workflow: 'service_account' },
    check: 'orgpolicy-xproject',
    command: [
      'gcloud resource-manager org-policies disable-enforce iam.disableCrossProjectServiceAccountUsage',
      '--project=demo-shared',
    ],
    error: /disableCrossProjectServiceAccountUsage/,
  },
  {
    name: 'workload identity attribute condition rejects this repository',
    world: (w) => {
      const p = w.providers[0];
      if (p) p.attributeCondition = "assertion.repository == 'acme/other'";
    },
    at: { workflow: 'workload_identity_provider' },
    check: 'wif-condition',
    command: [
      'gcloud iam workload-identity-pools providers update-oidc github-actions',
      '--workload-identity-pool=github',
      // Extends the condition (read first), never replaces it; the repository also gets to impersonate.
      `--attribute-condition="(\${CURRENT_CONDITION}) || assertion.repository == 'acme/payments'"`,
      '--role=roles/iam.workloadIdentityUser',
    ],
    error: /rejected by the attribute condition/,
    more: (_res, calls) => expect(calls.map((c) => c.path)).toEqual(['/v1/token']),
  },
  {
    name: 'getAccessToken denied on the deployer account (no workloadIdentityUser)',
    world: (w) => {
      sa(w, DEPLOYER).policy = {};
    },
    at: { workflow: 'impersonate_service_account' },
    check: 'wif-user',
    command: [
      `gcloud iam service-accounts add-iam-policy-binding ${DEPLOYER}`,
      `--member=${WIF_SET}`,
      '--role=roles/iam.workloadIdentityUser',
    ],
    error: /impersonate service account deployer@demo-app/,
  },
  {
    name: 'missing id-token: write (no ACTIONS_ID_TOKEN_REQUEST_URL)',
    env: { ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' },
    at: { workflow: 'workload_identity_provider' },
    check: 'id-token',
    error: /ACTIONS_ID_TOKEN_REQUEST_URL/,
    more: (res, calls) => {
      expect(calls).toEqual([]);
      expect(res.summary).toContain('id-token: write');
    },
  },
  {
    name: 'run.jobs.* denied (iam: off)',
    world: onlyRunViewer,
    at: { workflow: 'job' },
    check: 'deployer-run',
    command: [
      'gcloud projects add-iam-policy-binding demo-app',
      `--member=${DEPLOYER_MEMBER}`,
      '--role=roles/run.developer',
    ],
    error: /Permission 'run\.jobs\.create' denied/,
  },
  {
    name: 'deployer holds no role on the project (denied while resolving it)',
    world: (w) => revoke(w.projects[0]?.policy, 'roles/run.developer', DEPLOYER_MEMBER),
    at: { workflow: 'project_id' },
    check: 'deployer-run',
    command: ['gcloud projects add-iam-policy-binding demo-app', '--role=roles/run.developer'],
    error: /look up project demo-app: PERMISSION_DENIED/,
    more: (_res, calls) => noRunWrites(calls),
  },
  {
    name: 'run.jobs.* denied (iam: check finds it first, job.yaml)',
    world: onlyRunViewer,
    inputs: { iam: 'check' },
    at: { yaml: 'name: nightly-report' },
    check: 'deployer-run',
    status: 'missing',
    command: ['add-iam-policy-binding', '--role=roles/run.developer'],
    error: /IAM preflight found \d+ missing requirement/,
    iamStatus: 'missing',
    more: (_res, calls) => noRunWrites(calls),
  },
  {
    name: 'image not found (tag never pushed)',
    at: { yaml: '- image:', manifest: { image: `${IMAGE_BASE}:v9.9.9` } },
    check: 'image-not-found',
    command: ['gcloud artifacts docker images list us-central1-docker.pkg.dev/demo-images/containers'],
    error: /not found/i,
  },
  {
    name: 'Cloud Run Admin API not enabled',
    world: (w) => {
      const p = w.projects[0];
      // Only Cloud Run off: the deployer's and the pool's project is this one, so every API
      // the action calls before Cloud Run must stay on.
      if (p) p.disabledServices = ['run.googleapis.com'];
    },
    at: { workflow: 'project_id' },
    check: 'api-disabled',
    command: ['gcloud services enable run.googleapis.com --project=demo-app'],
    error: /has not been used in project|disabled/,
  },
  {
    name: 'quota exhausted (429 RESOURCE_EXHAUSTED on job writes)',
    world: (w) => {
      w.quotaExhausted = ['run.googleapis.com'];
    },
    // The 429 carries RetryInfo until the per-minute window reopens (up to 60 s), which the action
    // honours on every retry; the test-only time scale shrinks those waits to seconds.
    env: { CLOUD_RUN_JOB_ACTION_TIME_SCALE: '0.02' },
    at: { nowhere: true },
    check: 'quota',
    command: ['--service=run.googleapis.com', '--consumer=projects/demo-app'],
    error: /Quota exceeded/,
  },
  {
    name: 'execution failed with a non-zero exit code',
    world: (w) => {
      w.imageExitCodes = { [IMAGE_BASE]: 3 };
    },
    inputs: { execute: 'true' },
    at: { workflow: 'execute' },
    check: 'execution-failed',
    command: ['gcloud run jobs executions describe', '--region=us-central1', '--project=demo-app'],
    error: /CONDITION_FAILED \(NON_ZERO_EXIT_CODE\).*Logs: https?:\/\//,
    more: (res) => {
      const f = findingsOf(res.outputs).find((x) => x.check === 'execution-failed');
      const logs = /https?:\/\/\S+/.exec(f?.remedy ?? '')?.[0];
      expect(logs).toBeDefined();
      expect(res.summary).toContain(`[logs](${logs?.replace(/\.$/, '')}`);
      expect(res.outputs.execution_status).toBe('failed');
    },
  },
  {
    name: 'runtime account cannot read a secret (job.yaml secret line)',
    world: (w) =>
      revoke(w.secrets[0]?.policy, 'roles/secretmanager.secretAccessor', `serviceAccount:${RUNTIME}`),
    at: { yaml: 'name: db-password' },
    check: 'runtime-secret',
    command: [
      'gcloud secrets add-iam-policy-binding db-password',
      '--project=demo-app',
      `--member=serviceAccount:${RUNTIME}`,
      '--role=roles/secretmanager.secretAccessor --condition=None',
    ],
    error: /secret/i,
  },
  {
    // The v2 deploy: the job's long-running operation fails with Cloud Run's message, which names
    // the role (not the permission) and the runtime account.
    name: 'runtime account cannot read a secret (step secrets input, operation error)',
    world: (w) =>
      revoke(w.secrets[0]?.policy, 'roles/secretmanager.secretAccessor', `serviceAccount:${RUNTIME}`),
    inputs: { secrets: 'DB_PASSWORD=db-password:1' },
    at: { workflow: 'secrets' },
    check: 'runtime-secret',
    command: [
      `gcloud secrets add-iam-policy-binding db-password --project=demo-app --member=serviceAccount:${RUNTIME} --role=roles/secretmanager.secretAccessor --condition=None`,
    ],
    error: /Permission denied on secret/,
    more: (res) => {
      const findings = findingsOf(res.outputs);
      expect(findings.map((f) => f.check)).toEqual(['runtime-secret']);
      expect(findings[0]).toMatchObject({
        principal: `serviceAccount:${RUNTIME}`,
        resource: 'projects/demo-app/secrets/db-password',
        role: 'roles/secretmanager.secretAccessor',
        subject: 'secret:DB_PASSWORD',
      });
    },
  },
  {
    name: 'referenced secret version does not exist (job.yaml secret line)',
    at: { yaml: 'name: db-password', manifest: { secretVersion: '9' } },
    check: 'secret-not-found',
    command: ['gcloud secrets versions list db-password', '--project=demo-app'],
    error: /versions\/9 was not found/,
  },
];

async function runCase(c: Case) {
  const world = demo();
  c.world?.(world);
  return withEmulator(world, async (emu) => {
    const viaYaml = 'yaml' in c.at;
    const inputs = stepInputs({
      ...(viaYaml ? { job: '', image: '', service_account: '', metadata: JOB_YAML } : {}),
      ...c.inputs,
    });
    const manifest = 'yaml' in c.at ? jobYaml(c.at.manifest) : undefined;
    const workflow = workflowFile(inputs);
    const files: Record<string, string> = { [WORKFLOW]: workflow };
    if (manifest) files[JOB_YAML] = manifest;
    const res = await runAction({
      emulator: emu,
      inputs,
      files,
      env: { ...workflowEnv(), ...c.env },
    });
    const expectedLocation =
      'yaml' in c.at
        ? { file: JOB_YAML, line: lineOf(manifest ?? '', c.at.yaml) }
        : 'workflow' in c.at
          ? { file: WORKFLOW, line: lineOf(workflow, `${c.at.workflow}:`) }
          : undefined;
    return { res, expectedLocation, calls: emu.requestLog.filter((r) => !r.path.startsWith('/_github/')) };
  });
}

describe.concurrent('every failure kind, diagnosed and reported through the bundled action', () => {
  it.each(cases)('$name', async (c) => {
    const { res, expectedLocation, calls } = await runCase(c);
    const status = c.status ?? 'failed';
    const context = `stdout:\n${res.stdout}\nstderr:\n${res.stderr}`;

    // Exit code 1, with one step failure that says what went wrong.
    expect(res.code, context).toBe(1);
    // One failure is one annotation: no untitled `::error::` beside it, one closing log line.
    const failure = failureOf(res.stdout);
    expect(failure.untitled, context).toEqual([]);
    expect(failure.closing, context).toHaveLength(1);
    expect(failure.text).toMatch(c.error);

    // The annotation: title naming the check, on the file and line that set the value.
    const annotation = commands(res.stdout, 'error').find((a) =>
      a.properties.title?.startsWith(`${c.check} (${status})`),
    );
    expect(annotation, context).toBeDefined();
    expect(annotation?.properties.file).toBe(expectedLocation?.file);
    expect(annotation?.properties.line).toBe(expectedLocation && String(expectedLocation.line));

    // Outputs: the finding (with its location) and the IAM status.
    const finding = findingsOf(res.outputs).find((f) => f.check === c.check && f.status === status);
    expect(finding, res.outputs.findings).toBeDefined();
    if (expectedLocation) expect(finding?.location).toMatchObject(expectedLocation);
    else expect(finding?.location).toBeUndefined();
    expect(res.outputs.iam_status).toBe(c.iamStatus ?? '');
    for (const part of c.command ?? []) expect(finding?.command).toContain(part);
    // Every binding command must work on a policy that holds conditional bindings.
    if (finding?.command?.includes('add-iam-policy-binding'))
      expect(finding.command).toMatch(/ --condition=None$/);
    expect(annotation?.message).toContain(finding?.command ?? finding?.remedy ?? '');

    // Summary: the checks table row and the remedy's command.
    const row = res.summary
      .split('\n')
      .find((l) => l.startsWith(`| ❌ ${status} |`) && l.endsWith(`| \`${c.check}\` |`));
    expect(row, res.summary).toBeDefined();
    if (finding?.command) expect(res.summary).toContain(`\`\`\`sh\n${commandLines(finding.command)}\n\`\`\``);
    if (expectedLocation)
      expect(res.summary).toContain(`\`${expectedLocation.file}:${expectedLocation.line}\``);

    c.more?.(res, calls);
  });
});

// Guards against a case passing for the wrong reason: the demo world itself deploys cleanly.
it('the unmodified world deploys (every case above is caused by its one change)', async () => {
  await withEmulator(demo(), async (emu) => {
    const inputs = stepInputs({ iam: 'check', execute: 'true' });
    const res = await runAction({
      emulator: emu,
      inputs,
      files: { [WORKFLOW]: workflowFile(inputs) },
      env: workflowEnv(),
    });
    expect(res.code, res.stdout).toBe(0);
    expect(commands(res.stdout, 'error')).toEqual([]);
    expect(res.outputs.execution_status).toBe('succeeded');
    expect(IMAGE).toContain(IMAGE_BASE);
    expect(REPO).toContain('demo-images');
    expect(PROVIDER).toContain('github-actions');
  });
});
