// The performance targets (issue 23; issue 12's depth targets kept), judged against one
// benchmark report. Overheads are measured against the floor: a bare `node -e 0` of the same
// run plus depth x L plus the emulator's own server work, which no client can remove. Pure.

import type { BenchReport, ScenarioResult, TargetCheck, Verdict } from './results.ts';
import { summarize } from './stats.ts';

export const TARGETS = {
  /** Round trips of depth the IAM preflight may add to a deploy: none. */
  preflightDepth: 0,
  /** wall - bare node - depth x L - emulated server work, for each of OVERHEAD_JUDGED. */
  overheadMs: 60,
  /** The same for 20 jobs in one step. */
  manyJobsOverheadMs: 150,
  /** gcloud wall / action wall, for create, update and replace at the main latency. */
  speedupVsGcloud: 5.5,
  /** Decimal megabytes, the strict reading of "2.5 MB". */
  bundleBytes: 2_500_000,
  /** Spawn to first request, beyond a bare `node -e 0` measured in the same run. */
  coldStartOverNodeMs: 30,
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

/** Scenarios whose overhead beyond the floor is judged, with their limit. */
export const OVERHEAD_JUDGED: Record<string, number> = {
  [IDS.create]: TARGETS.overheadMs,
  [IDS.update]: TARGETS.overheadMs,
  [IDS.replace]: TARGETS.overheadMs,
  [IDS.execute]: TARGETS.overheadMs,
  [IDS.jobs20]: TARGETS.manyJobsOverheadMs,
};

/** The action/gcloud pairs whose wall ratio the targets compare. */
export const RATIO_PAIRS = [
  [IDS.create, IDS.gcloudCreate, 'create'],
  [IDS.update, IDS.gcloudUpdate, 'update'],
  [IDS.replace, IDS.gcloudReplace, 'replace'],
] as const;

const verdict = (ok: boolean): Verdict => (ok ? 'PASS' : 'MISS');
export const ms = (n: number): string => `${Math.round(n)} ms`;
export const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/** What no client could remove: bare node start + depth x L + the emulator's server work. */
export function floorMs(s: ScenarioResult, report: Pick<BenchReport, 'bareNodeMs' | 'latencyMs'>): number {
  return (report.bareNodeMs ?? 0) + s.depth * report.latencyMs + s.serverMs;
}

/** wall - floor (s.overheadMs is wall - depth x L - server work, median over the runs). */
export function overheadBeyondNode(s: ScenarioResult, report: Pick<BenchReport, 'bareNodeMs'>): number {
  return s.overheadMs - (report.bareNodeMs ?? 0);
}

/** Per-scenario overhead verdict, shown in the scenario table (n/a where no limit is set). */
export function overheadVerdict(s: ScenarioResult, report: Pick<BenchReport, 'bareNodeMs'>): Verdict {
  const limit = s.tool === 'action' ? OVERHEAD_JUDGED[s.id] : undefined;
  return limit === undefined ? 'n/a' : verdict(overheadBeyondNode(s, report) <= limit);
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
  const create = byId.get(IDS.create);
  const update = byId.get(IDS.update);
  if (create && update) {
    checks.push({
      target: 'update has the depth of create',
      measured: `update ${update.depth}, create ${create.depth}`,
      verdict: verdict(update.depth <= create.depth),
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

  for (const [id, limit] of Object.entries(OVERHEAD_JUDGED)) {
    const s = byId.get(id);
    if (s?.tool !== 'action') continue;
    const over = overheadBeyondNode(s, report);
    const floor = floorMs(s, report);
    checks.push({
      target: `overhead (wall - bare node - depth x L - server work) <= ${limit} ms (${id})`,
      measured: `${ms(over)} (wall ${ms(s.wall.median)}, floor ${ms(floor)}: ${(s.wall.median / floor).toFixed(2)}x the floor)`,
      verdict: verdict(over <= limit),
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
