// Target verdicts and Markdown rendering of the benchmark report (pure).
import { describe, expect, it } from 'vitest';
import type { BenchReport, ScenarioResult } from '../bench/results.ts';
import { summarize } from '../bench/stats.ts';
import { cell, renderReport } from '../bench/table.ts';
import { judge } from '../bench/targets.ts';

function scenario(
  id: string,
  tool: 'action' | 'gcloud',
  wall: number,
  depth: number,
  extra: Partial<ScenarioResult> = {},
  coldStartMs = 90,
): ScenarioResult {
  const run = {
    wallMs: wall,
    requests: depth * 2,
    depth,
    peakRssBytes: extra.peakRssBytes ?? 80e6,
    coldStartMs,
    serverMs: 10,
    exitCode: 0,
  };
  return {
    id,
    title: id,
    tool,
    runs: [run, run, run],
    wall: summarize([wall, wall, wall]),
    requests: depth * 2,
    depth,
    overheadMs: wall - depth * 50,
    serverMs: 10,
    peakRssBytes: 80e6,
    coldStartMs: 90,
    chain: [],
    ...extra,
  };
}

function report(scenarios: ScenarioResult[], bundleBytes = 1_200_000): BenchReport {
  return {
    date: '2025-01-01',
    node: 'v24',
    gcloud: '528.0.0',
    latencyMs: 50,
    runsPerScenario: 3,
    loadAverage: [0.5, 1.25],
    bundleBytes,
    bareNodeMs: 70,
    scenarios,
  };
}

// overheadMs is wall - depth x L - server work; bare node is 70 ms, so 120 is 50 ms beyond it.
const passing = [
  scenario('create-iam-off', 'action', 400, 6, { overheadMs: 120 }),
  scenario('create', 'action', 400, 6, { overheadMs: 120 }),
  scenario('update', 'action', 400, 6, { overheadMs: 100 }),
  scenario('jobs-1', 'action', 450, 6, { overheadMs: 120 }),
  scenario('jobs-20', 'action', 800, 6, { overheadMs: 200 }),
  scenario('gcloud-deploy-create', 'gcloud', 3000, 6),
  scenario('gcloud-deploy-update', 'gcloud', 2600, 6),
];

