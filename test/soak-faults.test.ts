// Soak: the bundled action, run as the runner runs it, against the emulator in its seeded fault
// mode (test/emulator/faults.ts): one or two faults per run — 429 with and without Retry-After,
// 500, 503, a reset before or after the write applies, an answer slower than the client's
// timeout, silence, an LRO that never finishes, a concurrent policy writer — on the routes a
// mode uses, across the scenario library, in check, fix, create, update, replace and execute.
// Every run must keep every invariant of issue 9:
// - it ends by itself within its bound (the harness never has to kill it);
// - it succeeds, or fails with a classified cause (never "Unclassified failure");
// - no binding, condition or audit config that existed is lost or duplicated;
// - `granted` equals the policies' actual diff (the concurrent writer's marker aside);
// - the job's spec is the old or the new one, never a third;
// - no job write and no `:run` was applied twice;
// - a Retry-After was waited for before the retry;
// - no token the emulator issued appears in anything the run produced.
// Timeouts are shrunk with the test-only CLOUD_RUN_JOB_ACTION_TIME_SCALE (0.05: a 30 s request
// bound is 1.5 s), and runs go four at a time, so the whole soak takes about a minute or two.
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Policy } from './emulator/contract.ts';
import { CONCURRENT_BINDING, FaultInjector, type FaultRule, policyWriteTarget } from './emulator/faults.ts';
import { type StartOptions, startEmulator } from './emulator/server.ts';
import {
  changesOf,
  loadScenarios,
  policyChanges,
  providerOf,
  type ScenarioFile,
  snapshotPolicies,
  withRunner,
} from './helpers/iam-world.ts';
import { ensureBuilt, runAction } from './helpers/run-action.ts';
import { appliedWrites, faultPlan, type Mode, pool } from './helpers/soak.ts';
import { injectedCommands } from './helpers/workflow-commands.ts';

const SCALE = 0.05;
/** Longer than any scaled request bound (the longest, auth's whole exchange, is 6 s). */
const SLOW_MS = 2_500;
/** The action's own bound at this scale is 90 s plus the wait; the harness would kill only a hung run. */
const HARNESS_KILL_MS = 150_000;
const RUNS_PER_MODE = Number(process.env.SOAK_RUNS_PER_MODE ?? 34);
const MODES: Mode[] = ['check', 'fix', 'create', 'update', 'replace', 'execute'];
const PR = 7;
const GITHUB_TOKEN = 'ghs_soak_write_token';
const MARKER = '<!-- cloud-run-job-iam -->';

const library = loadScenarios('test/scenarios/iam');
const simple = library.find((s) => s.file.startsWith('01-')) as ScenarioFile;
const granting = library.filter((s) => s.expect.fix.granted.length > 0);
const JOB_YAML = 'deploy/job.yaml';

beforeAll(() => ensureBuilt(), 120_000);

type Grant = { kind: string; resource: string; role: string; member: string };
type FindingJson = { check: string; status: string; title: string };
type JobJson = {
  template?: { template?: { containers?: Array<{ image?: string }>; serviceAccount?: string } };
};

interface Outcome {
  mode: Mode;
  seed: number;
  faults: string[];
  code: number | null;
  cause?: string;
  retryAfterHonoured: number;
  retries: number;
}

function jobYamlFor(s: ScenarioFile, image: string): string {
  const i = s.expect.inputs;
  return stringify({
    apiVersion: 'run.googleapis.com/v1',
    kind: 'Job',
    metadata: { name: i.job, namespace: i.project_id },
    spec: {
      template: {
        spec: {
          template: { spec: { serviceAccountName: i.service_account, containers: [{ image }] } },
        },
      },
    },
  });
}

