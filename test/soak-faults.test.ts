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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_KINDS } from './emulator/faults.ts';
import { ensureBuilt } from './helpers/run-action.ts';
import { type Mode, pool } from './helpers/soak.ts';
import { soakRun } from './helpers/soak-run.ts';
import { startTrap, type Trap } from './helpers/trap.ts';

const RUNS_PER_MODE = Number(process.env.SOAK_RUNS_PER_MODE ?? 34);
const MODES: Mode[] = ['check', 'fix', 'dry-run', 'create', 'update', 'replace', 'execute'];

let trap: Trap;
beforeAll(async () => {
  ensureBuilt();
  trap = await startTrap();
}, 120_000);
afterAll(() => trap.stop());

describe('soak: the bundled action under seeded faults', () => {
  it(`keeps every invariant over ${RUNS_PER_MODE * MODES.length} seeded runs in ${MODES.join(', ')}`, async () => {
    const cases = MODES.flatMap((mode, m) =>
      Array.from({ length: RUNS_PER_MODE }, (_, i) => ({ mode, seed: 1000 * (m + 1) + i })),
    );
    const outcomes = await pool(cases, 4, (c) => soakRun(c.mode, c.seed, undefined, { trapPort: trap.port }));
    // SOAK_RUNS_PER_MODE exists only to iterate on one failing seed range; the suite runs all.
    if (!process.env.SOAK_RUNS_PER_MODE) expect(outcomes.length).toBeGreaterThanOrEqual(200);
    const failed = outcomes.filter((o) => o.code !== 0);
    const honoured = outcomes.reduce((n, o) => n + o.retryAfterHonoured, 0);
    const causes: Record<string, number> = {};
    for (const o of failed) {
      const key = `${o.mode}:${o.cause ?? ''}`;
      causes[key] = (causes[key] ?? 0) + 1;
    }
    const byKind: Record<string, number> = {};
    for (const k of outcomes.flatMap((o) => o.faults)) byKind[k] = (byKind[k] ?? 0) + 1;
    const sum = (f: (o: (typeof outcomes)[number]) => number) => outcomes.reduce((n, o) => n + f(o), 0);
    // The figures the issues ask for, in the test log (before the coverage assertions).
    console.log(
      `soak: ${outcomes.length} runs, ${sum((o) => o.faults.length)} faults injected ${JSON.stringify(byKind)}, ` +
        `${failed.length} failed (causes ${JSON.stringify(causes)}), ${sum((o) => o.retries)} retries, ` +
        `${honoured} retries after a Retry-After all waited at least as asked; ` +
        `bindings lost ${sum((o) => o.bindingsLost)}, bindings added beyond granted ${sum((o) => o.bindingsUnreported)}, ` +
        `settings dropped ${sum((o) => o.settingsDropped)}, tokens leaked ${sum((o) => o.tokensLeaked)}, ` +
        `requests that reached a redirect's target ${trap.hits.length}`,
    );
    expect(trap.hits).toEqual([]);
    // Every fault kind was injected, and both outcomes happened.
    const kinds = new Set(outcomes.flatMap((o) => o.faults));
    expect([...kinds].sort()).toEqual([...FAULT_KINDS].sort());
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
