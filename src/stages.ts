// The other teams' stages, behind one seam: main.ts calls these, so swapping a stand-in for
// the real module is a one-line change here. IAM and diagnosis are the real modules; the
// report stage falls back to outputs-only until src/report lands.
import * as core from '@actions/core';
import type { Env } from './auth/endpoints.ts';
import type { RunResult } from './model.ts';

export { diagnose, diagnoseCondition } from './diagnose/index.ts';
export { preflight } from './iam/index.ts';

/** Stand-in for report/index.ts publish(): writes every output, nothing else. */
export async function publish(result: RunResult, _env: Env): Promise<void> {
  core.setOutput('job', result.job?.name ?? '');
  core.setOutput('console_url', result.job?.consoleUrl ?? '');
  core.setOutput('execution', result.execution?.name ?? '');
  core.setOutput('execution_status', result.execution?.status ?? '');
  core.setOutput('iam_status', result.iamStatus ?? '');
  core.setOutput('findings', JSON.stringify(result.findings));
  core.setOutput('granted', JSON.stringify(result.granted));
}
