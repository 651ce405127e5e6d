// The trigger a deploy plan manages: one Cloud Scheduler job per Cloud Run job and region, in
// the job's region and project, named after the job so the action finds its own trigger again
// (and recognises, by its description, a job it did not make under that name). Pure.
// Facts: the trigger's OAuth service account must belong to the project the Cloud Scheduler job
// is created in (OAuthToken.serviceAccountEmail in gcloud's cloudscheduler_v1_messages.py;
// https://cloud.google.com/scheduler/docs/http-target-auth), and the Cloud Scheduler service
// agent is service-PROJECT_NUMBER@gcp-sa-cloudscheduler.iam.gserviceaccount.com (same page).
import { InputError } from '../job-rules/input-error.ts';
import type { DeployPlan, ScheduleInput, TriggerPlan } from '../model.ts';

/** Suffix of the trigger's id: the job's name, then this (Cloud Scheduler ids take letters, digits, - and _). */
export const TRIGGER_SUFFIX = '-github-trigger';

export function triggerName(project: string, region: string, job: string): string {
  return `projects/${project}/locations/${region}/jobs/${job}${TRIGGER_SUFFIX}`;
}

export function schedulerAgent(projectNumber: string): string {
  return `service-${projectNumber}@gcp-sa-cloudscheduler.iam.gserviceaccount.com`;
}

/** The project a service account email names (user-managed accounts), else undefined. */
function projectOfAccount(email: string): string | undefined {
  return /@([^.]+)\.iam\.gserviceaccount\.com$/.exec(email)?.[1];
}

/**
 * The trigger of `plan`. The account defaults to the job's own service account: the deployer is
 * already proven to act as it (deployer-actas), so the schedule adds one grant, run on this job.
 */
export function triggerPlan(input: ScheduleInput, plan: DeployPlan): TriggerPlan {
  const base = {
    name: triggerName(plan.project, plan.region, plan.job),
    target: plan.jobName,
    project: plan.project,
    location: plan.region,
    serviceAgent: schedulerAgent(plan.projectNumber),
  };
  if (input.kind === 'remove') return { ...base, remove: true, paused: false, withOverrides: false };
  const explicit = input.serviceAccount;
  const account = explicit ?? plan.serviceAccount;
  const accountProject = explicit ? (projectOfAccount(explicit) ?? plan.project) : plan.serviceAccountProject;
  if (accountProject !== plan.project)
    throw new InputError([
      `Input "schedule_service_account": the trigger would run as ${account}, an account of project ${accountProject}, but Cloud Scheduler only sends tokens of accounts in the project the trigger lives in (${plan.project}); set schedule_service_account to a service account of project ${plan.project}`,
    ]);
  return {
    ...base,
    remove: false,
    paused: input.paused,
    serviceAccount: account,
    serviceAccountProject: accountProject,
    serviceAccountIsJobs: explicit === undefined,
    withOverrides: input.overrides !== undefined,
  };
}
