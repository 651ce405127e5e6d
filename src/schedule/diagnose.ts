// Cloud Scheduler's own refusals of the trigger, in words a user acts on; anything else goes to
// the general diagnosis (src/diagnose/index.ts asks here first). Decided from the structured
// status, the words only where Google gives nothing else.
// Sources: "Schedule or time zone is invalid." is Cloud Scheduler's INVALID_ARGUMENT for a
// schedule or time zone it does not take (googleapis/google-cloud-go#1352,
// hashicorp/terraform#31571); a location the API does not serve is NOT_FOUND on the location
// (the locations are listed by projects.locations.list, gcloud's cloudscheduler_v1_client.py);
// 429 RESOURCE_EXHAUSTED is a quota (google.rpc.Code).
import type { ApiError } from '../gcp/errors.ts';
import type { Finding } from '../model.ts';

const JOB = /Cloud Scheduler job (projects\/([^/]+)\/locations\/([^/]+)\/jobs\/\S+)/;

export function diagnoseScheduler(api: ApiError, attempting: string | undefined): Finding | undefined {
  const m = JOB.exec(attempting ?? '');
  if (!m && api.service !== 'cloudscheduler.googleapis.com') return undefined;
  const [, name = 'the trigger', project = '', location = ''] = m ?? [];
  const evidence = `${api.status}${api.httpStatus ? ` (HTTP ${api.httpStatus})` : ''}: ${api.message}`;
  const base = { status: 'failed' as const, evidence, resource: name };
  if (api.status === 'INVALID_ARGUMENT' && /schedule or time zone/i.test(api.message))
    return {
      ...base,
      check: 'scheduler-schedule',
      title: 'Cloud Scheduler refused the schedule or its time zone',
      remedy:
        'Use a five-field unix-cron schedule (no L, names in capitals) and a tz database time zone name such as Europe/Paris or Etc/UTC in schedule and schedule_time_zone.',
      subject: 'schedule',
    };
  if (api.status === 'NOT_FOUND' && /location/i.test(api.message))
    return {
      ...base,
      check: 'scheduler-region',
      title: `Cloud Scheduler does not serve region ${location || 'of the job'}`,
      remedy: `The trigger lives in the job's region. List where Cloud Scheduler runs with gcloud scheduler locations list --project=${project || 'PROJECT'}; deploy the job to one of those regions or remove the schedule input.`,
      subject: 'region',
    };
  if (api.status === 'RESOURCE_EXHAUSTED' || api.httpStatus === 429)
    return {
      ...base,
      check: 'scheduler-quota',
      title: 'Cloud Scheduler refused the trigger: a quota is used up',
      remedy:
        'Nothing was changed by the refused request. Re-run later, or ask for a higher Cloud Scheduler quota (jobs per project, or requests per minute) in the console.',
      subject: 'schedule',
    };
  return undefined;
}
