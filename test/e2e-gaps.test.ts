// End-to-end cases the scenario library and the diagnosis/PR suites leave open, each through
// the bundled action against its own emulator: a pull-request comment that cannot be written
// (fork, read-only token), fail_on beyond its default, execute without run.jobs.run, and a
// deploy that races IAM propagation right after fix granted what it needed.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from './emulator/server.ts';
import {
  commands,
  DEPLOYER,
  demo,
  findingsOf,
  lineOf,
  pullRequestEvent,
  RUNTIME,
  revoke,
  sa,
  stepInputs,
  WORKFLOW,
  type World,
  workflowEnv,
  workflowFile,
} from './helpers/diagnose-e2e.ts';
import { runScenario, withEmulator } from './helpers/e2e-emulator.ts';
import { loadScenarios, type ScenarioFile, withRunner } from './helpers/iam-world.ts';
import { ensureBuilt, type RunActionResult, runAction } from './helpers/run-action.ts';

beforeAll(() => ensureBuilt(), 120_000);

const library = loadScenarios('test/scenarios/iam');
function world(prefix: string): ScenarioFile {
  const s = library.find((x) => x.file.startsWith(prefix));
  if (!s) throw new Error(`no world ${prefix}* in test/scenarios/iam`);
  return s;
}

/** Writes to Cloud Run jobs (create, update, replace, run): what "deployed" means on the wire. */
const jobWrites = (emu: Emulator) =>
  emu.requestLog
    .filter(
      (r) =>
        r.method !== 'GET' &&
        /\/jobs(\/|\?|$)/.test(r.path) &&
        !r.path.startsWith('/_github/') &&
        // A read: the preflight tests the job's own permissions before it knows the job is new.
        !r.path.endsWith(':testIamPermissions'),
    )
    .map((r) => `${r.method} ${r.path}`);

const why = (res: RunActionResult) => `${res.stdout.slice(-6000)}\n${res.stderr.slice(-2000)}`;

describe.concurrent('pull-request comment that cannot be written', () => {
  const TOKEN = 'ghs_demo_write_token';
  const READ_TOKEN = 'ghs_demo_read_token';
  const PREVIOUS = {
    id: 900,
    body: '<!-- cloud-run-job-iam -->\nearlier report',
    user: 'github-actions[bot]',
  };

  /** The demo world on PR #7 with one earlier sticky comment; `fork` as the PR is. */
  function prWorld(fork: boolean): World {
    const w = demo();
    w.github.pullRequests = [{ number: 7, fork }];
    w.github.tokens = { [TOKEN]: 'write', [READ_TOKEN]: 'read' };
    w.github.comments = { 7: [PREVIOUS] };
    return w;
  }

  async function run(w: World, token: string, headRepo: string) {
    return withEmulator(w, async (emu) => {
      const inputs = stepInputs({ iam: 'check', github_token: token });
      const res = await runAction({
        emulator: emu,
        inputs,
        files: { [WORKFLOW]: workflowFile(inputs) },
        env: workflowEnv(),
        event: pullRequestEvent(headRepo),
      });
      const githubWrites = emu.requestLog
        .filter((r) => r.path.startsWith('/_github/api/') && r.method !== 'GET')
        .map((r) => `${r.method} ${r.status}`);
      return { res, comments: emu.world.github.comments, githubWrites, jobs: Object.keys(emu.world.jobs) };
    });
  }

  /** The healthy demo world leaves the agent's image access unprovable: the summary must say so. */
  function expectReportedWithoutComment(res: RunActionResult, comments: unknown) {
    expect(res.code, why(res)).toBe(0);
    expect(res.outputs.iam_status).toBe('unverified');
    expect(comments).toEqual({ 7: [PREVIOUS] });
    expect(res.stdout).not.toMatch(/Pull-request comment (created|updated)/);
    expect(res.summary).toMatch(/^\| ❓ unverified \|.*\| `agent-image` \|$/m);
    expect(commands(res.stdout, 'error')).toEqual([]);
  }

  it('fork pull request: a warning, no GitHub write, the step still succeeds with the findings in the summary', async () => {
    const { res, comments, githubWrites, jobs } = await run(prWorld(true), TOKEN, 'contributor/payments');
    expectReportedWithoutComment(res, comments);
    const warning = commands(res.stdout, 'warning').find(
      (c) => c.properties.title === 'Pull-request comment skipped',
    );
    expect(warning?.message).toMatch(/#7 comes from a fork/);
    expect(warning?.message).toContain('job summary');
    // Known to be refused: not even attempted.
    expect(githubWrites).toEqual([]);
    expect(jobs).toContain('projects/demo-app/locations/us-central1/jobs/nightly-report');
  });

  it('read-only token: GitHub answers 403, a warning names the permission, the step still succeeds', async () => {
    const { res, comments, githubWrites } = await run(prWorld(false), READ_TOKEN, 'acme/payments');
    expectReportedWithoutComment(res, comments);
    const warning = commands(res.stdout, 'warning').find(
      (c) => c.properties.title === 'Pull-request comment not posted',
    );
    expect(warning?.message).toContain('HTTP 403');
    expect(warning?.message).toContain('pull-requests: write');
    // The earlier sticky comment was found and its update refused: one write, 403.
    expect(githubWrites).toEqual(['PATCH 403']);
  });

  it('fork pull request with a gap: the step fails on the gap alone, the summary carries it', async () => {
    const w = prWorld(true);
    revoke(sa(w, RUNTIME).policy, 'roles/iam.serviceAccountUser', `serviceAccount:${DEPLOYER}`);
    const { res, comments, githubWrites, jobs } = await run(w, TOKEN, 'contributor/payments');
    expect(res.code, why(res)).toBe(1);
    expect(res.outputs.iam_status).toBe('missing');
    expect(comments).toEqual({ 7: [PREVIOUS] });
    expect(githubWrites).toEqual([]);
    expect(jobs).toEqual([]);
    expect(res.summary).toMatch(/^\| ❌ missing \|.*\| `deployer-actas` \|$/m);
    // Every error is about the IAM gap, none about the comment.
    const errors = commands(res.stdout, 'error');
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e.message).not.toMatch(/comment/i);
    expect(commands(res.stdout, 'warning').map((c) => c.properties.title)).toContain(
      'Pull-request comment skipped',
    );
  });
});

