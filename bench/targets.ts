// The issue's performance targets (issue 12), judged against one benchmark report. Pure.

import type { BenchReport, ScenarioResult, TargetCheck, Verdict } from './results.ts';
import { summarize } from './stats.ts';

export const TARGETS = {
  /** Round trips of depth the IAM preflight may add to a deploy: none. */
  preflightDepth: 0,
  /** wall - depth x L - emulated server work, per scenario. */
  overheadMs: 100,
  /** gcloud wall / action wall, for create, update and replace at the main latency. */
  speedupVsGcloud: 6,
  /** Decimal megabytes, the strict reading of "2.5 MB". */
  bundleBytes: 2_500_000,
  /** Spawn to first request, beyond a bare `node -e 0` measured in the same run. */
  coldStartOverNodeMs: 50,
  peakRssBytes: 100_000_000,
  /** Wall of 20 jobs in one step / wall of one job. */
  manyJobsRatio: 2,
} as const;

/** Scenario ids run.ts uses; the targets compare these pairs. */
export const IDS = {
  check: 'check',
  createNoIam: 'create-iam-off',
  create: 'create',
  update: 'update',
  fix: 'fix-cross-project',
  execute: 'execute-wait',
  replace: 'replace',
  wide: 'replace-wide',
  jobs1: 'jobs-1',
  jobs5: 'jobs-5',
  jobs20: 'jobs-20',
  regions3: 'regions-3',
  gcloudCreate: 'gcloud-deploy-create',
  gcloudUpdate: 'gcloud-deploy-update',
  gcloudReplace: 'gcloud-replace',
} as const;

/** The action/gcloud pairs whose wall ratio the targets compare. */
export const RATIO_PAIRS = [
  [IDS.create, IDS.gcloudCreate, 'create'],
  [IDS.update, IDS.gcloudUpdate, 'update'],
  [IDS.replace, IDS.gcloudReplace, 'replace'],
] as const;

const verdict = (ok: boolean): Verdict => (ok ? 'PASS' : 'MISS');
export const ms = (n: number): string => `${Math.round(n)} ms`;
export const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/** Per-scenario overhead verdict, shown in the scenario table. */
export function overheadVerdict(s: ScenarioResult): Verdict {
  return s.tool === 'action' ? verdict(s.overheadMs <= TARGETS.overheadMs) : 'n/a';
}

function depthChecks(byId: Map<string, ScenarioResult>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const withIam = byId.get(IDS.create);
  const withoutIam = byId.get(IDS.createNoIam);
  if (withIam && withoutIam) {
    const added = withIam.depth - withoutIam.depth;
    checks.push({
      target: `IAM preflight adds ${TARGETS.preflightDepth} round trips of depth`,
      measured: `+${added} (create: ${withIam.depth} with iam=check, ${withoutIam.depth} with iam=off)`,
      verdict: verdict(added <= TARGETS.preflightDepth),
    });
  }
  const replace = byId.get(IDS.replace);
  const wide = byId.get(IDS.wide);
  if (replace && wide) {
    checks.push({
      target: 'depth does not grow with secrets, volumes, Cloud SQL instances',
      measured: `${wide.depth} with 10 secrets, 3 volumes, Cloud SQL; ${replace.depth} with 1 secret`,
      verdict: verdict(wide.depth <= replace.depth),
    });
  }
  return checks;
}

function ratioChecks(report: BenchReport, byId: Map<string, ScenarioResult>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const [action, gcloud, label] of RATIO_PAIRS) {
    const a = byId.get(action);
    const g = byId.get(gcloud);
    if (!a) continue;
    const target = `>= ${TARGETS.speedupVsGcloud}x faster than gcloud (${label}, L = ${report.latencyMs} ms)`;
    if (!g) {
      checks.push({ target, measured: 'gcloud not installed', verdict: 'n/a' });
      continue;
    }
    const ratio = g.wall.median / a.wall.median;
    const others = (report.ratios ?? [])
      .filter((r) => r.label === label)
      .map((r) => `${(r.gcloudMs / r.actionMs).toFixed(1)}x at L = ${r.latencyMs} ms`);
    checks.push({
      target,
      measured: `${ratio.toFixed(1)}x (action ${ms(a.wall.median)}, gcloud ${ms(g.wall.median)})${others.length ? `; ${others.join(', ')}` : ''}`,
      verdict: verdict(ratio >= TARGETS.speedupVsGcloud),
    });
  }
  return checks;
}

function manyJobsCheck(byId: Map<string, ScenarioResult>): TargetCheck[] {
  const one = byId.get(IDS.jobs1);
  const many = byId.get(IDS.jobs20);
  if (!one || !many) return [];
  const five = byId.get(IDS.jobs5);
  const regions = byId.get(IDS.regions3);
  const ratio = many.wall.median / one.wall.median;
  return [
    {
      target: `20 jobs in one step <= ${TARGETS.manyJobsRatio}x the wall of one`,
      measured:
        `${ratio.toFixed(2)}x (1 job ${ms(one.wall.median)}, ${five ? `5 jobs ${ms(five.wall.median)}, ` : ''}` +
        `20 jobs ${ms(many.wall.median)}${regions ? `; 3 regions ${ms(regions.wall.median)}` : ''})`,
      verdict: verdict(ratio <= TARGETS.manyJobsRatio),
    },
  ];
}

export function judge(report: BenchReport): TargetCheck[] {
  const byId = new Map(report.scenarios.map((s) => [s.id, s]));
  const actions = report.scenarios.filter((s) => s.tool === 'action');
  const checks: TargetCheck[] = [...depthChecks(byId)];

  if (actions.length > 0) {
    const worst = actions.reduce((a, b) => (b.overheadMs > a.overheadMs ? b : a));
    checks.push({
      target: `overhead (wall - depth x L - server work) <= ${TARGETS.overheadMs} ms per scenario`,
      measured: `worst ${ms(worst.overheadMs)} (${worst.id})`,
      verdict: verdict(worst.overheadMs <= TARGETS.overheadMs),
    });
  }
  checks.push(...ratioChecks(report, byId), ...manyJobsCheck(byId));
  checks.push({
    target: `bundle (dist/) <= ${mb(TARGETS.bundleBytes)}`,
    measured: `${mb(report.bundleBytes)} (${report.bundleBytes} bytes)`,
    verdict: verdict(report.bundleBytes <= TARGETS.bundleBytes),
  });

  if (actions.length > 0) {
    const cold = summarize(actions.flatMap((s) => s.runs.map((r) => r.coldStartMs)));
    const bare = report.bareNodeMs;
    const target = `cold start (spawn -> first request) <= bare node + ${TARGETS.coldStartOverNodeMs} ms`;
    const measured = `${ms(cold.median)} median of ${cold.n} action runs (min ${ms(cold.min)}, max ${ms(cold.max)})`;
    checks.push(
      bare === undefined
        ? { target, measured: `${measured}; bare node not measured`, verdict: 'n/a' }
        : {
            target,
            measured: `${measured}; bare \`node -e 0\` ${ms(bare)} (+${ms(cold.median - bare)})`,
            verdict: verdict(cold.median <= bare + TARGETS.coldStartOverNodeMs),
          },
    );
    const rss = actions.reduce((a, b) => (b.peakRssBytes > a.peakRssBytes ? b : a));
    checks.push({
      target: `peak RSS <= ${mb(TARGETS.peakRssBytes)}`,
      measured: `${mb(rss.peakRssBytes)} (${rss.id})`,
      verdict: verdict(rss.peakRssBytes <= TARGETS.peakRssBytes),
    });
  }
  return checks;
}
