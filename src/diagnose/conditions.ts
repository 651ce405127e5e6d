// Job and execution conditions: v2 `terminalCondition` / `conditions[]` (state, reason,
// executionReason) and v1 `status.conditions[]` (status "False", CamelCase reason).
import type { ExecutionDetails, Finding, JobCondition } from '../model.ts';
import { classify } from './classify.ts';
import { type DiagnoseContext, jobImage, jobProject, jobRepository, secretOf } from './facts.ts';
import { taskTimeout } from './remedies-exec.ts';
import { imageNotFound, secretMissing } from './remedies-missing.ts';
import { executionFailed, unknownFailure } from './remedies-run.ts';
import { classifyTaskLog, timedOut } from './task-logs.ts';

export interface ConditionContext extends DiagnoseContext {
  /** Full execution name, when the condition belongs to an execution. */
  execution?: string;
  /** The execution's Cloud Logging link (v2 Execution.logUri). */
  logUri?: string;
  /** The failed tasks and the first one's last log lines, when they could be read. */
  details?: ExecutionDetails;
}

/** NonZeroExitCode -> NON_ZERO_EXIT_CODE, so v1 and v2 reasons compare equal. */
export function snakeReason(reason: string | undefined): string {
  if (!reason) return '';
  return reason.includes('_')
    ? reason.toUpperCase()
    : reason.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

const IMAGE_DENIED = new Set([
  'CONTAINER_PERMISSION_DENIED',
  'CONTAINER_IMAGE_UNAUTHORIZED',
  'CONTAINER_IMAGE_AUTHORIZATION_CHECK_FAILED',
]);
const SECRET_MISSING = /\bnot (?:be )?found\b|does not exist|\bNOT_FOUND\b/i;
const EXITED = /exit(?:ed)?\b[^.]*\b(?:non-?zero|code|status|an error)|non-?zero exit/i;

export function diagnoseCondition(condition: JobCondition, ctx: ConditionContext): Finding | undefined {
  const failed = condition.state === 'CONDITION_FAILED' || condition.status === 'False';
  if (!failed) return undefined;
  const executionReason = snakeReason(condition.executionReason);
  const reason = snakeReason(condition.reason);
  const message = condition.message ?? '';
  const shown = [executionReason, reason].filter(Boolean).join(', ');
  const evidence = `Condition ${condition.type ?? 'Ready'} ${condition.state ?? `is ${condition.status}`}${shown ? ` (${shown})` : ''}: ${message || '(no message)'}`;

  const where = { region: ctx.plan?.region ?? ctx.config?.region, project: jobProject(ctx) };
  if ((ctx.execution || condition.type === 'Completed') && timedOut(ctx.details, message))
    return taskTimeout({ evidence, execution: ctx.execution, ...where });
  if (executionReason === 'NON_ZERO_EXIT_CODE' || reason === 'NON_ZERO_EXIT_CODE' || EXITED.test(message)) {
    const lines = ctx.details?.log?.lines ?? [];
    const cause = lines.length ? classifyTaskLog(lines, ctx, evidence) : undefined;
    if (cause) return cause;
    // No known cause in the log: the report quotes its tail as it is (src/report/execution.ts).
    const tail = lines.length
      ? ` No known cause in the last ${lines.length} log lines of task ${ctx.details?.log?.task ?? 0}; they are quoted as logged.`
      : '';
    return executionFailed({
      evidence: `${evidence}${tail}`,
      execution: ctx.execution,
      logUri: ctx.logUri,
      region: ctx.plan?.region ?? ctx.config?.region,
      project: jobProject(ctx),
    });
  }
  if (reason === 'CONTAINER_MISSING')
    return imageNotFound({ evidence, image: jobImage(ctx), repo: jobRepository(ctx) });
  // The secrets check fails the same way for a missing secret and an unreadable one.
  if (reason === 'SECRETS_ACCESS_CHECK_FAILED' && SECRET_MISSING.test(message)) {
    const { secret, ref, subject } = secretOf(message, ctx);
    const version = /\/versions\/([\w-]+)/.exec(message)?.[1] ?? ref?.version;
    return secretMissing({ evidence, secret, version, ...(subject ? { subject } : {}) });
  }
  // Let the API-error classifier read the message, with the permission the reason implies.
  const metadata: Record<string, string> = {};
  if (IMAGE_DENIED.has(reason)) metadata.permission = 'artifactregistry.repositories.downloadArtifacts';
  if (reason === 'SECRETS_ACCESS_CHECK_FAILED') metadata.permission = 'secretmanager.versions.access';
  const status = metadata.permission ? 'PERMISSION_DENIED' : 'UNKNOWN';
  const finding = classify({ status, message, metadata, ...(reason ? { reason } : {}) }, ctx);
  if (finding.check !== 'unknown') {
    finding.evidence = evidence;
    return finding;
  }
  return unknownFailure({
    evidence,
    subject: undefined,
    condition: true,
    said: `${shown || condition.type || 'Ready'}: ${message || '(no message)'}`,
  });
}
