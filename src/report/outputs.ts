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
  };
}

export function setOutputs(result: RunResult): void {
  for (const [name, value] of Object.entries(outputsOf(result))) setOutput(name, value);
}
