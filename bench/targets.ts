// The performance targets, judged against one benchmark report. Pure.

import type { BenchReport, ScenarioResult, TargetCheck, Verdict } from './results.ts';
import { summarize } from './stats.ts';

export const TARGETS = {
  /** Round trips of depth the IAM preflight may add to a deploy. */
  preflightDepth: 2,
  overheadMs: 300,
  /** gcloud deploy wall / action check+deploy wall. */
  speedupVsGcloud: 5,
  /** Decimal megabytes, the strict reading of "2.5 MB". */
  bundleBytes: 2_500_000,
  coldStartMs: 250,
  peakRssBytes: 150_000_000,
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
  gcloudCreate: 'gcloud-deploy-create',
  gcloudUpdate: 'gcloud-deploy-update',
  gcloudReplace: 'gcloud-replace',
} as const;

const verdict = (ok: boolean): Verdict => (ok ? 'PASS' : 'MISS');
export const ms = (n: number): string => `${Math.round(n)} ms`;
export const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/** Per-scenario overhead verdict, shown in the scenario table. */
export function overheadVerdict(s: ScenarioResult): Verdict {
  return s.tool === 'action' ? verdict(s.overheadMs <= TARGETS.overheadMs) : 'n/a';
}

export function judge(report: BenchReport): TargetCheck[] {
  const byId = new Map(report.scenarios.map((s) => [s.id, s]));
  const checks: TargetCheck[] = [];
  const actions = report.scenarios.filter((s) => s.tool === 'action');

  const withIam = byId.get(IDS.create);
  const withoutIam = byId.get(IDS.createNoIam);
  if (withIam && withoutIam) {
    const added = withIam.depth - withoutIam.depth;
    checks.push({
      target: `IAM preflight adds <= ${TARGETS.preflightDepth} round trips of depth`,
      measured: `+${added} (create: ${withIam.depth} with iam=check, ${withoutIam.depth} with iam=off)`,
      verdict: verdict(added <= TARGETS.preflightDepth),
    });
  }

  if (actions.length > 0) {
    const worst = actions.reduce((a, b) => (b.overheadMs > a.overheadMs ? b : a));
    checks.push({
      target: `overhead (wall - depth x L) <= ${TARGETS.overheadMs} ms per scenario`,
      measured: `worst ${ms(worst.overheadMs)} (${worst.id})`,
      verdict: verdict(worst.overheadMs <= TARGETS.overheadMs),
    });
  }

  for (const [action, gcloud, label] of [
    [IDS.create, IDS.gcloudCreate, 'create'],
    [IDS.update, IDS.gcloudUpdate, 'update'],
    [IDS.replace, IDS.gcloudReplace, 'replace'],
  ] as const) {
    const a = byId.get(action);
    const g = byId.get(gcloud);
    if (!a) continue;
    const target = `action check + deploy >= ${TARGETS.speedupVsGcloud}x faster than gcloud deploy (${label})`;
    if (!g) {
      checks.push({ target, measured: 'gcloud not installed', verdict: 'n/a' });
      continue;
    }
    const ratio = g.wall.median / a.wall.median;
    checks.push({
      target,
      measured: `${ratio.toFixed(1)}x (action ${ms(a.wall.median)}, gcloud ${ms(g.wall.median)})`,
      verdict: verdict(ratio >= TARGETS.speedupVsGcloud),
    });
  }

  checks.push({
    target: `bundle (dist/) <= ${mb(TARGETS.bundleBytes)}`,
    measured: `${mb(report.bundleBytes)} (${report.bundleBytes} bytes)`,
    verdict: verdict(report.bundleBytes <= TARGETS.bundleBytes),
  });

  if (actions.length > 0) {
    const cold = summarize(actions.flatMap((s) => s.runs.map((r) => r.coldStartMs)));
    checks.push({
      target: `cold start (spawn -> first request) <= ${TARGETS.coldStartMs} ms`,
      measured: `${ms(cold.median)} median of ${cold.n} action runs (min ${ms(cold.min)}, max ${ms(cold.max)})`,
      verdict: verdict(cold.median <= TARGETS.coldStartMs),
    });
    const rss = actions.reduce((a, b) => (b.peakRssBytes > a.peakRssBytes ? b : a));
    checks.push({
      target: `peak RSS <= ${mb(TARGETS.peakRssBytes)}`,
      measured: `${mb(rss.peakRssBytes)} (${rss.id})`,
      verdict: verdict(rss.peakRssBytes <= TARGETS.peakRssBytes),
    });
  }
  return checks;
}
