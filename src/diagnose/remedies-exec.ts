// Remedies around starting and finishing an execution: a :run on a job that does not exist, a
// refused run (with or without overrides) remedied on the job itself, and a task that ran into
// its timeout. Roles and permissions from test/emulator/data/roles.json: roles/run.jobsExecutor
// holds run.jobs.run; roles/run.jobsExecutorWithOverrides adds run.jobs.runWithOverrides.
import { grantCommand, shellQuote } from '../iam/commands.ts';
import type { Finding, Grant } from '../model.ts';
import { type Base, cmd, flag, withSubject } from './remedy-parts.ts';

export function jobNotFound(
  o: Base & { job: string | undefined; region: string | undefined; project: string | undefined },
): Finding {
  const region = o.region ?? 'REGION';
  const project = o.project ?? 'PROJECT_ID';
  const f: Finding = {
    check: 'job-not-found',
    status: 'failed',
    title: `Job ${o.job ?? 'JOB'} does not exist in ${region} of project ${project}`,
    evidence: o.evidence,
    remedy:
      `Cloud Run has no job ${o.job ?? 'of that name'} in region ${region} of project ${project}: check job, region and project_id ` +
      '(a job lives in one region), or deploy it before executing.',
    resource: `projects/${project}/locations/${region}/jobs/${o.job ?? 'JOB'}`,
    command: cmd(['gcloud run jobs list', flag('region', region), flag('project', project)]),
  };
  return withSubject(f, o.subject ?? 'job');
}

/**
 * Starting the job was refused. The job exists by now, so the role is granted on the job itself:
 * roles/run.jobsExecutorWithOverrides when the run carried overrides, roles/run.jobsExecutor otherwise.
 */
export function runRefused(
  o: Base & {
    member: string | undefined;
    permission: string;
    jobName: string | undefined;
  },
): Finding {
  const overrides = o.permission === 'run.jobs.runWithOverrides';
  const role = overrides ? 'roles/run.jobsExecutorWithOverrides' : 'roles/run.jobsExecutor';
  const resource = o.jobName ?? 'projects/PROJECT_ID/locations/REGION/jobs/JOB';
  const grant: Grant = { kind: 'job', resource, role, member: o.member ?? 'DEPLOYER_MEMBER' };
  const f: Finding = {
    check: overrides ? 'deployer-overrides' : 'deployer-run',
    status: 'failed',
    title: overrides ? 'Deployer may not run the job with overrides' : 'Deployer may not run the job',
    permission: o.permission,
    role,
    resource,
    evidence: o.evidence,
    remedy:
      `Grant ${o.member ?? 'the identity the action deploys as'} ${role} on the job ${resource} (not on the project)` +
      `${overrides ? ': execute_args, execute_env_vars, execute_tasks and execute_task_timeout need run.jobs.runWithOverrides' : ''}.`,
    command: grantCommand(grant),
  };
  if (o.member) f.principal = o.member;
  return withSubject(f, o.subject ?? 'execute');
}

export function taskTimeout(
  o: Base & { execution: string | undefined; region: string | undefined; project: string | undefined },
): Finding {
  const id = o.execution?.split('/').pop();
  const f: Finding = {
    check: 'task-timeout',
    status: 'failed',
    title: 'A task ran into its timeout (task_timeout)',
    evidence: o.evidence,
    remedy:
      'Cloud Run stopped the task when task_timeout elapsed. Raise task_timeout (or execute_task_timeout for one run) to cover the work, ' +
      'or split the work across more tasks; retries (max_retries) start again with the same timeout.',
  };
  if (o.execution) f.resource = o.execution;
  if (id)
    f.command = cmd([
      'gcloud run jobs executions describe',
      shellQuote(id),
      o.region ? flag('region', o.region) : undefined,
      o.project ? flag('project', o.project) : undefined,
    ]);
  return withSubject(f, o.subject ?? 'task_timeout');
}
