// Requirement rows of the schedule (issue 21): what a Cloud Scheduler trigger that runs the job
// needs, as data the checks, fixes and report use like every other row. Pure.
// Sources, per row:
// - scheduler-api: the Cloud Scheduler API must be enabled in the project
//   (https://cloud.google.com/run/docs/execute/jobs-on-schedule, "Before you begin").
// - trigger-sa: the trigger's account must exist and be enabled to be issued tokens; it must be
//   in the trigger's project (OAuthToken.serviceAccountEmail, gcloud's
//   cloudscheduler_v1_messages.py; https://cloud.google.com/scheduler/docs/http-target-auth),
//   which src/schedule/plan.ts enforces before any request.
// - trigger-actas: whoever creates or updates the trigger needs iam.serviceAccounts.actAs on its
//   account (OAuthToken.serviceAccountEmail, same file; roles/iam.serviceAccountUser,
//   test/emulator/data/roles.json).
// - deployer-scheduler: creating triggers needs cloudscheduler.jobs.create (or Cloud Scheduler
//   Admin, roles/cloudscheduler.admin, grantable on the project at the lowest:
//   https://cloud.google.com/iam/docs/roles-permissions/cloudscheduler); update, get, pause and
//   delete are that role's cloudscheduler.jobs.* permissions of the same name.
// - trigger-run: the trigger's account needs run.jobs.run on the job, Cloud Run Invoker
//   (roles/run.invoker) on the job in Google's page above; with overrides run.jobs.runWithOverrides,
//   whose narrowest predefined role is roles/run.jobsExecutorWithOverrides (roles.json).
// - scheduler-agent: the Cloud Scheduler service agent,
//   service-PROJECT_NUMBER@gcp-sa-cloudscheduler.iam.gserviceaccount.com, must keep
//   roles/cloudscheduler.serviceAgent on the project, else every authenticated target answers 403
//   (https://cloud.google.com/scheduler/docs/http-target-auth); the role is what lets it mint the
//   account's tokens (iam.serviceAccounts.getAccessToken, in its permissions in roles.json).
//   A project-level binding: restored by an administrator, never granted by `fix`.
import type { DeployPlan, TriggerPlan } from '../model.ts';
import { enableServiceCommand } from './commands.ts';
import type { CallerRequirement, PrincipalRequirement, Requirement } from './requirements.ts';
import {
  ADMIN_ON_PROJECT,
  FIX_ON_JOB,
  FIX_ON_RESOURCE,
  type RequirementRow,
  type RowContext,
} from './rows.ts';

export const SCHEDULER_API = 'cloudscheduler.googleapis.com';
export const SCHEDULER_AGENT_ROLE = 'roles/cloudscheduler.serviceAgent';

/** The permissions managing the trigger takes: read it, then write it (or delete it). */
export function schedulerPermissions(trigger: TriggerPlan): string[] {
  if (trigger.remove) return ['cloudscheduler.jobs.get', 'cloudscheduler.jobs.delete'];
  return [
    'cloudscheduler.jobs.get',
    'cloudscheduler.jobs.create',
    'cloudscheduler.jobs.update',
    ...(trigger.paused ? ['cloudscheduler.jobs.pause'] : []),
  ];
}

/** The trigger account's right to run the job, granted on the job itself (so only once the job exists). */
export function triggerRunRequirement(plan: DeployPlan, trigger: TriggerPlan): PrincipalRequirement {
  const member = `serviceAccount:${trigger.serviceAccount ?? ''}`;
  const permission = trigger.withOverrides ? 'run.jobs.runWithOverrides' : 'run.jobs.run';
  const role = trigger.withOverrides ? 'roles/run.jobsExecutorWithOverrides' : 'roles/run.invoker';
  const verb = trigger.withOverrides ? `run job ${plan.job} with overrides` : `run job ${plan.job}`;
  return {
    type: 'principal',
    check: 'trigger-run',
    title: `The trigger's account ${trigger.serviceAccount} cannot ${verb}`,
    holds: `The trigger's account ${trigger.serviceAccount} can ${verb}`,
    subject: trigger.serviceAccountIsJobs ? 'schedule' : 'schedule_service_account',
    principal: member,
    permission,
    role,
    resource: { kind: 'job', name: plan.jobName },
    project: plan.project,
    grant: { kind: 'job', resource: plan.jobName, role, member },
    note: 'Cloud Scheduler calls jobs:run with an OAuth token of this account; without the permission every scheduled run answers 403',
  };
}

