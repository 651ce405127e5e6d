// The bounds of issue 9, one by one, through the bundled action against the emulator's fault
// mode: a wait that reaches wait_timeout leaves the execution running and says where it is; a
// silent GitHub OIDC endpoint ends the step with a named cause; GitHub's 429 is retried, never
// called a Cloud Run quota; a setIamPolicy whose answer was lost after it applied is re-read and
// reported granted; a reset on the v1 create is a broken connection, not a missing permission.
// Timeouts are scaled down with the test-only CLOUD_RUN_JOB_ACTION_TIME_SCALE.
import { beforeAll, describe, expect, it } from 'vitest';
import { FaultInjector, type FaultRule } from './emulator/faults.ts';
import { type StartOptions, startEmulator } from './emulator/server.ts';
import {
  changesOf,
  loadScenarios,
  policyChanges,
  type ScenarioFile,
  scenarioInputs,
  snapshotPolicies,
  withRunner,
} from './helpers/iam-world.ts';
import { ensureBuilt, type RunActionResult, runAction } from './helpers/run-action.ts';
import { ROUTES } from './helpers/soak.ts';

const SCALE = '0.05';
const library = loadScenarios('test/scenarios/iam');
const world01 = library.find((s) => s.file.startsWith('01-')) as ScenarioFile;
const world02 = library.find((s) => s.file.startsWith('02-')) as ScenarioFile;

beforeAll(() => ensureBuilt(), 120_000);

const V1_JOB = [
  'apiVersion: run.googleapis.com/v1',
  'kind: Job',
  'metadata: {name: worker, namespace: app-proj}',
  'spec: {template: {spec: {template: {spec: {serviceAccountName: runtime@app-proj.iam.gserviceaccount.com, containers: [{image: "us-central1-docker.pkg.dev/app-proj/containers/worker:v1"}]}}}}}',
].join('\n');

type FindingJson = { check: string; status: string; evidence: string };

async function runWith(
  s: ScenarioFile,
  rules: FaultRule[],
  over: Record<string, string>,
  files: Record<string, string> = {},
  knobs: Record<string, unknown> = {},
) {
  const options: StartOptions = {
    scenario: { ...withRunner(s.world, s.expect), ...knobs },
    propagationDelayMs: 0,
  };
  const emu = await startEmulator(options);
  const faults = new FaultInjector(rules);
  options.faults = faults;
  try {
    const before = snapshotPolicies(emu.world);
    const res = await runAction({
      emulator: emu,
      files,
      inputs: scenarioInputs(s, over),
      env: { CLOUD_RUN_JOB_ACTION_TIME_SCALE: SCALE },
    });
    return { res, emu, faults, changes: policyChanges(before, snapshotPolicies(emu.world)) };
  } finally {
    await emu.stop();
  }
}

const findings = (res: RunActionResult) => JSON.parse(res.outputs.findings ?? '[]') as FindingJson[];
const failure = (res: RunActionResult) => findings(res).find((f) => f.status === 'failed');

