// One soak run (test/soak-faults.test.ts, test/soak-answers.test.ts): the bundled action against
// the emulator in its fault mode, then every invariant checked, and the figures the issues ask for
// counted (bindings lost, settings dropped, tokens leaked).
import { expect } from 'vitest';
import { stringify } from 'yaml';
import type { Policy } from '../emulator/contract.ts';
import { CONCURRENT_BINDING, FaultInjector, type FaultRule, policyWriteTarget } from '../emulator/faults.ts';
import { type StartOptions, startEmulator } from '../emulator/server.ts';
import {
  changesOf,
  loadScenarios,
  policyChanges,
  providerOf,
  type ScenarioFile,
  snapshotPolicies,
  withRunner,
} from './iam-world.ts';
import { runAction } from './run-action.ts';
import { appliedWrites, faultPlan, type Mode } from './soak.ts';
import { injectedCommands } from './workflow-commands.ts';

export const SCALE = 0.05;
/** Longer than any scaled request bound (the longest, auth's whole exchange, is 6 s). */
const SLOW_MS = 2_500;
/** The action's own bound at this scale is 90 s plus the wait; the harness would kill only a hung run. */
const HARNESS_KILL_MS = 150_000;
const PR = 7;
const GITHUB_TOKEN = 'ghs_soak_write_token';
const MARKER = '<!-- cloud-run-job-iam -->';

const library = loadScenarios('test/scenarios/iam');
const simple = library.find((s) => s.file.startsWith('01-')) as ScenarioFile;
const granting = library.filter((s) => s.expect.fix.granted.length > 0);
const JOB_YAML = 'deploy/job.yaml';

type Grant = { kind: string; resource: string; role: string; member: string };
type FindingJson = { check: string; status: string; title: string };
type JobJson = {
  labels?: Record<string, string>;
  template?: {
    template?: {
      containers?: Array<{ image?: string; env?: Array<{ name?: string; value?: string }> }>;
      serviceAccount?: string;
      maxRetries?: number;
    };
  };
};

export interface Outcome {
  mode: Mode;
  seed: number;
  faults: string[];
  code: number | null;
  cause?: string;
  retryAfterHonoured: number;
  retries: number;
  /** Bindings that existed before and not after (the action never removes one): expected 0. */
  bindingsLost: number;
  /** Bindings added that `granted` does not report (the concurrent writer's marker aside): expected 0. */
  bindingsUnreported: number;
  /** Settings of the seeded job (env, label, maxRetries) missing after the run: expected 0. */
  settingsDropped: number;
  /** Emulator-issued tokens, or text shaped like an access token or JWT, in anything the run produced: expected 0. */
  tokensLeaked: number;
  /** The run's findings, as JSON, and its log (the error's wording is asserted by callers). */
  findings: string;
  log: string;
}

/** What a run shares with the whole soak: where redirects point (a trap recording what reaches it). */
export interface Harness {
  trapPort?: number;
}

/** Settings the seeded job carries that no input touches: an update must keep every one. */
const SEEDED_SETTINGS = { label: ['team', 'payments'], env: ['KEEP_ME', '1'], maxRetries: 5 } as const;

function settingsDropped(job: JobJson | undefined): number {
  if (!job) return 0;
  const t = job.template?.template;
  let dropped = 0;
  if (job.labels?.[SEEDED_SETTINGS.label[0]] !== SEEDED_SETTINGS.label[1]) dropped++;
  if (
    !t?.containers?.[0]?.env?.some(
      (e) => e.name === SEEDED_SETTINGS.env[0] && e.value === SEEDED_SETTINGS.env[1],
    )
  )
    dropped++;
  if (t?.maxRetries !== SEEDED_SETTINGS.maxRetries) dropped++;
  return dropped;
}

