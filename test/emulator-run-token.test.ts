// Job writes with runExecutionToken / startExecutionToken on the emulator (run v2 Job message:
// "a unique string used as a suffix for creating a new execution; the Job will become ready when
// the execution is successfully completed / started; job name + token under 63 characters"),
// driven by the real @googleapis/run client over HTTP.
import type { run_v2 } from '@googleapis/run';
import { describe, expect, it } from 'vitest';
import {
  APP,
  DEPLOYER,
  FAILING_IMAGE,
  IMAGE,
  REGION,
  RUNNER,
  runWorld,
  v2Job,
} from './emulator/run-world.ts';
import { runV2Client, useEmulator } from './helpers/emulator.ts';

const parent = `projects/${APP.id}/locations/${REGION}`;

const client = (email: string) => runV2Client(emu(), email);

async function write(id: string, body: object) {
  const run = client(DEPLOYER);
  const { data: op } = await run.projects.locations.jobs.create({ parent, jobId: id, requestBody: body });
  const { data } = await run.projects.locations.operations.wait({
    name: op.name as string,
    requestBody: { timeout: '10s' },
  });
  return data;
}

const emu = useEmulator({ scenario: runWorld() });

describe('execution tokens', () => {
  it('runExecutionToken: the write completes with the execution JOB-TOKEN, succeeded', async () => {
    const op = await write('tok-run', {
      ...v2Job(IMAGE, { serviceAccount: RUNNER }),
      runExecutionToken: 'abc12',
    });
    expect(op.error).toBeUndefined();
    const job = op.response as run_v2.Schema$GoogleCloudRunV2Job;
    expect(job.latestCreatedExecution?.name).toBe(`${parent}/jobs/tok-run/executions/tok-run-abc12`);
    expect(job.latestCreatedExecution?.completionStatus).toBe('EXECUTION_SUCCEEDED');
    expect(job.terminalCondition?.state).toBe('CONDITION_SUCCEEDED');
    const execution = emu().world.executions[`${parent}/jobs/tok-run/executions/tok-run-abc12`];
    expect(execution?.succeededCount).toBe(1);
  });

  it('startExecutionToken: the write completes once the execution started, before it ends', async () => {
    const op = await write('tok-start', {
      ...v2Job(IMAGE, { serviceAccount: RUNNER }),
      startExecutionToken: 'x1',
    });
    const job = op.response as run_v2.Schema$GoogleCloudRunV2Job;
    expect(job.latestCreatedExecution?.name).toMatch(/\/executions\/tok-start-x1$/);
    expect(job.latestCreatedExecution?.completionStatus).toBe('EXECUTION_PENDING');
    const execution = emu().world.executions[String(job.latestCreatedExecution?.name)];
    expect(execution?.completionTime).toBeUndefined();
    expect(execution?.startTime).toBeDefined();
  });

  it('a failed execution fails the write, and the job names it as failed', async () => {
    const op = await write('tok-fail', {
      ...v2Job(FAILING_IMAGE, { serviceAccount: RUNNER }),
      runExecutionToken: 'f1',
    });
    expect(op.error?.message).toMatch(/exit code 3/);
    const job = op.metadata as run_v2.Schema$GoogleCloudRunV2Job;
    expect(job.latestCreatedExecution?.completionStatus).toBe('EXECUTION_FAILED');
    expect(job.terminalCondition?.state).toBe('CONDITION_FAILED');
  });

  it('refuses a token that makes the execution name too long, storing nothing', async () => {
    const run = client(DEPLOYER);
    const id = 'a'.repeat(50);
    const err = await run.projects.locations.jobs
      .create({
        parent,
        jobId: id,
        requestBody: { ...v2Job(IMAGE, { serviceAccount: RUNNER }), runExecutionToken: 'b'.repeat(13) },
      })
      .then(
        () => undefined,
        (e: { response?: { status: number; data: { error: { status: string } } } }) => e.response,
      );
    expect(err?.status).toBe(400);
    expect(err?.data.error.status).toBe('INVALID_ARGUMENT');
    expect(JSON.stringify(err?.data)).toContain('execution token');
    expect(emu().world.jobs[`${parent}/jobs/${id}`]).toBeUndefined();
  });
});