export function scheduleRequirements(plan: DeployPlan, deployer: string | undefined): Requirement[] {
  const trigger = plan.trigger;
  if (!trigger) return [];
  const project = `projects/${plan.project}`;
  const out: Requirement[] = [];
  const manage: CallerRequirement = {
    type: 'caller',
    check: 'deployer-scheduler',
    title: `Deployer cannot ${trigger.remove ? 'delete' : 'create or update'} Cloud Scheduler jobs in project ${plan.project}`,
    holds: `Deployer can ${trigger.remove ? 'delete' : 'create and update'} Cloud Scheduler jobs in project ${plan.project}`,
    subject: 'schedule',
    permissions: schedulerPermissions(trigger),
    role: 'roles/cloudscheduler.admin',
    resource: { kind: 'project', name: project },
    note: 'Cloud Scheduler jobs have no IAM policy of their own: the role is held on the project',
  };
  if (deployer) {
    manage.principal = deployer;
    manage.remedyGrant = { kind: 'project', resource: project, role: manage.role, member: deployer };
  }
  out.push(manage);
  if (trigger.remove || !trigger.serviceAccount) return out;

  const email = trigger.serviceAccount;
  const saProject = trigger.serviceAccountProject ?? plan.project;
  const saName = `projects/${saProject}/serviceAccounts/${email}`;
  out.push({
    type: 'lookup',
    check: 'scheduler-api',
    title: `The Cloud Scheduler API is not enabled in project ${plan.project}`,
    holds: `The Cloud Scheduler API is enabled in project ${plan.project}`,
    subject: 'schedule',
    kind: 'service',
    name: `${project}/services/${SCHEDULER_API}`,
    expect: { field: 'state', value: 'ENABLED' },
    remedy: `Enable ${SCHEDULER_API} in project ${plan.project}: the trigger is a Cloud Scheduler job.`,
    command: enableServiceCommand(SCHEDULER_API, plan.project),
  });
  // The job's own account is already checked (runtime-sa, deployer-actas): no second row.
  if (!trigger.serviceAccountIsJobs && email !== plan.serviceAccount) {
    out.push({
      type: 'service-account',
      check: 'trigger-sa',
      title: `The trigger's account ${email} is missing or disabled`,
      holds: `The trigger's account ${email} exists and is enabled`,
      subject: 'schedule_service_account',
      email,
      project: saProject,
      isDefault: false,
    });
    const actAs: CallerRequirement = {
      type: 'caller',
      check: 'trigger-actas',
      title: `Deployer cannot act as the trigger's account ${email}`,
      holds: `Deployer can act as the trigger's account ${email}`,
      subject: 'schedule_service_account',
      permissions: ['iam.serviceAccounts.actAs'],
      role: 'roles/iam.serviceAccountUser',
      resource: { kind: 'serviceAccount', name: saName },
      note: 'Cloud Scheduler refuses to create or update a trigger whose OAuth account the caller may not act as',
    };
    if (deployer) {
      actAs.principal = deployer;
      actAs.grant = { kind: 'serviceAccount', resource: saName, role: actAs.role, member: deployer };
      actAs.actsAs = { member: `serviceAccount:${email}`, project: saProject };
    }
    out.push(actAs);
  }
  const agent = `serviceAccount:${trigger.serviceAgent}`;
  out.push({
    type: 'principal',
    check: 'scheduler-agent',
    title: `The Cloud Scheduler service agent cannot get tokens for ${email}: it lacks ${SCHEDULER_AGENT_ROLE} on project ${plan.project}`,
    holds: `The Cloud Scheduler service agent can get tokens for the trigger's account ${email}`,
    subject: 'schedule',
    principal: agent,
    permission: 'iam.serviceAccounts.getAccessToken',
    role: SCHEDULER_AGENT_ROLE,
    resource: { kind: 'serviceAccount', name: saName },
    project: plan.project,
    grant: { kind: 'project', resource: project, role: SCHEDULER_AGENT_ROLE, member: agent },
    note: `the service agent holds this through its role ${SCHEDULER_AGENT_ROLE} on project ${plan.project}; only a project IAM administrator can restore it (Google grants it when the API is enabled)`,
  });
  // On a job that exists now; a new job's policy is written after it is created (src/schedule/iam.ts).
  if (plan.jobExists === true) out.push(triggerRunRequirement(plan, trigger));
  return out;
}

const bySchedule =
  (check: string) =>
  (plan: DeployPlan, ctx: RowContext): Requirement[] =>
    scheduleRequirements(plan, ctx.deployer).filter((r) => r.check === check);

const SOURCE = 'See the sources at the top of src/iam/requirements-schedule.ts (issue 21)';

/** The schedule's rows (data, see rows.ts), in report order; expanded from the plan's trigger. */
export const SCHEDULE_ROWS: readonly RequirementRow[] = [
  {
    check: 'deployer-scheduler',
    type: 'caller',
    who: 'deployer',
    permissions: [
      'cloudscheduler.jobs.get',
      'cloudscheduler.jobs.create',
      'cloudscheduler.jobs.update',
      'cloudscheduler.jobs.pause',
      'cloudscheduler.jobs.delete',
    ],
    role: 'roles/cloudscheduler.admin',
    ...ADMIN_ON_PROJECT,
    source: SOURCE,
    expand: bySchedule('deployer-scheduler'),
  },
  {
    check: 'scheduler-api',
    type: 'lookup',
    who: 'deployer',
    permissions: ['serviceusage.services.get'],
    grantableAt: [],
    closedBy: 'none',
    source: SOURCE,
    expand: bySchedule('scheduler-api'),
  },
  {
    check: 'trigger-sa',
    type: 'service-account',
    who: 'deployer',
    permissions: [],
    grantableAt: [],
    closedBy: 'none',
    source: SOURCE,
    expand: bySchedule('trigger-sa'),
  },
  {
    check: 'trigger-actas',
    type: 'caller',
    who: 'deployer',
    permissions: ['iam.serviceAccounts.actAs'],
    role: 'roles/iam.serviceAccountUser',
    ...FIX_ON_RESOURCE,
    source: SOURCE,
    expand: bySchedule('trigger-actas'),
  },
  {
    check: 'scheduler-agent',
    type: 'principal',
    who: 'service agent',
    permissions: ['iam.serviceAccounts.getAccessToken'],
    role: SCHEDULER_AGENT_ROLE,
    ...ADMIN_ON_PROJECT,
    source: SOURCE,
    expand: bySchedule('scheduler-agent'),
  },
  {
    check: 'trigger-run',
    type: 'principal',
    who: 'trigger account',
    permissions: ['run.jobs.run', 'run.jobs.runWithOverrides'],
    role: 'roles/run.invoker',
    ...FIX_ON_JOB,
    source: SOURCE,
    expand: bySchedule('trigger-run'),
  },
];
