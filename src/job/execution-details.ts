// After an execution fails: which tasks failed with which exit code (Cloud Run v2 tasks.list)
// and the last lines the first failing task logged (Cloud Logging entries.list, when the
// deployer may read logs; otherwise the permission and role that would show them). Two bounded
// reads; a refused or failed read becomes a reason, never an error.
import type { ApiContext } from '../gcp/clients.ts';
import { toApiError } from '../gcp/errors.ts';
import { type LogEntry, listLogEntries } from '../gcp/logging.ts';
import { listTasks } from '../gcp/run.ts';
import type { ExecutionDetails } from '../model.ts';

/** How many of the task's last log lines the report shows. */
export const LOG_LINES = 20;

const LOG_PERMISSION = 'logging.logEntries.list';
const LOG_ROLE = 'roles/logging.viewer';

/** projects/P/locations/L/jobs/J/executions/E -> its parts. */
function parts(execution: string) {
  const m = /^projects\/([^/]+)\/locations\/([^/]+)\/jobs\/([^/]+)\/executions\/([^/]+)$/.exec(execution);
  return m
    ? { project: m[1] as string, location: m[2] as string, job: m[3] as string, id: m[4] as string }
    : undefined;
}

/** Pure: the Cloud Logging filter for one task (its last attempt, when known) of one execution of a job. */
export function taskLogFilter(
  job: string,
  location: string,
  execution: string,
  task: number,
  attempt?: number,
): string {
  return [
    'resource.type="cloud_run_job"',
    `resource.labels.job_name="${job}"`,
    `resource.labels.location="${location}"`,
    `labels."run.googleapis.com/execution_name"="${execution}"`,
    `labels."run.googleapis.com/task_index"="${task}"`,
    ...(attempt === undefined ? [] : [`labels."run.googleapis.com/task_attempt"="${attempt}"`]),
  ].join(' AND ');
}

/** Pure: entries (newest first) -> lines (oldest first), one line per entry. */
export function logLines(entries: readonly LogEntry[]): string[] {
  return entries
    .map(
      (e) =>
        e.textPayload ??
        (e.jsonPayload ? String(e.jsonPayload.message ?? JSON.stringify(e.jsonPayload)) : ''),
    )
    .filter((l) => l !== '')
    .reverse();
}

export async function executionDetails(ctx: ApiContext, execution: string): Promise<ExecutionDetails> {
  const details: ExecutionDetails = { failedTasks: [] };
  const at = parts(execution);
  if (!at) return { ...details, tasksUnavailable: `not an execution name: ${execution}` };
  try {
    for (const t of await listTasks(ctx, execution)) {
      const failed = (t.exitCode ?? 0) !== 0 || (t.statusCode ?? 0) !== 0;
      if (!failed) continue;
      const task: ExecutionDetails['failedTasks'][number] = { index: t.index };
      if (t.exitCode !== undefined) task.exitCode = t.exitCode;
      if (t.message) task.message = t.message;
      if (t.retried !== undefined) task.retried = t.retried;
      details.failedTasks.push(task);
    }
  } catch (e) {
    details.tasksUnavailable = toApiError(e).message;
  }
  const failed = details.failedTasks[0];
  const first = failed?.index ?? 0;
  try {
    const filter = taskLogFilter(at.job, at.location, at.id, first, failed?.retried);
    const entries = await listLogEntries(ctx, at.project, filter, LOG_LINES);
    details.log = { task: first, lines: logLines(entries) };
    if (failed?.retried !== undefined) details.log.attempt = failed.retried;
  } catch (e) {
    const err = toApiError(e);
    details.logUnavailable =
      err.status === 'PERMISSION_DENIED'
        ? { reason: err.message, permission: LOG_PERMISSION, role: LOG_ROLE }
        : { reason: err.message };
  }
  return details;
}
