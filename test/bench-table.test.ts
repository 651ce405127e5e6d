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
): ScenarioResult {
  const run = {
    wallMs: wall,
    requests: depth * 2,
    depth,
    peakRssBytes: 80e6,
    coldStartMs: 120,
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
    coldStartMs: 120,
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
    scenarios,
  };
}

const passing = [
  scenario('create-iam-off', 'action', 400, 5),
  scenario('create', 'action', 500, 7),
  scenario('update', 'action', 500, 7),
  scenario('gcloud-deploy-create', 'gcloud', 3000, 6),
  scenario('gcloud-deploy-update', 'gcloud', 2600, 6),
];

describe('judge', () => {
  it('passes every target a good report meets, and says n/a without gcloud', () => {
    const verdicts = judge(report(passing)).map((t) => [t.target, t.verdict]);
    expect(verdicts).toEqual([
      ['IAM preflight adds <= 2 round trips of depth', 'PASS'],
      ['overhead (wall - depth x L) <= 300 ms per scenario', 'PASS'],
      ['action check + deploy >= 5x faster than gcloud deploy (create)', 'PASS'],
      ['action check + deploy >= 5x faster than gcloud deploy (update)', 'PASS'],
      ['bundle (dist/) <= 2.5 MB', 'PASS'],
      ['cold start (spawn -> first request) <= 250 ms', 'PASS'],
      ['peak RSS <= 150.0 MB', 'PASS'],
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
      [scenario('create-iam-off', 'action', 400, 5), scenario('create', 'action', 500, 8)],
      1e6,
      'IAM preflight',
    ],
    ['overhead', [scenario('check', 'action', 800, 5)], 1e6, 'overhead'],
    [
      'speed-up',
      [scenario('update', 'action', 600, 7), scenario('gcloud-deploy-update', 'gcloud', 2000, 6)],
      1e6,
      '(update)',
    ],
    ['bundle', [], 2_600_000, 'bundle'],
    ['peak RSS', [scenario('create', 'action', 500, 7, { peakRssBytes: 151e6 })], 1e6, 'peak RSS'],
  ])('misses the %s target when it is exceeded', (_name, scenarios, bundle, target) => {
    const missed = judge(report(scenarios, bundle)).filter((t) => t.verdict === 'MISS');
    expect(missed.map((t) => t.target)).toEqual([expect.stringContaining(target)]);
  });

  it('reports the worst overhead and the speed-up ratio', () => {
    const checks = judge(report(passing));
    expect(checks[1]?.measured).toBe('worst 150 ms (create-iam-off)');
    expect(checks[2]?.measured).toBe('6.0x (action 500 ms, gcloud 3000 ms)');
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
    const md = renderReport(report(withChain));
    expect(md).toContain('| target | measured | verdict |');
    expect(md).toContain(
      '| create | action | 500 ms | 500 ms / 500 ms | 4 | 2 | 400 ms | MISS | 10 ms | 80.0 MB | 120 ms |',
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
