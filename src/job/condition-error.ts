// A job or execution that ended in a failed condition (v1 Ready=False, v2 Completed failed).
// It keeps the condition itself so diagnosis can classify it by reason, not by wording.
import { StepError } from '../gcp/errors.ts';
import { OperationFailed } from '../gcp/run.ts';
import type { JobCondition } from '../model.ts';

export class ConditionFailed extends StepError {
  readonly condition: JobCondition;
  readonly execution: string | undefined;
  readonly logUri: string | undefined;
  constructor(
    attempting: string,
    condition: JobCondition,
    extra: { execution?: string; logUri?: string } = {},
  ) {
    const reason = condition.executionReason ?? condition.reason;
    const detail = `${condition.type ?? 'Ready'} ${reason ? `(${reason}) ` : ''}${condition.message ?? 'failed'}`;
    const message = extra.logUri ? `${detail}; logs: ${extra.logUri}` : detail;
    // gRPC 9 FAILED_PRECONDITION: the resource exists but is not in a state that works.
    super(
      attempting,
      new OperationFailed(extra.execution ?? attempting, { code: 9, status: 'FAILED_PRECONDITION', message }),
    );
    this.name = 'ConditionFailed';
    this.condition = condition;
    this.execution = extra.execution;
    this.logUri = extra.logUri;
  }
}