describe.concurrent('fail_on', () => {
  it('unverified (the strict view): checks that are only unverified (deny and org policies not readable) stop the step before any job write', async () => {
    const s = world('14-');
    await withEmulator(withRunner(s.world, s.expect), async (emu) => {
      const res = await runScenario(emu, s, { iam: 'check', fail_on: 'unverified' });
      expect(res.code, why(res)).toBe(1);
      expect(res.outputs.iam_status).toBe('unverified');
      const findings = findingsOf(res.outputs);
      expect(findings.filter((f) => f.status !== 'satisfied').map((f) => [f.check, f.status])).toEqual([
        ['agent-image', 'unverified'],
        ['agent-role', 'unverified'],
        ['orgpolicy-job', 'unverified'],
      ]);
      expect(res.stdout).toMatch(
        /^Step failed: .*3 missing or unverified requirement\(s\) \(fail_on: unverified\)/m,
      );
      expect(jobWrites(emu)).toEqual([]);
      expect(emu.world.jobs).toEqual({});
    });
  });

  it('missing (default): the missing agent image read stops the step before any job write', async () => {
    const s = world('06-');
    await withEmulator(withRunner(s.world, s.expect), async (emu) => {
      const res = await runScenario(emu, s, { iam: 'check' });
      expect(res.code, why(res)).toBe(1);
      expect(findingsOf(res.outputs).find((f) => f.check === 'agent-image')?.status).toBe('missing');
      expect(res.stdout).toMatch(/^Step failed: .*1 missing requirement\(s\) \(fail_on: missing\)/m);
      expect(jobWrites(emu)).toEqual([]);
    });
  });

  it('never: the missing agent image read goes through to the deploy, which fails diagnosed', async () => {
    const s = world('06-');
    await withEmulator(withRunner(s.world, s.expect), async (emu) => {
      const res = await runScenario(emu, s, { iam: 'check', fail_on: 'never' });
      expect(res.code, why(res)).toBe(1);
      expect(res.outputs.iam_status).toBe('missing');
      expect(jobWrites(emu)).toEqual(['POST /v2/projects/app-proj/locations/us-central1/jobs']);
      // Cloud Run's failure proves the preflight's finding: one agent-image finding, failed.
      const agent = findingsOf(res.outputs).filter((f) => f.check === 'agent-image');
      expect(agent.map((f) => f.status)).toEqual(['failed']);
      expect(agent[0]?.principal).toBe(
        'serviceAccount:service-111111111111@serverless-robot-prod.iam.gserviceaccount.com',
      );
      expect(res.stdout).toMatch(/::error.*artifactregistry\.repositories\.downloadArtifacts/);
      expect(res.stdout).not.toContain('fail_on');
    });
  });
});

