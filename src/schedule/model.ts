// The schedule's data types (issue 21): what the schedule_* inputs ask for, the trigger the
// plan resolves from them, and what the step did with it. Pure types; imports nothing above.
import type { RunOverrides } from '../model.ts';

/**
 * Cloud Scheduler RetryConfig fields the inputs set (gcloud's --max-retry-attempts,
 * --max-retry-duration, --min-backoff, --max-backoff, --max-doublings); an absent field is
 * left as the trigger holds it (Google's default on a new trigger).
 */
export interface ScheduleRetry {
  retryCount?: number;
  maxRetryDuration?: string;
  minBackoffDuration?: string;
  maxBackoffDuration?: string;
  maxDoublings?: number;
}

/** The `schedule` input and its companions, validated. */
export type ScheduleInput =
  | {
      kind: 'set';
      /** unix-cron, five fields, whitespace normalised. */
      cron: string;
      /** tz database name (schedule_time_zone), default Etc/UTC as gcloud's --time-zone. */
      timeZone: string;
      /** schedule_service_account; absent: the job's own service account (see src/schedule/plan.ts). */
      serviceAccount?: string;
      paused: boolean;
      retry: ScheduleRetry;
      /** Duration JSON like "180s" (schedule_attempt_deadline). */
      attemptDeadline?: string;
      /** RunJobRequest.overrides the scheduled runs send (schedule_args, schedule_env_vars, ...). */
      overrides?: RunOverrides;
    }
  | { kind: 'remove' };

/** The trigger the plan manages for one Cloud Run job and region. */
export interface TriggerPlan {
  /** projects/P/locations/L/jobs/ID (the Cloud Scheduler job). */
  name: string;
  /** The Cloud Run job it runs, projects/P/locations/L/jobs/J. */
  target: string;
  project: string;
  location: string;
  /** Absent when the trigger is being removed. */
  serviceAccount?: string;
  serviceAccountProject?: string;
  /** The account is the job's own (schedule_service_account unset). */
  serviceAccountIsJobs?: boolean;
  /** service-NUMBER@gcp-sa-cloudscheduler.iam.gserviceaccount.com */
  serviceAgent: string;
  remove: boolean;
  /** schedule_paused: the trigger is kept paused. */
  paused: boolean;
  withOverrides: boolean;
}

export type TriggerAction = 'created' | 'updated' | 'unchanged' | 'deleted' | 'absent' | 'planned';

/** What the step did with the trigger, for the report and the outputs. */
export interface ScheduleResult {
  name: string;
  action: TriggerAction;
  /** What a dry run would do (create, update: fields, delete), or what changed. */
  change?: string;
  cron?: string;
  timeZone?: string;
  /** The schedule in words. */
  words?: string;
  /** The next runs, ISO 8601 UTC. */
  nextRuns?: string[];
  paused?: boolean;
  serviceAccount?: string;
  consoleUrl: string;
}
