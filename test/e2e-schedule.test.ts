// The schedule (issue 21) end to end: every world in test/scenarios/schedule/ runs through the
// bundled action (dist/index.js as a process) against its own emulator in modes check, fix
// (twice) and dry_run. Each file's `expect:` block says, per mode, the iam_status, the (check,
// status) pairs of the findings, the grants and whether the step succeeds, and `trigger:` what
// became of the Cloud Scheduler job the action manages. Around every run the test snapshots
// every IAM policy (the Cloud Run job's included): fix adds exactly what it reports as granted,
// a second fix grants nothing, check and dry run change nothing, and a dry run writes to no API.
import { beforeAll, describe, expect, it } from 'vitest';
import { schedulerJobs, withoutSchedulerIn } from './emulator/apis/scheduler.ts';
import type { Policy } from './emulator/contract.ts';
import type { Emulator } from './emulator/server.ts';
import { runScenario, withEmulator } from './helpers/e2e-emulator.ts';
import {
  changesOf,
  loadScenarios,
  type ModeExpectation,
  policyChanges,
  type ScenarioFile,
  snapshotPolicies,
  statusesByCheck,
  withRunner,
} from './helpers/iam-world.ts';
import { ensureBuilt, type RunActionResult } from './helpers/run-action.ts';

type Word = 'created' | 'updated' | 'unchanged' | 'deleted' | 'absent' | 'planned' | 'none' | 'refused';
interface ScheduleExpect {
  trigger: { check: Word; fix: Word; fix_again: Word; dry_run: Word };
  /** The trigger's state after a run that created or updated it (default ENABLED). */
  trigger_state?: 'ENABLED' | 'PAUSED';
  /** The Cloud Scheduler writes (METHOD path) a check run makes, when the world says. */
  check_writes?: string[];
  /** Cloud Scheduler jobs the world holds before the run (Job JSON). */
  scheduler_jobs?: Array<Record<string, unknown>>;
}
type Grant = ModeExpectation['granted'][number];

const scenarios = loadScenarios('test/scenarios/schedule');
beforeAll(() => ensureBuilt(), 120_000);

const extra = (s: ScenarioFile) => s.expect as unknown as ScheduleExpect;
const triggerName = (s: ScenarioFile) =>
  `projects/${s.expect.inputs.project_id}/locations/us-central1/jobs/${s.expect.inputs.job}-github-trigger`;

async function withWorld<T>(s: ScenarioFile, body: (emu: Emulator) => Promise<T>): Promise<T> {
  return withEmulator(withRunner(s.world, s.expect), async (emu) => {
    for (const job of extra(s).scheduler_jobs ?? [])
      schedulerJobs(emu.world).set(String(job.name), structuredClone(job));
    return body(emu);
  });
}

/** Every IAM policy, the Cloud Run jobs' included. */
function snapshot(emu: Emulator): Map<string, Policy> {
  const out = snapshotPolicies(emu.world);
  for (const [name, p] of Object.entries(emu.world.jobPolicies ?? {})) out.set(name, structuredClone(p));
  return out;
}

function expectMode(res: RunActionResult, want: ModeExpectation): void {
  const why = `${res.stdout.slice(-6000)}\n${res.stderr.slice(-2000)}`;
  const findings = JSON.parse(res.outputs.findings ?? '[]') as Array<{ check: string; status: string }>;
  const granted = JSON.parse(res.outputs.granted ?? '[]') as Grant[];
  expect(
    {
      iam_status: res.outputs.iam_status,
      findings: statusesByCheck(findings),
      granted,
      success: res.code === 0,
    },
    why,
  ).toEqual({
    iam_status: want.iam_status,
    findings: want.findings,
    granted: want.granted,
    success: want.success,
  });
}

const schedulerWrites = (emu: Emulator, from = 0) =>
  emu.requestLog
    .slice(from)
    .filter((r) => r.method !== 'GET' && /^\/v1\/projects\/[^/]+\/locations\/[^/]+\/jobs/.test(r.path))
    .map((r) => `${r.method} ${r.path}`);

