// The report of a step that deployed several targets (jobs x regions): a thin layer over the
// single-target report. One summary with a table of every target then each target's own
// summary, one PR comment with every target's findings, annotations for all, and every output
// as a JSON map keyed by job, then region.
import { readFileSync } from 'node:fs';
import type { Finding, RunResult } from '../model.ts';
import { md, mdCell, mdCode, mdLink, oneLine } from '../output/escape.ts';
import { log, setOutput, writeSummary } from '../output/log.ts';
import type { TargetRun } from '../targets.ts';
import { annotate } from './annotations.ts';
import { caveatsOf, renderCaveats } from './caveats.ts';
import { publishComment } from './comment.ts';
import { placeFindings, sourcesFrom } from './index.ts';
import { outputsOf } from './outputs.ts';
import { renderSummary } from './summary.ts';

type Env = Record<string, string | undefined>;
type Nested = Record<string, Record<string, unknown>>;
/** Outputs that are JSON themselves: nested as values, not as strings. */
const JSON_OUTPUTS = ['findings', 'granted', 'job_changes'];

/** Every single-target output, as {job: {region: value}}; JSON outputs nest as values. */
export { commentClient } from './comment.ts';

export function outputsOfMany(runs: readonly TargetRun[]): Record<string, string> {
  const maps: Record<string, Nested> = {};
  for (const { key, outcome } of runs) {
    for (const [name, value] of Object.entries(outputsOf(outcome.result))) {
      const byJob: Nested = maps[name] ?? {};
      const byRegion = byJob[key.job] ?? {};
      maps[name] = byJob;
      byJob[key.job] = byRegion;
      byRegion[key.region] = JSON_OUTPUTS.includes(name) && value ? JSON.parse(value) : value;
    }
  }
  return Object.fromEntries(Object.entries(maps).map(([name, map]) => [name, JSON.stringify(map)]));
}

function state(r: RunResult, failure: Error | undefined): string {
  if (failure) return `failed: ${r.failure?.title ?? failure.message}`;
  return r.job?.action ?? 'not deployed';
}

/** Pure: one row per target, then each target's own summary. */
export function renderManySummary(runs: readonly TargetRun[]): string {
  const failed = runs.filter((r) => r.outcome.failure).length;
  const rows = runs.map(({ key, outcome: { result, failure } }) => {
    const job = result.job ? mdLink(key.job, result.job.consoleUrl) : mdCode(key.job);
    const execution = result.execution ? mdCell(result.execution.status) : '';
    return `| ${job} | ${mdCode(key.region)} | ${mdCell(result.iamStatus ?? '')} | ${mdCell(state(result, failure))} | ${execution} |`;
  });
  const head = `## Cloud Run jobs: ${runs.length - failed} of ${runs.length} deployed${failed ? `, ${failed} failed` : ''}`;
  const table = ['| job | region | IAM | result | execution |', '|---|---|---|---|---|', ...rows].join('\n');
  // The caveats are the step's, said once above the targets rather than under each one.
  const caveats = renderCaveats(caveatsOf(runs.map((r) => r.outcome.result)));
  const each = runs.map(({ key, outcome }) => {
    const { caveats: _said, ...result } = outcome.result;
    return `---\n\n**${md(key.job)} in ${md(key.region)}**\n\n${renderSummary(result)}`;
  });
  return `${[head, table, ...(caveats ? [caveats] : []), ...each].join('\n\n')}\n`;
}

/** Every target's findings in one result, each title saying which target it is about. */
export function mergedForComment(runs: readonly TargetRun[]): RunResult {
  const findings: Finding[] = runs.flatMap(({ key, outcome }) =>
    outcome.result.findings.map((f) => ({ ...f, title: `${key.job} (${key.region}): ${f.title}` })),
  );
  const merged: RunResult = { findings, granted: runs.flatMap((r) => r.outcome.result.granted) };
  const caveats = caveatsOf(runs.map((r) => r.outcome.result));
  if (caveats.length) merged.caveats = caveats;
  const config = runs[0]?.outcome.result.config;
  if (config) merged.config = { ...config, job: `${runs.length} targets` };
  const failure = runs.find((r) => r.outcome.result.failure);
  const index = failure
    ? runs.slice(0, runs.indexOf(failure)).reduce((n, r) => n + r.outcome.result.findings.length, 0)
    : -1;
  const failed = failure?.outcome.result;
  if (failed?.failure)
    merged.failure = findings[index + failed.findings.indexOf(failed.failure)] ?? failed.failure;
  return merged;
}

export async function publishMany(runs: readonly TargetRun[], env: Env): Promise<void> {
  const placed = runs.map((run) => {
    const result = run.outcome.result;
    try {
      const findings = placeFindings(result.findings, sourcesFrom(result, env));
      const failure = result.failure ? findings[result.findings.indexOf(result.failure)] : undefined;
      return {
        ...run,
        outcome: { ...run.outcome, result: { ...result, findings, ...(failure ? { failure } : {}) } },
      };
    } catch (e) {
      log.warning(`Could not locate findings in the workflow or job.yaml: ${oneLine(String(e))}`);
      return run;
    }
  });
  for (const [name, value] of Object.entries(outputsOfMany(placed))) setOutput(name, value);
  const merged = mergedForComment(placed);
  annotate(merged.findings);
  if (env.GITHUB_STEP_SUMMARY) {
    try {
      await writeSummary(renderManySummary(placed));
    } catch (e) {
      log.warning(`Could not write the job summary: ${oneLine(String(e))}`);
    }
  }
  await publishComment(merged, env, (p) => readFileSync(p, 'utf8'));
}
