// The roles that grant a deployer's rights on one Cloud Run job, narrowest first, with the
// run.jobs.* permissions each carries (from test/emulator/data/roles.json, the output of
// `gcloud iam roles describe`): roles/run.jobsExecutor (run.jobs.run), roles/run.invoker
// (run.jobs.run and services' run.routes.invoke: it counts when held, but is not chosen), roles/run.jobsExecutorWithOverrides (run.jobs.run,
// run.jobs.runWithOverrides), roles/run.developer (get, update, run, runWithOverrides and more).
// run.operations.get is not a job permission: operations belong to the project.
import type { CallerRequirement } from './requirements.ts';

export const JOB_ROLES: NonNullable<CallerRequirement['scopeRoles']> = [
  { role: 'roles/run.jobsExecutor', permissions: ['run.jobs.run'] },
  { role: 'roles/run.jobsExecutorWithOverrides', permissions: ['run.jobs.run', 'run.jobs.runWithOverrides'] },
  {
    role: 'roles/run.developer',
    permissions: ['run.jobs.get', 'run.jobs.update', 'run.jobs.run', 'run.jobs.runWithOverrides'],
  },
];

/** Following a write without its operation: what the deployer is told. */
export const FOLLOW_JOB =
  'the action follows each write by reading the job (reconciling, terminal condition, observed generation) instead of its operation';

export const OPTIONAL_OPERATIONS: NonNullable<CallerRequirement['optional']> = [
  { permission: 'run.operations.get', instead: FOLLOW_JOB },
];
