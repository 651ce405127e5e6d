// Every output, always set (empty when not applicable), so later steps can rely on them.
import type { RunResult } from '../model.ts';
import { setOutput } from '../output/log.ts';

export function outputsOf(result: RunResult): Record<string, string> {
  return {
    job: result.job?.name ?? '',
    console_url: result.job?.consoleUrl ?? '',
    execution: result.execution?.name ?? '',
    execution_status: result.execution?.status ?? '',
    iam_status: result.iamStatus ?? '',
    findings: JSON.stringify(result.findings),
    granted: JSON.stringify(result.granted),
    job_changes: result.jobPlan ? JSON.stringify(result.jobPlan) : '',
    schedule_trigger: result.schedule?.name ?? '',
    schedule_next_run: result.schedule?.nextRuns?.[0] ?? '',
    started_at: result.timings?.started ?? '',
    deployed_at: result.timings?.deployed ?? '',
    executed_at: result.timings?.executed ?? '',
    duration: result.timings?.durationMs === undefined ? '' : (result.timings.durationMs / 1000).toFixed(1),
  };
}

export function setOutputs(result: RunResult): void {
  for (const [name, value] of Object.entries(outputsOf(result))) setOutput(name, value);
}