/** What the run did to the trigger, from the world, the writes it made and its log. */
function expectTrigger(
  s: ScenarioFile,
  emu: Emulator,
  res: RunActionResult,
  word: Word,
  before: unknown,
  from: number,
) {
  const name = triggerName(s);
  const now = schedulerJobs(emu.world).get(name);
  const writes = schedulerWrites(emu, from);
  const why = `${word}: ${writes.join(', ')}\n${res.stdout.slice(-4000)}`;
  switch (word) {
    case 'created':
    case 'updated':
      expect(now, why).toMatchObject({
        schedule: s.expect.inputs.schedule,
        state: extra(s).trigger_state ?? 'ENABLED',
      });
      expect(res.stdout, why).toContain(`Trigger ${name} ${word}`);
      expect(res.outputs.schedule_trigger).toBe(name);
      // A paused trigger has no next run.
      if (extra(s).trigger_state === 'PAUSED') expect(res.outputs.schedule_next_run).toBe('');
      else expect(res.outputs.schedule_next_run, why).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/);
      break;
    case 'unchanged':
      expect(writes, why).toEqual([]);
      expect(res.stdout, why).toContain(`Trigger ${name} unchanged`);
      break;
    case 'deleted':
      expect(now, why).toBeUndefined();
      expect(writes, why).toEqual([`DELETE /v1/${name}`]);
      break;
    case 'absent':
      expect(now, why).toBeUndefined();
      expect(writes, why).toEqual([]);
      break;
    case 'planned':
    case 'none':
    case 'refused':
      expect(writes, why).toEqual([]);
      expect(now, why).toEqual(before);
      if (word === 'planned')
        expect(res.stdout, why).toMatch(new RegExp(`Dry run: would \\w+.* trigger ${name}`));
      break;
  }
}

it('the schedule library covers the worlds issue 21 names', () => {
  expect(scenarios.map((s) => s.file.slice(0, 2))).toEqual(
    expect.arrayContaining(['01', '02', '03', '04', '05', '06', '07', '08']),
  );
});

describe.concurrent.each(scenarios)('$file', (s) => {
  const e = s.expect;
  const t = extra(s).trigger;

  it('check: reports; the trigger is written only when nothing is missing', async () => {
    await withWorld(s, async (emu) => {
      const policies = snapshot(emu);
      const before = structuredClone(schedulerJobs(emu.world).get(triggerName(s)));
      const res = await runScenario(emu, s, { iam: 'check' });
      expectMode(res, e.check);
      expectTrigger(s, emu, res, t.check, before, 0);
      const writes = extra(s).check_writes;
      if (writes) expect(schedulerWrites(emu)).toEqual(writes);
      expect(policyChanges(policies, snapshot(emu))).toEqual([]);
    });
  });

  it('fix: grants exactly what it reports (on the job only for the trigger), then a second fix grants and writes nothing new', async () => {
    await withWorld(s, async (emu) => {
      const policies = snapshot(emu);
      const before = structuredClone(schedulerJobs(emu.world).get(triggerName(s)));
      const res = await runScenario(emu, s, { iam: 'fix' });
      expectMode(res, e.fix);
      expectTrigger(s, emu, res, t.fix, before, 0);
      const granted = JSON.parse(res.outputs.granted ?? '[]') as Grant[];
      const afterFirst = snapshot(emu);
      expect(policyChanges(policies, afterFirst)).toEqual(changesOf(granted));
      for (const g of granted.filter((x) => x.role.startsWith('roles/run.')))
        expect(g.kind, 'the trigger account is granted on the job itself').toBe('job');

      const mark = emu.requestLog.length;
      const middle = structuredClone(schedulerJobs(emu.world).get(triggerName(s)));
      const again = await runScenario(emu, s, { iam: 'fix' });
      expect(JSON.parse(again.outputs.granted ?? '[]'), again.stdout.slice(-4000)).toEqual([]);
      expectTrigger(s, emu, again, t.fix_again, middle, mark);
      expect(policyChanges(afterFirst, snapshot(emu))).toEqual([]);
    });
  });

  it('dry_run: writes to no API, shows what it would do to the trigger', async () => {
    await withWorld(s, async (emu) => {
      const policies = snapshot(emu);
      const jobs = structuredClone(emu.world.jobs);
      const before = structuredClone(schedulerJobs(emu.world).get(triggerName(s)));
      const res = await runScenario(emu, s, { iam: 'fix', dry_run: 'true' });
      expectMode(res, e.dry_run);
      expect(policyChanges(policies, snapshot(emu))).toEqual([]);
      expect(emu.world.jobs).toEqual(jobs);
      const writes = emu.requestLog.filter(
        (r) =>
          r.method !== 'GET' &&
          !/[:/](getIamPolicy|testIamPermissions|generateAccessToken|troubleshoot)$|\/token$/.test(r.path),
      );
      expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([]);
      expectTrigger(s, emu, res, t.dry_run, before, 0);
    });
  });
});