describe.concurrent('execute without run.jobs.run', () => {
  const ROLE = 'projects/demo-app/roles/jobDeployer';
  /**
   * The deployer holds a custom role that deploys but cannot run jobs. It keeps
   * resourcemanager.projects.get: the action looks the project up (for its number) before
   * anything else, and without it every run stops there on a different finding.
   */
  function noRunWorld(): World {
    const w = demo();
    const project = w.projects.find((p) => p.id === 'demo-app');
    revoke(project?.policy, 'roles/run.developer', `serviceAccount:${DEPLOYER}`);
    project?.policy?.bindings?.push({ role: ROLE, members: [`serviceAccount:${DEPLOYER}`] });
    w.customRoles = [
      {
        name: ROLE,
        title: 'Job deployer',
        includedPermissions: [
          'run.jobs.create',
          'run.jobs.update',
          'run.jobs.get',
          'run.operations.get',
          'resourcemanager.projects.get',
        ],
      },
    ];
    return w;
  }

  async function run(iam: string) {
    return withEmulator(noRunWorld(), async (emu) => {
      const inputs = stepInputs({ iam, execute: 'true' });
      const res = await runAction({
        emulator: emu,
        inputs,
        files: { [WORKFLOW]: workflowFile(inputs) },
        env: workflowEnv(),
      });
      return { res, inputs, writes: jobWrites(emu), executions: Object.keys(emu.world.executions) };
    });
  }

  it('iam check: deployer-run is missing and names run.jobs.run; nothing is deployed', async () => {
    const { res, inputs, writes } = await run('check');
    expect(res.code, why(res)).toBe(1);
    const gaps = findingsOf(res.outputs).filter((f) => f.status !== 'satisfied');
    expect(gaps.map((f) => [f.check, f.status])).toContainEqual(['deployer-run', 'missing']);
    const deployerRun = gaps.find((f) => f.check === 'deployer-run');
    expect(deployerRun?.evidence).toContain('run.jobs.run');
    expect(deployerRun?.evidence).not.toMatch(/run\.jobs\.(create|update|get)\b/);
    expect(deployerRun?.location).toMatchObject({
      file: WORKFLOW,
      line: lineOf(workflowFile(inputs), 'execute:'),
    });
    expect(writes).toEqual([]);
  });

  it("iam off: the job is deployed, the :run 403 is deployer-run at the workflow's execute: line", async () => {
    const { res, inputs, writes, executions } = await run('off');
    expect(res.code, why(res)).toBe(1);
    expect(writes).toEqual([
      'POST /v2/projects/demo-app/locations/us-central1/jobs',
      'POST /v2/projects/demo-app/locations/us-central1/jobs/nightly-report:run',
    ]);
    expect(executions).toEqual([]);
    const found = findingsOf(res.outputs).filter((f) => f.check === 'deployer-run');
    expect(found.map((f) => f.status)).toEqual(['failed']);
    expect(found[0]?.evidence).toContain('run.jobs.run');
    const line = lineOf(workflowFile(inputs), 'execute:');
    expect(found[0]?.location).toMatchObject({ file: WORKFLOW, line });
    const errors = commands(res.stdout, 'error').filter((c) => c.properties.file === WORKFLOW);
    expect(errors.map((c) => c.properties.line)).toEqual([String(line)]);
    expect(res.summary).toContain('| `deployer-run` |');
  });
});

describe('IAM propagation after fix', () => {
  it('the deploy is refused while the new grant propagates, retried, and succeeds', async () => {
    const s = world('06-');
    const w = { ...withRunner(s.world, s.expect), propagationDelayMs: 2500 };
    await withEmulator(w, async (emu) => {
      const started = Date.now();
      const res = await runScenario(emu, s, { iam: 'fix' });
      expect(res.code, why(res)).toBe(0);
      expect(res.outputs.iam_status).toBe('fixed');
      expect(JSON.parse(res.outputs.granted ?? '[]')).toHaveLength(1);
      expect(res.stdout).toMatch(
        /Deploy refused \(PERMISSION_DENIED\) while new IAM grants propagate; retry 1 in \d+s/,
      );
      // Refused at least once, then created: the job exists with the image asked for.
      expect(jobWrites(emu).length).toBeGreaterThanOrEqual(2);
      expect(Object.keys(emu.world.jobs)).toEqual(['projects/app-proj/locations/us-central1/jobs/worker']);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2500);
      expect(commands(res.stdout, 'error')).toEqual([]);
    });
  }, 60_000);
});
