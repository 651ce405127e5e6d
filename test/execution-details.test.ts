// The pure parts of a failed execution's report: the Cloud Logging filter for one task's last
// attempt, entries to lines, and the Markdown section (task logs are untrusted text).
import { describe, expect, it } from 'vitest';
import { logLines, taskLogFilter } from '../src/job/execution-details.ts';
import { renderExecutionDetails } from '../src/report/execution.ts';

describe('taskLogFilter and logLines', () => {
  it('names the job, location, execution, task and attempt', () => {
    expect(taskLogFilter('migrate', 'us-central1', 'migrate-abc12', 0, 3)).toBe(
      'resource.type="cloud_run_job" AND resource.labels.job_name="migrate" AND resource.labels.location="us-central1" AND ' +
        'labels."run.googleapis.com/execution_name"="migrate-abc12" AND labels."run.googleapis.com/task_index"="0" AND ' +
        'labels."run.googleapis.com/task_attempt"="3"',
    );
    expect(taskLogFilter('j', 'r', 'e', 1)).not.toContain('task_attempt');
  });
  it('turns newest-first entries into oldest-first lines, text or JSON message', () => {
    expect(
      logLines([
        { textPayload: 'Container called exit(1).' },
        { jsonPayload: { message: 'connecting', severity: 'INFO' } },
        { textPayload: '' },
        { textPayload: 'starting' },
      ]),
    ).toEqual(['starting', 'connecting', 'Container called exit(1).']);
  });
});

describe('renderExecutionDetails', () => {
  const base = {
    name: 'projects/p/locations/r/jobs/j/executions/e',
    status: 'failed' as const,
    logUri: 'https://console.cloud.google.com/logs/viewer?project=p',
  };
  it('nothing without details', () => {
    expect(renderExecutionDetails(base)).toBeUndefined();
  });
  it('a table of failed tasks and the fenced last lines, neutralised', () => {
    const out = renderExecutionDetails({
      ...base,
      details: {
        failedTasks: [{ index: 2, exitCode: 1, retried: 0, message: 'exit | @team <b>' }],
        log: { task: 2, attempt: 0, lines: ['```', 'oops @team'] },
      },
    });
    expect(out).toContain('| 2 | 1 | 0 | exit \\| @\u200bteam &lt;b&gt; |');
    expect(out).toContain(
      'Last lines of task 2 ([the execution’s logs](https://console.cloud.google.com/logs/viewer?project=p)):',
    );
    expect(out).toMatch(/````\n```\noops @team\n````/);
  });
  it('the permission that would show the lines, when logs could not be read', () => {
    const out = renderExecutionDetails({
      ...base,
      details: {
        failedTasks: [],
        tasksUnavailable: 'denied',
        logUnavailable: {
          reason: 'denied',
          permission: 'logging.logEntries.list',
          role: 'roles/logging.viewer',
        },
      },
    });
    expect(out).toContain('The tasks could not be listed: denied');
    expect(out).toContain('`logging.logEntries.list` (`roles/logging.viewer`)');
  });
});