describe('what the trigger does once written, and what the report says', () => {
  const ok = scenarios.find((s) => s.file.startsWith('01-'));
  const lacking = scenarios.find((s) => s.file.startsWith('02-'));

  it.runIf(ok)(
    'the created trigger runs the job as its account; the summary shows it in words and times',
    async () => {
      if (!ok) return;
      await withWorld(ok, async (emu) => {
        const res = await runScenario(emu, ok, { iam: 'check', execute: 'true' });
        expect(res.code, res.stdout.slice(-3000)).toBe(0);
        expect(Date.parse(res.outputs.executed_at ?? '')).toBeGreaterThanOrEqual(
          Date.parse(res.outputs.deployed_at ?? ''),
        );
        // The summary: the trigger (console link), the schedule in words, three runs in its zone, timings.
        expect(res.summary).toContain(
          '**Trigger** [worker-github-trigger](https://console.cloud.google.com/cloudscheduler/',
        );
        expect(res.summary).toContain('at 03:00 every day (Europe/Paris)');
        expect(res.summary).toMatch(/Next runs: (\d{4}-\d\d-\d\d 03:00 \\\(Europe\/Paris\\\)(, )?){3}/);
        expect(res.summary).toContain('Cloud Scheduler service agent of app-proj');
        expect(res.summary).toMatch(
          /\*\*Timings\*\* started \S+ · deployed \S+ · executed \S+ · took \d+\.\d s/,
        );
        expect(Number(res.outputs.duration)).toBeGreaterThan(0);
        expect(Date.parse(res.outputs.deployed_at ?? '')).toBeGreaterThanOrEqual(
          Date.parse(res.outputs.started_at ?? ''),
        );
        const token = emu.issueToken(`serviceAccount:${ok.expect.deployer}`);
        const ran = await fetch(`${emu.url}/v1/${triggerName(ok)}:run`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: '{}',
        }).then((r) => r.json() as Promise<{ status?: unknown }>);
        expect(ran.status).toBeUndefined();
        const call = emu.requestLog.filter(
          (r) => r.path === '/v2/projects/app-proj/locations/us-central1/jobs/worker:run',
        );
        expect(call.at(-1)).toMatchObject({
          status: 200,
          caller: 'serviceAccount:scheduler@app-proj.iam.gserviceaccount.com',
        });
      });
    },
  );

  it.runIf(lacking)('after fix, the trigger whose account lacked run now runs the job', async () => {
    if (!lacking) return;
    await withWorld(lacking, async (emu) => {
      const res = await runScenario(emu, lacking, { iam: 'fix' });
      expect(res.code, res.stdout.slice(-3000)).toBe(0);
      const token = emu.issueToken(`serviceAccount:${lacking.expect.deployer}`);
      const ran = await fetch(`${emu.url}/v1/${triggerName(lacking)}:run`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      }).then((r) => r.json() as Promise<{ status?: unknown }>);
      expect(ran.status, JSON.stringify(ran)).toBeUndefined();
    });
  });

  it.runIf(ok)(
    "Scheduler's write quota used up: retried, then the step fails with the quota's remedy",
    async () => {
      if (!ok) return;
      await withWorld(ok, async (emu) => {
        emu.world.quotaExhausted = ['cloudscheduler.googleapis.com'];
        const res = await runScenario(emu, ok, { iam: 'check' });
        expect(res.code).toBe(1);
        const findings = JSON.parse(res.outputs.findings ?? '[]') as Array<{ check: string; status: string }>;
        expect(
          findings.find((f) => f.check === 'scheduler-quota'),
          res.stdout.slice(-3000),
        ).toMatchObject({
          status: 'failed',
        });
        // A 429 refused the write before it did anything: retried with backoff, a bounded number of times.
        const creates = schedulerWrites(emu).filter((w) => w.startsWith('POST '));
        expect(creates.length).toBeGreaterThan(1);
        expect(creates.length).toBeLessThanOrEqual(6);
      });
    },
    120_000,
  );

  it.runIf(ok)(
    "a region Cloud Scheduler does not serve: the job deploys, the step fails with Scheduler's reason",
    async () => {
      if (!ok) return;
      await withWorld(ok, async (emu) => {
        withoutSchedulerIn(emu.world, 'us-central1');
        const res = await runScenario(emu, ok, { iam: 'check' });
        expect(res.code).toBe(1);
        const findings = JSON.parse(res.outputs.findings ?? '[]') as Array<{
          check: string;
          status: string;
          remedy?: string;
        }>;
        expect(
          findings.find((f) => f.check === 'scheduler-region'),
          res.stdout.slice(-3000),
        ).toMatchObject({
          status: 'failed',
          remedy: expect.stringContaining('gcloud scheduler locations list --project=app-proj'),
        });
        expect(res.stdout).toMatch(/::error .*title=scheduler-region/);
      });
    },
  );
});
