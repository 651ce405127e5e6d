// The benchmark's scenarios check what each run did, so a timing never belongs to a run that
// failed quietly or took another path.
import { describe, expect, it } from 'vitest';
import { jobYaml, SCENARIOS, unexpectedOutputs } from '../bench/scenarios.ts';
import { IDS } from '../bench/targets.ts';
import { sameProjectWorld } from '../bench/worlds.ts';

const byId = (id: string) => {
  const s = SCENARIOS.find((x) => x.id === id);
  if (!s) throw new Error(`no scenario ${id}`);
  return s;
};

describe('unexpectedOutputs', () => {
  it.each<[string, Record<string, string>, string | undefined]>([
    [IDS.fix, { iam_status: 'fixed', granted: '[{"role":"a"},{"role":"b"}]' }, undefined],
    [IDS.fix, { iam_status: 'fixed', granted: '[]' }, 'granted="[]"'],
    [IDS.fix, { iam_status: 'missing', granted: 'not json' }, 'iam_status="missing", granted="not json"'],
    [IDS.execute, { iam_status: 'ok', execution_status: 'failed' }, 'execution_status="failed"'],
    [IDS.check, { iam_status: 'ok', execution: '' }, undefined],
    [IDS.check, {}, 'iam_status=""'],
  ])('%s with %j -> %s', (id, outputs, problem) => {
    expect(unexpectedOutputs(byId(id), outputs)).toBe(problem);
  });

  it('every action scenario states what it must produce; gcloud ones have no outputs to check', () => {
    for (const s of SCENARIOS) expect(Boolean(s.expect), s.id).toBe(s.tool === 'action');
  });
});

describe('scenario inputs', () => {
  it('dry run for check only, iam off for the baseline, fix for the cross-project world, execute+wait', () => {
    const w = sameProjectWorld();
    expect(byId(IDS.check).inputs?.(w)).toMatchObject({ iam: 'check', dry_run: 'true' });
    expect(byId(IDS.createNoIam).inputs?.(w)).toMatchObject({ iam: 'off' });
    expect(byId(IDS.fix).inputs?.(w)).toMatchObject({ iam: 'fix' });
    expect(byId(IDS.execute).inputs?.(w)).toMatchObject({ execute: 'true', wait: 'true' });
    expect(byId(IDS.update).inputs?.(w).image).toMatch(/:v2$/);
  });

  it('the job.yaml names the same image, service account and secret as the inputs', () => {
    const w = sameProjectWorld();
    const yaml = jobYaml(w);
    expect(yaml).toContain(`image: ${w.image}`);
    expect(yaml).toContain(`serviceAccountName: ${w.runtimeServiceAccount}`);
    expect(yaml).toContain('name: db-password');
  });
});
