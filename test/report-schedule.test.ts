// The schedule and timings in the summary: the trigger with its console link and what was done
// to it, the schedule in words, the next runs in the trigger's own time zone, and the timings.
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../src/model.ts';
import { renderSchedule, renderTimings } from '../src/report/schedule.ts';

const result = (over: Partial<RunResult> = {}): RunResult => ({ findings: [], granted: [], ...over });

describe('renderSchedule', () => {
  it('says the schedule in words with its next runs in its zone', () => {
    const text = renderSchedule(
      result({
        schedule: {
          name: 'projects/app/locations/europe-west1/jobs/nightly-github-trigger',
          action: 'updated',
          change: 'update schedule of',
          cron: '0 3 * * *',
          timeZone: 'America/New_York',
          words: 'at 03:00 every day',
          nextRuns: ['2026-12-08T08:00:00.000Z', '2026-12-09T08:00:00.000Z'],
          serviceAccount: 'sched@app.iam.gserviceaccount.com',
          consoleUrl:
            'https://console.cloud.google.com/cloudscheduler/jobs/edit/europe-west1/nightly-github-trigger?project=app',
        },
      }),
    );
    expect(text).toContain(
      '**Trigger** [nightly-github-trigger](https://console.cloud.google.com/cloudscheduler/jobs/edit/europe-west1/nightly-github-trigger?project=app) updated: update schedule of',
    );
    expect(text).toContain('- Schedule `0 3 * * *`: at 03:00 every day (America/New\\_York)');
    expect(text).toContain('- Runs the job as `sched@app.iam.gserviceaccount.com`');
    expect(text).toContain(
      '- Next runs: 2026-12-08 03:00 \\(America/New\\_York\\), 2026-12-09 03:00 \\(America/New\\_York\\)',
    );
  });
  it('a removed trigger has no schedule lines; no schedule, no section', () => {
    const text = renderSchedule(
      result({
        schedule: {
          name: 'projects/a/locations/l/jobs/j-github-trigger',
          action: 'deleted',
          consoleUrl: 'https://c.example/x',
        },
      }),
    );
    expect(text).toBe('**Trigger** [j-github-trigger](https://c.example/x) deleted');
    expect(renderSchedule(result())).toBeUndefined();
  });
});

describe('renderTimings', () => {
  it('says when the step started, deployed and executed and how long it took', () => {
    expect(
      renderTimings(
        result({
          timings: {
            started: '2026-12-07T12:00:00.000Z',
            deployed: '2026-12-07T12:00:05.000Z',
            executed: '2026-12-07T12:00:06.000Z',
            durationMs: 61_250,
          },
        }),
      ),
    ).toBe(
      '**Timings** started 2026-12-07T12:00:00.000Z · deployed 2026-12-07T12:00:05.000Z · executed 2026-12-07T12:00:06.000Z · took 61.3 s',
    );
    expect(renderTimings(result())).toBeUndefined();
  });
});
