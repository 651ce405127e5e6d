// A failed execution, end to end through the bundled action on a pull_request: the summary and
// the sticky comment show the failed tasks with their exit codes and the failing task's last
// log lines (Cloud Logging entries.list) when the deployer may read logs; otherwise the log
// link and the permission (logging.logEntries.list, roles/logging.viewer) that would show them.
// Log text is the job's own output: it reaches Markdown neutralised.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEPLOYER,
  demo,
  IMAGE_BASE,
  pullRequestEvent,
  stepInputs,
  WORKFLOW,
  workflowEnv,
  workflowFile,
} from './helpers/diagnose-e2e.ts';
import { withEmulator } from './helpers/e2e-emulator.ts';
import { ensureBuilt, runAction } from './helpers/run-action.ts';

beforeAll(() => ensureBuilt(), 120_000);

const TOKEN = 'ghs_demo_write_token';
const pullRequest = pullRequestEvent();

function failingWorld(canReadLogs: boolean, logSearchCutShort?: number) {
  const world = demo();
  // Cloud Logging answers empty pages with a nextPageToken first, as a search cut short does.
  if (logSearchCutShort !== undefined) world.logSearchCutShort = logSearchCutShort;
  world.imageExitCodes = { [IMAGE_BASE]: 3 };
  world.imageLogs = {
    [IMAGE_BASE]: [
      'loading report for 2026-11-30',
      'ERROR: relation "payments" does not exist',
      '<img src=x onerror=alert(1)> @octocat',
    ],
  };
  if (canReadLogs)
    world.projects[0]?.policy?.bindings?.push({
      role: 'roles/logging.viewer',
      members: [`serviceAccount:${DEPLOYER}`],
    });
  return world;
}

async function run(canReadLogs: boolean, logSearchCutShort?: number) {
  return withEmulator(failingWorld(canReadLogs, logSearchCutShort), async (emu) => {
    const inputs = stepInputs({ iam: 'off', execute: 'true', github_token: TOKEN });
    const res = await runAction({
      emulator: emu,
      inputs,
      files: { [WORKFLOW]: workflowFile(inputs) },
      env: workflowEnv(),
      event: pullRequest,
    });
    const logReads = emu.requestLog.filter((r) => r.path === '/v2/entries:list').length;
    return { res, comment: emu.world.github.comments[7]?.[0]?.body ?? '', logReads };
  });
}

describe.concurrent('a failed execution people can see', () => {
  it('shows failed tasks, exit codes and the last log lines when logs are readable', async () => {
    const { res, comment } = await run(true);
    expect(res.code, res.stdout).toBe(1);
    expect(res.outputs.execution_status).toBe('failed');
    for (const body of [res.summary, comment]) {
      expect(body).toContain('### Failed execution');
      expect(body).toMatch(/\| 0 \| 3 \| 3 \| The container exited with an error \\\(exit code 3\\\)\. \|/);
      expect(body).toContain('Last lines of task 0, attempt 4');
      expect(body).toContain('ERROR: relation "payments" does not exist');
      // The lines of the last attempt, in order, ending with Cloud Run's own line.
      expect(body.indexOf('loading report')).toBeLessThan(body.indexOf('Container called exit(3).'));
      // Inside a fenced block the job's output is inert: no raw HTML outside it, no live mention.
      const fence = body.slice(body.indexOf('Last lines of task 0'));
      // Only the last attempt: each line once.
      expect(fence.split('Container called exit(3).')).toHaveLength(2);
      expect(fence).toMatch(/```+\n[\s\S]*<img src=x onerror=alert\(1\)>[\s\S]*\n```+/);
    }
  });

  it('a log search cut short (empty pages with a token) still shows the last lines', async () => {
    const { res, comment, logReads } = await run(true, 2);
    expect(res.code, res.stdout).toBe(1);
    // Two empty pages, then the page with the lines.
    expect(logReads).toBe(3);
    for (const body of [res.summary, comment]) {
      expect(body).toContain('Last lines of task 0, attempt 4');
      expect(body).toContain('ERROR: relation "payments" does not exist');
      expect(body.indexOf('loading report')).toBeLessThan(body.indexOf('Container called exit(3).'));
    }
  });

  it('without logging.logEntries.list: the log link and the permission that would show the lines', async () => {
    const { res, comment } = await run(false);
    expect(res.code).toBe(1);
    for (const body of [res.summary, comment]) {
      expect(body).toMatch(/\| 0 \| 3 \| 3 \|/);
      expect(body).toContain('`logging.logEntries.list` (`roles/logging.viewer`)');
      expect(body).toMatch(
        /\[the execution’s logs\]\(https:\/\/console\.cloud\.google\.com\/logs\/viewer\?project=demo-app/,
      );
      expect(body).not.toContain('relation "payments"');
    }
  });
});
