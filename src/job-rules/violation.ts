// What a rule says about a job: which rule, where in the job's document the value sits, and
// the problem in words (the value shown quoted, never raw). The caller says which input or
// job.yaml line that place is (src/job/validate.ts).
import type { Path } from './view.ts';

export interface Violation {
  rule: RuleId;
  at: Path;
  problem: string;
}

/** Every rule of the job, by id: the matrix test runs each through every source. */
export const RULE_IDS = [
  'job-name',
  'container-name',
  'volume-name',
  'label',
  'env-name',
  'env-reserved',
  'env-kind-change',
  'secret-ref',
  'mount-path',
  'mount-volume',
  'secret-item-path',
  'cloudsql-name',
  'connector-region',
  'subnet-region',
  'kms-key',
  'cpu-memory',
  'gpu',
  'task-count',
  'parallelism',
  'max-retries',
  'task-timeout',
  'image',
  'service-account',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export function violation(rule: RuleId, at: Path, problem: string): Violation {
  return { rule, at, problem };
}