/** Token-shaped text (what escape.ts redacts) left in what the run produced. */
function tokenShapes(text: string): number {
  return (text.match(/\bya29\.[\w.-]{12,}|\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*/g) ?? []).length;
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
  const pool = mode === 'check' ? library : mode === 'fix' || mode === 'dry-run' ? granting : [simple];
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
    case 'dry-run':
      inputs.iam = 'fix';
      inputs.dry_run = 'true';
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
      labels: { [SEEDED_SETTINGS.label[0]]: SEEDED_SETTINGS.label[1] },
      template: {
        template: {
          serviceAccount: i.service_account,
          maxRetries: SEEDED_SETTINGS.maxRetries,
          containers: [
            {
              image: 'us-central1-docker.pkg.dev/app-proj/containers/worker:v0',
              env: [{ name: SEEDED_SETTINGS.env[0], value: SEEDED_SETTINGS.env[1] }],
            },
          ],
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
export interface Given {
  world: string;
  rules: FaultRule[];
}

export async function soakRun(
  mode: Mode,
  seed: number,
  given?: Given,
  harness: Harness = {},
): Promise<Outcome> {
  const { s, world, inputs, files } = setup(mode, seed, given?.world);
  const options: StartOptions = { scenario: world, propagationDelayMs: 0 };
  const emu = await startEmulator(options);
  try {
    const jobName = `projects/${s.expect.inputs.project_id}/locations/us-central1/jobs/${s.expect.inputs.job}`;
    if (mode === 'update' || mode === 'replace' || (mode === 'execute' && seed % 2 === 0))
      await seedJob(emu.url, emu.issueToken(`serviceAccount:${s.expect.deployer}`), s);
    const faults = new FaultInjector(given?.rules ?? faultPlan(mode, seed, SLOW_MS), {
      ...(harness.trapPort ? { trapPort: harness.trapPort } : {}),
    });
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
    const reported = new Set(changesOf(granted).flatMap((c) => c.added.map((a) => `${c.resource} ${a}`)));
    const bindingsLost = changes.reduce((n, c) => n + c.removed.length, 0);
    const bindingsUnreported = changes.reduce(
      (n, c) => n + c.added.filter((a) => !reported.has(`${c.resource} ${a}`)).length,
      0,
    );
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
    // An update keeps what the inputs do not touch (the seeded job's env, label, maxRetries).
    // (replace puts the job.yaml in place as a whole, by design: only merges are held to it.)
    const merged = mode === 'update' || (mode === 'execute' && seed % 2 === 0);
    const dropped = merged ? settingsDropped(jobAfter) : 0;
    expect(dropped, why).toBe(0);
    // An answer without an operation name never leads to a wait on no operation (`/v2/:wait`).
    expect(
      emu.requestLog.filter((r) => /^\/v2\/(?:operations\/)?:wait$/.test(r.path)),
      why,
    ).toEqual([]);
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
    // No token leaked: runAction scans every run for the tokens the emulator issued (and throws);
    // here also for anything token-shaped, in every place a run writes to.
    const produced = [
      res.stdout.replace(/^::add-mask::.*$/gm, ''),
      res.stderr,
      res.summary,
      ...Object.values(res.outputs),
      ...Object.values(emu.world.github.comments ?? {}).flatMap((list) => list.map((c) => c.body)),
    ].join('\n');
    const tokensLeaked = tokenShapes(produced);
    expect(tokensLeaked, why).toBe(0);
    // Nothing reached the trap a redirect pointed to (runs share it: the caller checks it is empty).
    // No command injected by a value:
    expect(injectedCommands(res.stdout), why).toEqual([]);
    return {
      mode,
      seed,
      faults: faults.events.map((f) => f.kind),
      code: res.code,
      ...(cause ? { cause } : {}),
      retryAfterHonoured: honoured,
      retries: (res.stdout.match(/^::debug::Retry \d+ in /gm) ?? []).length,
      bindingsLost,
      bindingsUnreported,
      settingsDropped: dropped,
      tokensLeaked,
      findings: res.outputs.findings ?? '[]',
      log: res.stdout,
    };
  } finally {
    await emu.stop();
  }
}
