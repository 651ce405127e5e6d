// Work that outlives the caller's wait: an execution a runExecutionToken write starts keeps
// running (world.imageRunMs), so the write's operation is not done when a bounded :wait returns;
// a reconcile whose operation reports done late (world.operationDelayMs). Driven by the real
// @googleapis/run v2 client.
import type { run_v2 } from '@googleapis/run';
import { describe, expect, it } from 'vitest';
import { APP, DEPLOYER, IMAGE, REGION, RUNNER, runWorld, v2Job } from './emulator/run-world.ts';
import { runV2Client, useEmulator } from './helpers/emulator.ts';

const parent = `projects/${APP.id}/locations/${REGION}`;
const IMAGE_KEY = IMAGE.replace(/:[^:/]+$/, '');
const emu = useEmulator({ scenario: { ...runWorld(), imageRunMs: { [IMAGE_KEY]: 1500 } } });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function untilDone(run: run_v2.Run, name: string, withinMs: number) {
  const end = Date.now() + withinMs;
  while (Date.now() < end) {
    const { data } = await run.projects.locations.operations.get({ name });
    if (data.done) return data;
    await sleep(50);
  }
  throw new Error(`operation ${name} not done within ${withinMs} ms`);
}

describe('executions that outlive the deploy', () => {
  it('runExecutionToken: a bounded wait returns while the execution still runs; done arrives later', async () => {
    const run = runV2Client(emu(), DEPLOYER);
    const { data: op } = await run.projects.locations.jobs.create({
      parent,
      jobId: 'long-run',
      requestBody: { ...v2Job(IMAGE, { serviceAccount: RUNNER }), runExecutionToken: 'r1' },
    });
    const { data: waited } = await run.projects.locations.operations.wait({
      name: op.name as string,
      requestBody: { timeout: '0.5s' },
    });
    expect(waited.done).toBeFalsy();
    const execution = emu().world.executions[`${parent}/jobs/long-run/executions/long-run-r1`];
    const state = (type: string) =>
      ((execution?.conditions ?? []) as Array<{ type: string; state: string }>).find((c) => c.type === type)
        ?.state;
    expect(state('Started')).toBe('CONDITION_SUCCEEDED');
    expect(state('Completed')).toBe('CONDITION_PENDING');
    expect(execution?.runningCount).toBe(1);
    const done = await untilDone(run, op.name as string, 10_000);
    expect(done.error).toBeUndefined();
    expect(
      (done.response as run_v2.Schema$GoogleCloudRunV2Job).latestCreatedExecution?.completionStatus,
    ).toBe('EXECUTION_SUCCEEDED');
  });

  it('startExecutionToken: the write is done once started; the execution runs on after it', async () => {
    const run = runV2Client(emu(), DEPLOYER);
    const { data: op } = await run.projects.locations.jobs.create({
      parent,
      jobId: 'long-start',
      requestBody: { ...v2Job(IMAGE, { serviceAccount: RUNNER }), startExecutionToken: 's1' },
    });
    const done = await untilDone(run, op.name as string, 5_000);
    expect(done.error).toBeUndefined();
    const execution = emu().world.executions[`${parent}/jobs/long-start/executions/long-start-s1`];
    expect(execution?.completionTime).toBeUndefined();
  });
});

describe('long-running operations whose done arrives late', () => {
  it('operationDelayMs: the write is not done at first, then done with the job', async () => {
    emu().world.operationDelayMs = 1200;
    try {
      const run = runV2Client(emu(), DEPLOYER);
      const started = Date.now();
      const { data: op } = await run.projects.locations.jobs.create({
        parent,
        jobId: 'slow-reconcile',
        requestBody: v2Job(IMAGE, { serviceAccount: RUNNER }),
      });
      const { data: first } = await run.projects.locations.operations.get({ name: op.name as string });
      expect(first.done).toBeFalsy();
      const { data: job } = await run.projects.locations.jobs.get({ name: `${parent}/jobs/slow-reconcile` });
      expect(job.reconciling).toBe(true);
      const done = await untilDone(run, op.name as string, 10_000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1200);
      expect((done.response as run_v2.Schema$GoogleCloudRunV2Job).terminalCondition?.state).toBe(
        'CONDITION_SUCCEEDED',
      );
    } finally {
      delete emu().world.operationDelayMs;
    }
  });
});