/** The world and inputs a mode runs with: check/fix rotate through the library; the deploy modes use world 01. */
function setup(mode: Mode, seed: number, file?: string) {
  // check goes through the whole library; fix through the worlds where it has something to grant.
  const pool = mode === 'check' ? library : mode === 'fix' ? granting : [simple];
  const s = (file ? library.find((x) => x.file.startsWith(file)) : pool[seed % pool.length]) as ScenarioFile;
  const e = s.expect;
  const world = withRunner(s.world, e) as Record<string, unknown> & { github: Record<string, unknown> };
  world.github.pullRequests = [{ number: PR }];
  world.github.tokens = { [GITHUB_TOKEN]: 'write' };
  // Two earlier runs on this pull request left two sticky comments: the run must keep one.
  if (seed % 3 === 0)
    world.github.comments = {
      [PR]: [
        { id: 501, body: `${MARKER}\nold`, user: 'github-actions[bot]' },
        { id: 502, body: `${MARKER}\nolder race`, user: 'github-actions[bot]' },
      ],
    };
  const base: Record<string, string> = {
    workload_identity_provider: providerOf(s.world, e.inputs.project_id ?? ''),
    impersonate_service_account: e.deployer,
    region: 'us-central1',
    github_token: GITHUB_TOKEN,
    ...e.inputs,
  };
  let files = e.files ?? {};
  // The seeded job (update, replace) runs :v0, so old and new spec differ.
  const repos = world.repositories as Array<{ images?: Record<string, string[]> }> | undefined;
  for (const r of repos ?? []) for (const tags of Object.values(r.images ?? {})) tags.push('v0');
  const inputs: Record<string, string> = { ...base };
  switch (mode) {
    case 'check':
      inputs.iam = 'check';
      break;
    case 'fix':
      inputs.iam = 'fix';
      break;
    case 'create':
    case 'update':
      inputs.iam = 'off';
      break;
    case 'replace': {
      inputs.iam = 'off';
      for (const k of ['job', 'image', 'service_account', 'secrets']) delete inputs[k];
      inputs.metadata = JOB_YAML;
      files = { [JOB_YAML]: jobYamlFor(s, e.inputs.image ?? '') };
      break;
    }
    case 'execute':
      inputs.iam = 'off';
      inputs.execute = 'true';
      inputs.wait_timeout = '60s';
      break;
  }
  return { s, world, inputs, files };
}