describe('judge', () => {
  it('passes every target a good report meets, and says n/a without gcloud', () => {
    const verdicts = judge(report(passing)).map((t) => [t.target, t.verdict]);
    expect(verdicts).toEqual([
      ['IAM preflight adds 0 round trips of depth', 'PASS'],
      ['update has the depth of create', 'PASS'],
      ['overhead (wall - bare node - depth x L - server work) <= 60 ms (create)', 'PASS'],
      ['overhead (wall - bare node - depth x L - server work) <= 60 ms (update)', 'PASS'],
      ['overhead (wall - bare node - depth x L - server work) <= 150 ms (jobs-20)', 'PASS'],
      ['>= 5.5x faster than gcloud (create, L = 50 ms)', 'PASS'],
      ['>= 5.5x faster than gcloud (update, L = 50 ms)', 'PASS'],
      ['20 jobs in one step <= 2x the wall of one', 'PASS'],
      ['bundle (dist/) <= 2.5 MB', 'PASS'],
      ['cold start (spawn -> first request) <= bare node + 30 ms', 'PASS'],
      ['peak RSS <= 100.0 MB', 'PASS'],
    ]);
    const noGcloud = judge(report(passing.filter((s) => s.tool === 'action')));
    expect(noGcloud.filter((t) => t.verdict === 'n/a').map((t) => t.measured)).toEqual([
      'gcloud not installed',
      'gcloud not installed',
    ]);
  });

  it.each<[string, ScenarioResult[], number, string]>([
    [
      'preflight depth',
      [
        scenario('create-iam-off', 'action', 400, 6, { overheadMs: 0 }),
        scenario('create', 'action', 450, 7, { overheadMs: 0 }),
      ],
      1e6,
      'IAM preflight',
    ],
    [
      'growth',
      [
        scenario('replace', 'action', 400, 6, { overheadMs: 0 }),
        scenario('replace-wide', 'action', 450, 7, { overheadMs: 0 }),
      ],
      1e6,
      'does not grow',
    ],
    ['overhead', [scenario('replace', 'action', 800, 5, { overheadMs: 131 })], 1e6, 'overhead'],
    [
      'many-jobs overhead',
      [scenario('jobs-20', 'action', 800, 5, { overheadMs: 221 })],
      1e6,
      '150 ms (jobs-20)',
    ],
    [
      'update depth',
      [
        scenario('create', 'action', 400, 6, { overheadMs: 0 }),
        scenario('update', 'action', 450, 7, { overheadMs: 0 }),
      ],
      1e6,
      'update has the depth',
    ],
    [
      'speed-up',
      [
        scenario('update', 'action', 600, 7, { overheadMs: 0 }),
        scenario('gcloud-deploy-update', 'gcloud', 3000, 6),
      ],
      1e6,
      '(update',
    ],
    [
      'many jobs',
      [
        scenario('jobs-1', 'action', 400, 6, { overheadMs: 0 }),
        scenario('jobs-20', 'action', 900, 6, { overheadMs: 0 }),
      ],
      1e6,
      '20 jobs',
    ],
    ['bundle', [], 2_600_000, 'bundle'],
    [
      'peak RSS',
      [scenario('create', 'action', 500, 7, { peakRssBytes: 101e6, overheadMs: 0 })],
      1e6,
      'peak RSS',
    ],
    ['cold start', [scenario('create', 'action', 500, 7, { overheadMs: 0 }, 101)], 1e6, 'cold start'],
  ])('misses the %s target when it is exceeded', (_name, scenarios, bundle, target) => {
    const missed = judge(report(scenarios, bundle)).filter((t) => t.verdict === 'MISS');
    expect(missed.map((t) => t.target)).toEqual([expect.stringContaining(target)]);
  });

  it('reports each overhead against the floor, the speed-up at every latency and the cold start beside bare node', () => {
    const r = report(passing);
    r.ratios = [{ latencyMs: 20, label: 'create', actionMs: 250, gcloudMs: 2000 }];
    const checks = judge(r);
    // floor = 70 (bare node) + 6 x 50 + 10 (server work) = 380; overhead 120 - 70 = 50.
    expect(checks[2]?.measured).toBe('50 ms (wall 400 ms, floor 380 ms: 1.05x the floor)');
    expect(checks[5]?.measured).toBe('7.5x (action 400 ms, gcloud 3000 ms); 8.0x at L = 20 ms');
    expect(checks.find((c) => c.target.startsWith('cold start'))?.measured).toContain(
      'bare `node -e 0` 70 ms (+20 ms)',
    );
  });
});

describe('rendering', () => {
  it('escapes table cells', () => {
    expect(cell('a|b\nc\\d')).toBe('a\\|b c\\\\d');
  });

  it('renders targets, scenarios and chains as Markdown', () => {
    const withChain = [...passing];
    withChain[1] = scenario('create', 'action', 500, 2, {
      chain: ['POST /v1/token', 'POST /v2/projects/p/locations/r/jobs'],
    });
    // overheadMs 400 (500 - 2 x 50); floor 70 + 100 + 10 = 180; 400 - 70 = 330 beyond it.
    const md = renderReport(report(withChain));
    expect(md).toContain('| target | measured | verdict |');
    expect(md).toContain(
      '| create | action | 500 ms | 500 ms / 500 ms | 4 | 2 | 180 ms | 2.78x | 330 ms | MISS (<= 60 ms) | 10 ms | 80.0 MB | 90 ms |',
    );
    expect(md).toContain('| gcloud-deploy-create | gcloud | 3000 ms |');
    expect(md).toContain('load average 0.50 before / 1.25 after');
    expect(md).toContain(
      'create (depth 2):\n\n1. `POST /v1/token`\n2. `POST /v2/projects/p/locations/r/jobs`',
    );
  });
});

describe('run notes', () => {
  it('marks runs that failed or produced unexpected outputs', () => {
    const base = scenario('fix', 'action', 600, 8);
    const [run] = base.runs;
    if (!run) throw new Error('fixture has no run');
    const bad = {
      ...base,
      runs: [
        { ...run, exitCode: 1 },
        { ...run, unexpected: 'iam_status="missing"' },
      ],
    };
    expect(renderReport(report([bad]))).toContain(
      '| fix (1/2 runs exited non-zero; unexpected outputs: iam_status="missing") |',
    );
  });
});