describe.concurrent('bounds under faults', () => {
  it('wait_timeout: the step fails saying what it waited for and leaves the execution running, with its link', async () => {
    const { res } = await runWith(world01, [{ kind: 'lro-stuck', ...ROUTES.run, methods: ['POST'] }], {
      iam: 'off',
      execute: 'true',
      wait_timeout: '60s',
    });
    expect(res.code, res.stdout).toBe(1);
    expect(failure(res)?.check).toBe('wait-timeout');
    expect(res.outputs.execution_status).toBe('running');
    expect(res.outputs.execution).toMatch(/\/executions\//);
    // 60 s scaled by 0.05.
    expect(res.stdout).toContain(
      `Stopped waiting for execution ${res.outputs.execution} after 3 s (wait_timeout)`,
    );
    expect(res.stdout).toMatch(/keeps running; follow it at https:\/\//);
  });

  it('a GitHub OIDC endpoint that never answers ends the step, named, with nothing deployed', async () => {
    const { res, emu } = await runWith(
      world01,
      [{ kind: 'silence', ...ROUTES.oidc, methods: ['GET'], times: 100 }],
      {
        iam: 'off',
      },
    );
    expect(res.code, res.stdout).toBe(1);
    expect(failure(res)?.check).toBe('github-unavailable');
    expect(res.stdout).toMatch(/get a GitHub OIDC token/);
    expect(emu.requestLog.filter((r) => !r.path.startsWith('/_github/'))).toEqual([]);
  });

  it('GitHub OIDC 429 and 503 are retried (Retry-After honoured) and the deploy succeeds', async () => {
    const { res, faults } = await runWith(
      world01,
      [
        // The entry point's prefetch is the first request (one try, no retry); then the bounded fetch.
        { kind: 'internal', ...ROUTES.oidc, methods: ['GET'] },
        { kind: 'throttle-retry-after', ...ROUTES.oidc, methods: ['GET'], retryAfterS: 2, skip: 1 },
        { kind: 'unavailable', ...ROUTES.oidc, methods: ['GET'], skip: 2 },
      ],
      { iam: 'off' },
    );
    expect(faults.events.map((e) => e.kind)).toEqual(['internal', 'throttle-retry-after', 'unavailable']);
    expect(res.code, res.stdout).toBe(0);
    expect(res.stdout).toContain("(the server's Retry-After asked for 100 ms)");
  });

  it('a GitHub 429 that outlasts the retries is GitHub throttling, not a Cloud Run quota', async () => {
    const { res } = await runWith(
      world01,
      [{ kind: 'throttle', ...ROUTES.oidc, methods: ['GET'], times: 100 }],
      {
        iam: 'off',
      },
    );
    expect(res.code).toBe(1);
    expect(failure(res)?.check).toBe('github-unavailable');
    expect(findings(res).map((f) => f.check)).not.toContain('quota');
  });

  it('a setIamPolicy answer lost after the write applied: re-read, reported granted, written once', async () => {
    const { res, emu, changes } = await runWith(
      world02,
      [{ kind: 'reset-after', ...ROUTES.setPolicy, methods: ['POST'] }],
      { iam: 'fix' },
    );
    expect(res.code, res.stdout).toBe(0);
    const granted = JSON.parse(res.outputs.granted ?? '[]');
    expect(granted).toHaveLength(1);
    expect(changes).toEqual(changesOf(granted));
    expect(findings(res).find((f) => f.check === 'deployer-actas')?.status).toBe('granted');
    const applied = emu.requestLog.filter(
      (r) => r.path.endsWith(':setIamPolicy') && r.handled && r.status < 300,
    );
    expect(applied).toHaveLength(1);
  });

  it('a job write Cloud Run never finishes in time is its own finding, never "check the runner\'s network"', async () => {
    // The reconcile (and the write's operation) ends 5 minutes later; the action waits for a job
    // write 10 minutes scaled by 0.05, i.e. 30 s.
    const { res, emu } = await runWith(world01, [], { iam: 'off' }, {}, { operationDelayMs: 300_000 });
    expect(res.code, res.stdout).toBe(1);
    const f = failure(res) as FindingJson & { title: string; remedy: string; command: string };
    expect(f.check).toBe('operation-unfinished');
    expect(f.title).toMatch(/^Cloud Run accepted the write of job \S+ but did not finish it in time$/);
    expect(f.evidence).toMatch(/run\.googleapis\.com had not finished operation \S+ after 30 s/);
    expect(f.remedy).toContain('may still be reconciling');
    expect(f.command).toMatch(/^gcloud run jobs describe \S+ --region=\S+ --project=\S+$/);
    expect(res.stdout).not.toMatch(/runner's network|No answer from/);
    // The write was accepted: the job is there, still reconciling.
    const job = Object.values(emu.world.jobs).find((j) => (j as { reconciling?: boolean }).reconciling);
    expect(job).toBeDefined();
  }, 120_000);

  it('a job.yaml write whose job is not Ready in time: the same finding, nothing about the network', async () => {
    const { res } = await runWith(
      world01,
      [],
      { iam: 'off', job: '', image: '', service_account: '', secrets: '', metadata: 'job.yaml' },
      { 'job.yaml': V1_JOB },
      { operationDelayMs: 300_000 },
    );
    expect(res.code, res.stdout).toBe(1);
    const f = failure(res) as FindingJson & { remedy: string };
    expect(f.check).toBe('operation-unfinished');
    expect(f.evidence).toMatch(/was not Ready after 30 s/);
    expect(res.stdout).not.toMatch(/runner's network|No answer from/);
  }, 120_000);

  it('a reset on the v1 create is a broken connection, never "may not manage Cloud Run jobs"', async () => {
    const { res } = await runWith(
      world01,
      [{ kind: 'reset-before', ...ROUTES.v1Write, methods: ['POST'] }],
      { iam: 'off', job: '', image: '', service_account: '', secrets: '', metadata: 'job.yaml' },
      { 'job.yaml': V1_JOB },
    );
    expect(res.code, res.stdout).toBe(1);
    expect(failure(res)?.check).toBe('connection-broken');
    expect(res.stdout).not.toMatch(/roles\/run\.developer/);
  });
});
