// Many targets, one plan: a region-independent gap is checked in every region's rows but
// granted once per step. The world (test/scenarios/iam-many/55-one-gap-two-regions.yaml) runs
// through the bundled action in check, fix (twice) and dry run, every policy diffed.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from './emulator/server.ts';
import { runScenario, withEmulator } from './helpers/e2e-emulator.ts';
import {
  changesOf,
  loadScenarios,
  policyChanges,
  snapshotPolicies,
  withRunner,
} from './helpers/iam-world.ts';
import { ensureBuilt, type RunActionResult } from './helpers/run-action.ts';

const [world] = loadScenarios('test/scenarios/iam-many').filter((s) => s.file.startsWith('55-'));
beforeAll(() => ensureBuilt(), 120_000);

type Finding = { check: string; status: string; evidence: string };
type Grant = { kind: string; resource: string; role: string; member: string };
const REGIONS = ['us-central1', 'europe-west1'];
const SA = 'projects/app-proj/serviceAccounts/runtime@app-proj.iam.gserviceaccount.com';

/** {job: {region: value}} outputs of a step with several targets. */
function byRegion<T>(res: RunActionResult, name: string): Record<string, T> {
  return (JSON.parse(res.outputs[name] ?? '{}') as Record<string, Record<string, T>>).worker ?? {};
}
const actas = (res: RunActionResult, region: string) =>
  byRegion<Finding[]>(res, 'findings')[region]?.find((f) => f.check === 'deployer-actas');
const allGranted = (res: RunActionResult) => Object.values(byRegion<Grant[]>(res, 'granted')).flat();
const policyWrites = (emu: Emulator, from = 0) =>
  emu.requestLog.slice(from).filter((r) => r.path.endsWith(':setIamPolicy'));

describe.runIf(world)('one gap across two regions', () => {
  const s = world as NonNullable<typeof world>;
  const run = <T>(body: (emu: Emulator) => Promise<T>) => withEmulator(withRunner(s.world, s.expect), body);

  it('check: the gap is reported in each region, nothing is written', async () => {
    await run(async (emu) => {
      const before = snapshotPolicies(emu.world);
      const res = await runScenario(emu, s, { iam: 'check' });
      expect(res.code).toBe(1);
      for (const r of REGIONS) expect(actas(res, r)?.status, r).toBe('missing');
      expect(policyChanges(before, snapshotPolicies(emu.world))).toEqual([]);
    });
  });

  it('fix: one policy write, both regions granted, the binding listed once; a second fix grants nothing', async () => {
    await run(async (emu) => {
      const before = snapshotPolicies(emu.world);
      const res = await runScenario(emu, s, { iam: 'fix' });
      expect(res.code, res.stdout.slice(-3000)).toBe(0);
      const writes = policyWrites(emu);
      expect(writes.map((w) => w.path)).toEqual([
        '/v1/projects/-/serviceAccounts/runtime@app-proj.iam.gserviceaccount.com:setIamPolicy',
      ]);
      for (const r of REGIONS) {
        expect(actas(res, r)?.status, r).toBe('granted');
        expect(actas(res, r)?.evidence, r).not.toMatch(/Someone else/);
      }
      expect(
        REGIONS.map((r) => actas(res, r)?.evidence).filter((e) => e?.includes('Granted once for this step')),
      ).toHaveLength(1);
      const granted = allGranted(res);
      expect(granted).toEqual([
        {
          kind: 'serviceAccount',
          resource: SA,
          role: 'roles/iam.serviceAccountUser',
          member: 'serviceAccount:deployer@app-proj.iam.gserviceaccount.com',
        },
      ]);
      const after = snapshotPolicies(emu.world);
      expect(policyChanges(before, after)).toEqual(changesOf(granted as never));
      expect(Object.values(byRegion<string>(res, 'iam_status'))).toEqual(['fixed', 'fixed']);

      const mark = emu.requestLog.length;
      const again = await runScenario(emu, s, { iam: 'fix' });
      expect(again.code).toBe(0);
      expect(allGranted(again)).toEqual([]);
      expect(policyWrites(emu, mark)).toEqual([]);
      expect(policyChanges(after, snapshotPolicies(emu.world))).toEqual([]);
    });
  });

  it('dry run: one diff for the step, nothing written', async () => {
    await run(async (emu) => {
      const before = snapshotPolicies(emu.world);
      const res = await runScenario(emu, s, { iam: 'fix', dry_run: 'true' });
      expect(res.code, res.stdout.slice(-3000)).toBe(0);
      const shown = res.stdout
        .split('\n')
        .filter((l) => l.startsWith('[dry run] gcloud iam service-accounts add-iam-policy-binding'));
      expect(shown).toHaveLength(1);
      expect(REGIONS.map((r) => actas(res, r)?.status)).toEqual(['missing', 'missing']);
      expect(policyWrites(emu)).toEqual([]);
      expect(snapshotPolicies(emu.world)).toEqual(before);
    });
  });
});
