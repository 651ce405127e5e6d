// Entry points main.ts calls: any thrown failure, or a job/execution condition, becomes one
// Finding with who needs what, where, and the command that fixes it.

import type { ApiError } from '../gcp/errors.ts';
import { fromStatus, type GoogleStatus, StepError, toApiError } from '../gcp/errors.ts';
import type { Finding } from '../model.ts';
import { diagnoseScheduler } from '../schedule/diagnose.ts';
import { classify, inputSubjectIn } from './classify.ts';
import type { DiagnoseContext } from './facts.ts';
import { invalidInput } from './remedies-input.ts';

export type { JobCondition } from '../model.ts';
export { classify } from './classify.ts';
export { type ConditionContext, diagnoseCondition } from './conditions.ts';
export type { DiagnoseContext, Stage } from './facts.ts';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A bare google.rpc.Status, as a long-running operation's `error` carries it (gRPC code, no HTTP). */
function isOperationStatus(v: unknown): v is GoogleStatus {
  return (
    isRecord(v) &&
    typeof v.code === 'number' &&
    !('response' in v) &&
    (typeof v.message === 'string' || Array.isArray(v.details))
  );
}

/** The structured error inside whatever was thrown, keeping gRPC codes of operation errors. */
export function apiErrorOf(error: unknown): ApiError {
  const cause = error instanceof StepError ? error.cause : error;
  if (isOperationStatus(cause)) return fromStatus(cause);
  if (isRecord(cause) && isOperationStatus(cause.error)) return fromStatus(cause.error);
  return toApiError(error);
}

export function diagnose(error: unknown, ctx: DiagnoseContext): Finding {
  const c: DiagnoseContext = { ...ctx };
  const repository = process.env.GITHUB_REPOSITORY;
  if (!c.repository && repository) c.repository = repository;
  if (!c.attempting && error instanceof StepError) c.attempting = error.attempting;
  const api = apiErrorOf(error);
  if (ctx.stage === 'inputs' && api.httpStatus === undefined) {
    return invalidInput({ evidence: api.message, subject: inputSubjectIn(api.message) });
  }
  return diagnoseScheduler(api, c.attempting) ?? classify(api, c);
}
