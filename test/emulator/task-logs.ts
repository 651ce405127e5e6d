// What an execution's tasks leave behind: v2 Task records (index, attempts, exit code of the
// last attempt) and Cloud Logging entries as Cloud Run writes them for jobs: resource type
// cloud_run_job with job_name/location/project_id labels, the execution name and task index in
// the entry labels, stderr lines, then the system line "Container called exit(N).".
import { randomBytes } from 'node:crypto';
import type { World } from './contract.ts';
import type { JobRef, Json } from './run-model.ts';
import { jobName, str, timestamp } from './run-model.ts';

export interface TaskOutcome {
  exitCode: number;
  /** Lines every failing attempt prints to stderr before exiting. */
  lines: string[];
  maxRetries: number;
}

function entry(
  ref: JobRef,
  execution: string,
  index: number,
  attempt: number,
  log: string,
  severity: string,
  text: string,
): Json {
  const now = timestamp();
  return {
    insertId: randomBytes(6).toString('hex'),
    logName: `projects/${ref.projectId}/logs/${encodeURIComponent(log)}`,
    resource: {
      type: 'cloud_run_job',
      labels: { job_name: ref.job, location: ref.location, project_id: ref.projectId },
    },
    labels: {
      'run.googleapis.com/execution_name': execution,
      'run.googleapis.com/task_index': String(index),
      'run.googleapis.com/task_attempt': String(attempt),
      instanceId: randomBytes(16).toString('hex'),
    },
    severity,
    textPayload: text,
    timestamp: now,
    receiveTimestamp: now,
  };
}

/** Record the tasks of a finished execution and their logs (a failing task logs each attempt). */
export function recordTasks(world: World, ref: JobRef, execution: Json, outcome: TaskOutcome): void {
  const name = str(execution.name) ?? '';
  const id = name.split('/').pop() ?? '';
  const count = Number(execution.taskCount ?? 1);
  const attempts = outcome.exitCode === 0 ? 1 : outcome.maxRetries + 1;
  const tasks: Json[] = [];
  for (let index = 0; index < count; index++) {
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (outcome.exitCode === 0) continue;
      for (const line of outcome.lines)
        world.connected.logEntries.push(
          entry(ref, id, index, attempt, 'run.googleapis.com/stderr', 'ERROR', line),
        );
      world.connected.logEntries.push(
        entry(
          ref,
          id,
          index,
          attempt,
          'run.googleapis.com/varlog/system',
          'WARNING',
          `Container called exit(${outcome.exitCode}).`,
        ),
      );
    }
    const now = timestamp();
    tasks.push({
      name: `${jobName(ref)}/executions/${id}/tasks/${id}-task${index}`,
      job: ref.job,
      execution: id,
      index,
      retried: attempts - 1,
      startTime: str(execution.startTime) ?? now,
      completionTime: now,
      lastAttemptResult: {
        status:
          outcome.exitCode === 0
            ? { code: 0 }
            : { code: 2, message: `The container exited with an error (exit code ${outcome.exitCode}).` },
        exitCode: outcome.exitCode,
      },
      conditions: [
        {
          type: 'Completed',
          state: outcome.exitCode === 0 ? 'CONDITION_SUCCEEDED' : 'CONDITION_FAILED',
          lastTransitionTime: now,
        },
      ],
      logUri: str(execution.logUri),
    });
  }
  world.connected.tasks[name] = tasks;
}