/** Pre-create the job (update, replace, half the executes) through the emulator's own API, before faults. */
async function seedJob(url: string, token: string, s: ScenarioFile): Promise<void> {
  const i = s.expect.inputs;
  const res = await fetch(`${url}/v2/projects/${i.project_id}/locations/us-central1/jobs?jobId=${i.job}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      template: {
        template: {
          serviceAccount: i.service_account,
          containers: [{ image: 'us-central1-docker.pkg.dev/app-proj/containers/worker:v0' }],
        },
      },
    }),
  });
  if (res.status !== 200) throw new Error(`seeding the job: HTTP ${res.status} ${await res.text()}`);
}

/** (role, condition, member) facts of a policy that occur more than once. */
function duplicates(p: Policy | undefined): string[] {
  const seen = new Map<string, number>();
  for (const b of p?.bindings ?? [])
    for (const m of b.members) {
      const k = `${b.role} ${JSON.stringify(b.condition ?? null)} ${m}`;
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
  return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
}

/** A run's faults: seeded from its plan, or given (with the world they are meant for). */
interface Given {
  world: string;
  rules: FaultRule[];
}

async function soakRun(mode: Mode, seed: number, given?: Given): Promise<Outcome> {
  const { s, world, inputs, files } = setup(mode, seed, given?.world);
  const options: StartOptions = { scenario: world, propagationDelayMs: 0 };
  const emu = await startEmulator(options);
  try {
    const jobName = `projects/${s.expect.inputs.project_id}/locations/us-central1/jobs/${s.expect.inputs.job}`;
    if (mode === 'update' || mode === 'replace' || (mode === 'execute' && seed % 2 === 0))
      await seedJob(emu.url, emu.issueToken(`serviceAccount:${s.expect.deployer}`), s);
    const faults = new FaultInjector(given?.rules ?? faultPlan(mode, seed, SLOW_MS));
    options.faults = faults;
    const policiesBefore = snapshotPolicies(emu.world);
    const jobBefore = structuredClone(emu.world.jobs[jobName]) as JobJson | undefined;
    const res = await runAction({
      emulator: emu,
      inputs,
      files,
      env: { CLOUD_RUN_JOB_ACTION_TIME_SCALE: String(SCALE) },
      event: {
        name: 'pull_request',
        payload: {
          pull_request: {
            number: PR,
            head: { repo: { full_name: 'acme/payments' } },
            base: { repo: { full_name: 'acme/payments' } },
          },
        },
      },
      timeoutMs: HARNESS_KILL_MS,
    });
    const faultNames = faults.events.map((f) => `${f.kind} ${f.method} ${f.path}`);
    const why = `mode ${mode}, seed ${seed}, world ${s.file}, faults ${JSON.stringify(faultNames)}\n${res.stdout.slice(-5000)}\n${res.stderr.slice(-2000)}`;

    // Ends by itself (the harness kill leaves code null).
    expect(res.code, why).not.toBeNull();
    // Succeeds, or fails with a classified cause.
    const findings = JSON.parse(res.outputs.findings ?? '[]') as FindingJson[];
    const failure = findings.find((f) => f.status === 'failed');
    let cause: string | undefined;
    if (res.code !== 0) {
      cause =
        failure?.check ?? findings.find((f) => f.status === 'missing' || f.status === 'unverified')?.check;
      expect(cause, why).toBeDefined();
      expect(cause, why).not.toBe('unknown');
    }
    // No binding, condition or audit config lost or duplicated; granted == the actual diff.
    const after = snapshotPolicies(emu.world);
    const marker = `${CONCURRENT_BINDING.role} | null | ${CONCURRENT_BINDING.member}`;
    const changes = policyChanges(policiesBefore, after)
      .map((c) => ({ ...c, added: c.added.filter((a) => a !== marker) }))
      .filter((c) => c.added.length || c.removed.length || c.auditChanged);
    const granted = JSON.parse(res.outputs.granted ?? '[]') as Grant[];
    expect(changes, why).toEqual(changesOf(granted));
    for (const [name, p] of after) expect(duplicates(p), `${why}\n${name}`).toEqual([]);
    // Every concurrent writer's binding survived our write.
    for (const f of faults.events.filter((e) => e.kind === 'concurrent-writer')) {
      const resource = policyWriteTarget(f.method, f.path) ?? '';
      const holder = [...after].find(([n]) => n === resource || n.endsWith(`/${resource.split('/').pop()}`));
      expect(JSON.stringify(holder?.[1] ?? {}), why).toContain(CONCURRENT_BINDING.member);
    }
    // The job's spec is the old or the new one.
    const jobAfter = emu.world.jobs[jobName] as JobJson | undefined;
    const image = (j: JobJson | undefined) => j?.template?.template?.containers?.[0]?.image;
    if (jobAfter) expect([image(jobBefore), s.expect.inputs.image], why).toContain(image(jobAfter));
    // No job write and no :run applied twice.
    const writes = appliedWrites(emu.requestLog);
    expect(writes.job, why).toBeLessThanOrEqual(mode === 'update' || mode === 'replace' ? 2 : 1);
    const seeded = mode === 'update' || mode === 'replace' || (mode === 'execute' && seed % 2 === 0) ? 1 : 0;
    expect(writes.job - seeded, why).toBeLessThanOrEqual(1);
    expect(writes.run, why).toBeLessThanOrEqual(1);
    // One sticky comment at most, whatever was there before.
    const comments = (emu.world.github.comments[PR] ?? []).filter((c) => c.body.includes(MARKER));
    if (!faultNames.some((f) => f.includes('/comments'))) expect(comments.length, why).toBeLessThanOrEqual(1);
    // Retry-After: the action said it waited at least as asked, and the server saw the request
    // again no sooner (other requests on the same path may run concurrently, so: some later one).
    let honoured = 0;
    const waits = [
      ...res.stdout.matchAll(
        /^::debug::Retry \d+ in (\d+) ms \(the server's Retry-After asked for (\d+) ms\)/gm,
      ),
    ];
    for (const w of waits) expect(Number(w[1]), why).toBeGreaterThanOrEqual(Number(w[2]));
    for (const f of faults.events.filter((e) => e.kind === 'throttle-retry-after')) {
      const asked = Math.round((f.retryAfterS ?? 0) * 1000 * SCALE);
      const later = emu.requestLog.filter(
        (r) => r.path === f.path && r.method === f.method && r.start >= f.at + asked - 5,
      );
      const said = waits.some((w) => Number(w[2]) === asked);
      if (said) expect(later.length, why).toBeGreaterThan(0);
      if (said && later.length) honoured++;
    }
    // No token leaked: runAction scans every run (assertNoTokenIn). No command injected by a value:
    expect(injectedCommands(res.stdout), why).toEqual([]);
    return {
      mode,
      seed,
      faults: faults.events.map((f) => f.kind),
      code: res.code,
      ...(cause ? { cause } : {}),
      retryAfterHonoured: honoured,
      retries: (res.stdout.match(/^::debug::Retry \d+ in /gm) ?? []).length,
    };
  } finally {
    await emu.stop();
  }
}

describe('soak: the bundled action under seeded faults', () => {
  it(`keeps every invariant over ${RUNS_PER_MODE * MODES.length} seeded runs in ${MODES.join(', ')}`, async () => {
    const cases = MODES.flatMap((mode, m) =>
      Array.from({ length: RUNS_PER_MODE }, (_, i) => ({ mode, seed: 1000 * (m + 1) + i })),
    );
    const outcomes = await pool(cases, 4, (c) => soakRun(c.mode, c.seed));
    // SOAK_RUNS_PER_MODE exists only to iterate on one failing seed range; the suite runs all.
    if (!process.env.SOAK_RUNS_PER_MODE) expect(outcomes.length).toBeGreaterThanOrEqual(200);
    const failed = outcomes.filter((o) => o.code !== 0);
    const honoured = outcomes.reduce((n, o) => n + o.retryAfterHonoured, 0);
    const causes: Record<string, number> = {};
    for (const o of failed) {
      const key = `${o.mode}:${o.cause ?? ''}`;
      causes[key] = (causes[key] ?? 0) + 1;
    }
    // The figures the issue asks for, in the test log (before the coverage assertions).
    console.log(
      `soak: ${outcomes.length} runs, ${outcomes.reduce((n, o) => n + o.faults.length, 0)} faults injected, ` +
        `${failed.length} failed (causes ${JSON.stringify(causes)}), ${outcomes.reduce((n, o) => n + o.retries, 0)} retries, ` +
        `${honoured} retries after a Retry-After all waited at least as asked`,
    );
    // Every fault kind was injected, and both outcomes happened.
    const kinds = new Set(outcomes.flatMap((o) => o.faults));
    expect([...kinds].sort()).toEqual(
      [
        'concurrent-writer',
        'internal',
        'lro-stuck',
        'reset-after',
        'reset-before',
        'silence',
        'slow',
        'throttle',
        'throttle-retry-after',
        'unavailable',
      ].sort(),
    );
    expect(failed.length).toBeGreaterThan(0);
    expect(outcomes.length - failed.length).toBeGreaterThan(0);
    expect(honoured).toBeGreaterThan(0);
  }, 600_000);

  // The seeded plan reaches a bucket's or a subnetwork's policy only now and then: these runs
  // put the concurrent writer on exactly those writes, whose wire differs from :setIamPolicy.
  it.each([
    ['a bucket (PUT b/{bucket}/iam)', '22-', { methods: ['PUT'], path: /^\/storage\/v1\/b\/[^/]+\/iam$/ }],
    [
      'a subnetwork (POST .../setIamPolicy)',
      '21-',
      { methods: ['POST'], path: /^\/compute\/v1\/.+\/subnetworks\/[^/]+\/setIamPolicy$/ },
    ],
  ])(
    'a concurrent writer on %s loses no binding, and the grant is re-applied over it',
    async (_, file, route) => {
      const outcome = await soakRun('fix', 1, {
        world: file,
        rules: [{ kind: 'concurrent-writer', ...route }],
      });
      expect(outcome.faults).toEqual(['concurrent-writer']);
      expect(outcome.code).toBe(0);
      // The stale-etag write was refused (409) and retried from a fresh read.
      expect(outcome.retries).toBeGreaterThan(0);
    },
    120_000,
  );
});
