// Many targets (pure parts): the region list, job.yaml lists and globs, the expansion into one
// Config per target, bounded parallelism, duplicate targets, and the multi-target outputs.
import { describe, expect, it } from 'vitest';
import { expandTargets, metadataPaths, parseRegions } from '../src/inputs/targets.ts';
import { parseInputs } from '../src/inputs.ts';
import { outputsOfMany, renderManySummary } from '../src/report/many.ts';
import { mapBounded, type TargetRun, targetKeys } from '../src/targets.ts';
import { config } from './fixtures/config.ts';

const REGION = /^[a-z]+(?:-[a-z]+)+\d+$/;

describe('region and metadata lists', () => {
  it('reads one region, a list, and names a bad one', () => {
    const bad: string[] = [];
    const push = (n: string, _e: string, got: string) => bad.push(`${n}=${got}`);
    expect(parseRegions('', REGION, push)).toEqual(['us-central1']);
    expect(parseRegions('europe-west1', REGION, push)).toEqual(['europe-west1']);
    expect(parseRegions('us-central1,europe-west1\n', REGION, push)).toEqual(['us-central1', 'europe-west1']);
    expect(parseRegions('a\nus-east1\nus-east1', REGION, push)).toEqual(['us-east1']);
    expect(bad).toEqual(['region=a']);
  });

  it('expands globs in the workspace, sorted, and says when one matches nothing', () => {
    const problems: string[] = [];
    const glob = (p: string) => (p === 'jobs/*.yaml' ? ['jobs/b.yaml', 'jobs/a.yaml'] : []);
    expect(
      metadataPaths('jobs/*.yaml\nextra.yaml\njobs/a.yaml', '/ws', glob, (m) => problems.push(m)),
    ).toEqual(['jobs/a.yaml', 'jobs/b.yaml', 'extra.yaml']);
    expect(metadataPaths('none/*.yaml', '/ws', glob, (m) => problems.push(m))).toEqual([]);
    expect(problems).toEqual(['Input "metadata": "none/*.yaml" matches no file in the workspace']);
  });

  it('parseInputs keeps a single target as before and lists many', () => {
    const get = (inputs: Record<string, string>) => (n: string) => inputs[n] ?? '';
    const one = parseInputs(
      get({ region: 'us-east1', job: 'j', image: 'us-docker.pkg.dev/p/r/i:1', project_id: 'my-project' }),
      {},
    );
    expect(one.region).toBe('us-east1');
    expect(one).not.toHaveProperty('regions');
    const many = parseInputs(
      get({ region: 'us-east1,europe-west1', metadata: 'jobs/*.yaml' }),
      { GITHUB_WORKSPACE: '/ws' },
      () => true,
      () => ['jobs/x.yaml', 'jobs/y.yaml'],
    );
    expect(many.regions).toEqual(['us-east1', 'europe-west1']);
    expect(many.metadataFiles).toEqual(['jobs/x.yaml', 'jobs/y.yaml']);
    const targets = expandTargets(many);
    expect(targets.map((t) => `${t.metadata}@${t.region}`)).toEqual([
      'jobs/x.yaml@us-east1',
      'jobs/x.yaml@europe-west1',
      'jobs/y.yaml@us-east1',
      'jobs/y.yaml@europe-west1',
    ]);
    expect(targets.every((t) => t.regions === undefined && t.metadataFiles === undefined)).toBe(true);
    expect(expandTargets(one)).toEqual([one]);
  });

  it('refuses two targets that write the same job in the same region', () => {
    const c = [config({ metadata: 'a.yaml' }), config({ metadata: 'b.yaml' })];
    const locals = [
      { project: 'p', job: 'same' },
      { project: 'p', job: 'same' },
    ];
    expect(() => targetKeys(c, locals)).toThrow('a.yaml and b.yaml both deploy job same to us-central1');
    expect(targetKeys(c, [locals[0] as never, { project: 'p', job: 'other' }])).toEqual([
      { job: 'same', region: 'us-central1' },
      { job: 'other', region: 'us-central1' },
    ]);
  });
});

describe('mapBounded', () => {
  it('runs at most `limit` at once and keeps the order', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapBounded([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
});

describe('multi-target report', () => {
  const runs: TargetRun[] = [
    {
      key: { job: 'a', region: 'us-east1' },
      outcome: {
        result: {
          findings: [],
          granted: [],
          iamStatus: 'ok',
          job: { name: 'projects/p/locations/us-east1/jobs/a', consoleUrl: 'https://c/a', action: 'created' },
        },
      },
    },
    {
      key: { job: 'a', region: 'europe-west1' },
      outcome: { result: { findings: [], granted: [], iamStatus: 'missing' }, failure: new Error('stopped') },
    },
  ];

  it('sets every output as a map keyed by job, then region', () => {
    const out = outputsOfMany(runs);
    expect(JSON.parse(out.job ?? '')).toEqual({
      a: { 'us-east1': 'projects/p/locations/us-east1/jobs/a', 'europe-west1': '' },
    });
    expect(JSON.parse(out.iam_status ?? '')).toEqual({ a: { 'us-east1': 'ok', 'europe-west1': 'missing' } });
    expect(JSON.parse(out.findings ?? '')).toEqual({ a: { 'us-east1': [], 'europe-west1': [] } });
  });

  it('summarises every target in one table, then each in turn', () => {
    const md = renderManySummary(runs);
    expect(md).toContain('## Cloud Run jobs: 1 of 2 deployed, 1 failed');
    expect(md).toContain('| [a](https://c/a) | `us-east1` | ok | created |  |');
    expect(md).toContain('| `a` | `europe-west1` | missing | failed: stopped |  |');
  });
});
