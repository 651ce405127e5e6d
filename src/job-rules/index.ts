// The job's rules, in one place: every source of a job (inputs, job_patch, a job.yaml, the
// existing job they merge onto) is checked here, on the job the deploy would send, before the
// first write. Each rule file cites its sources; src/job/validate.ts maps a violation back to
// the input or the job.yaml line that set the value.
import { computeRules } from './rules-compute.ts';
import { envNameRules } from './rules-env.ts';
import { nameRules } from './rules-names.ts';
import { networkRules, type Where } from './rules-network.ts';
import { volumeRules } from './rules-volumes.ts';
import type { JobView } from './view.ts';
import type { Violation } from './violation.ts';

export { envKindChanges, RESERVED_ENV } from './rules-env.ts';
export type { Where } from './rules-network.ts';
export { type JobView, type Path, viewOfV2 } from './view.ts';
export { viewOfV1 } from './view-v1.ts';
export { RULE_IDS, type RuleId, type Violation } from './violation.ts';

/** Every violation of the job's rules, in the order of the document's fields. */
export function checkJob(view: JobView, where: Where): Violation[] {
  return [
    ...nameRules(view),
    ...envNameRules(view),
    ...volumeRules(view),
    ...networkRules(view, where),
    ...computeRules(view),
  ];
}
