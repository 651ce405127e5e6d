// End to end, the bundled action against the emulator: the job plan a pull request shows is
// exactly what its deploy would change, and a deploy that changes nothing writes nothing (the
// emulator's request log has no PATCH / PUT), yet still runs the job when asked.
import { describe, expect, it } from 'vitest';
import type { JobPlan } from '../src/model.ts';
import {
  demo,
  IMAGE,
  IMAGE_BASE,
  JOB_YAML,
  jobYaml,
  metadataStepInputs,
  pullRequestEvent,
  stepInputs,
  WORKFLOW,
  workflowEnv,
  workflowFile,
} from './helpers/diagnose-e2e.ts';
import { emulatorPerTest } from './helpers/e2e-emulator.ts';
import { runAction } from './helpers/run-action.ts';

const JOB_PATH = '/v2/projects/demo-app/locations/us-central1/jobs/nightly-report';
const start = emulatorPerTest(demo);
const TOKEN = 'ghs_demo_write_token';

const planOf = (outputs: Record<string, string>) => JSON.parse(outputs.job_changes ?? '') as JobPlan;
const writes = (calls: Array<{ method: string; path: string }>) =>
  calls
    .filter((r) => r.method !== 'GET' && r.path.includes('/jobs'))
    .map((r) => `${r.method} ${r.path.replace(/\?.*$/, '')}`);

describe('the job plan on a pull request', () => {
  it('shows exactly the changed settings in the dry run, the comment and job_changes, and writes nothing', async () => {
    const e = await start();
    const base = { env_vars: 'MODE=nightly', memory: '512Mi' };
    const first = await runAction({ emulator: e, inputs: stepInputs(base) });
    expect(first.code, first.stdout.slice(-2000)).toBe(0);
    expect(planOf(first.outputs).action).toBe('create');

    const mark = e.requestLog.length;
    const inputs = stepInputs({
      env_vars: 'MODE=nightly\nFEATURE_X=on',
      memory: '1Gi',
      image: `${IMAGE_BASE}:v1.5.0`,
      dry_run: 'true',
      github_token: TOKEN,
    });
    const pr = await runAction({
      emulator: e,
      inputs,
      files: { [WORKFLOW]: workflowFile(inputs) },
      env: workflowEnv(),
      event: pullRequestEvent(),
    });
    expect(pr.code, pr.stdout.slice(-2000)).toBe(0);
    expect(planOf(pr.outputs)).toEqual({
      action: 'update',
      changes: [
        { setting: 'image', change: 'changed', before: IMAGE, after: `${IMAGE_BASE}:v1.5.0` },
        { setting: 'env', key: 'FEATURE_X', change: 'added', hidden: true },
        { setting: 'memory', change: 'changed', before: '512Mi', after: '1Gi' },
      ],
    });
    expect(writes(e.requestLog.slice(mark))).toEqual([]);
    const comment = e.world.github.comments[7]?.at(-1)?.body ?? '';
    for (const doc of [pr.summary, comment]) {
      expect(doc).toContain(
        '**3 changes**: image `…:v1.4.2` → `…:v1.5.0`, env `+FEATURE_X`, memory `512Mi` → `1Gi`.',
      );
      expect(doc).toContain('| Setting | Before | After |');
      expect(doc).toContain('| env `FEATURE_X` | — | value hidden |');
      expect(doc).not.toContain('FEATURE_X=on');
    }
    expect(pr.summary).toContain('### Job plan (dry run)');
  });

  it('a second deploy with the same inputs sends no PATCH, says unchanged, and still executes', async () => {
    const e = await start();
    const inputs = stepInputs({ env_vars: 'MODE=nightly', secrets: 'DB_PASSWORD=db-password:1', cpu: '1' });
    const first = await runAction({ emulator: e, inputs });
    expect(first.code, first.stdout.slice(-2000)).toBe(0);
    const generation = (e.world.jobs[JOB_PATH.slice(4)] as { generation?: string }).generation;

    const mark = e.requestLog.length;
    const second = await runAction({ emulator: e, inputs: { ...inputs, execute: 'true' } });
    expect(second.code, second.stdout.slice(-2000)).toBe(0);
    const calls = e.requestLog.slice(mark).filter((r) => !r.path.startsWith('/_github/'));
    expect(writes(calls)).toEqual([`POST ${JOB_PATH}:run`]);
    expect(calls.some((r) => r.method === 'PATCH')).toBe(false);
    expect((e.world.jobs[JOB_PATH.slice(4)] as { generation?: string }).generation).toBe(generation);
    expect(planOf(second.outputs)).toEqual({ action: 'update', changes: [] });
    expect(second.outputs.execution_status).toBe('succeeded');
    expect(second.stdout).toContain(
      'Job projects/demo-app/locations/us-central1/jobs/nightly-report unchanged',
    );
    expect(second.summary).toContain('deployed (unchanged, nothing written)');
    expect(second.summary).toContain('**No changes**: the job already matched, so nothing was written.');
  });

  it('a job that did not become ready is written again with the same inputs, once the image is pushed', async () => {
    const e = await start();
    const inputs = stepInputs({ image: `${IMAGE_BASE}:v9` });
    const first = await runAction({ emulator: e, inputs });
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/::error[^\n]*Container image not found/);
    // The image is pushed; the job still holds the failed generation.
    const repo = e.world.repositories.find((r) => r.name.endsWith('/repositories/containers'));
    repo?.images['payments/nightly-report']?.push('v9');

    const mark = e.requestLog.length;
    const again = await runAction({ emulator: e, inputs });
    expect(again.code, again.stdout.slice(-2000)).toBe(0);
    expect(writes(e.requestLog.slice(mark))).toEqual([`PATCH ${JOB_PATH}`]);
    expect(planOf(again.outputs)).toEqual({ action: 'update', changes: [], notReady: true });
    expect(again.summary).toContain('**No setting changes**: the job is not ready');
    expect(again.summary).toContain('deployed (updated)');
  });

  it('a job.yaml replaced with the same file is not written again; a changed one is', async () => {
    const e = await start();
    const inputs = metadataStepInputs(JOB_YAML, { project_id: '' });
    const first = await runAction({ emulator: e, files: { [JOB_YAML]: jobYaml() }, inputs });
    expect(first.code, first.stdout.slice(-2000)).toBe(0);

    let mark = e.requestLog.length;
    const same = await runAction({ emulator: e, files: { [JOB_YAML]: jobYaml() }, inputs });
    expect(same.code, same.stdout.slice(-2000)).toBe(0);
    expect(writes(e.requestLog.slice(mark))).toEqual([]);
    expect(planOf(same.outputs)).toEqual({ action: 'replace', changes: [] });

    mark = e.requestLog.length;
    const changed = await runAction({
      emulator: e,
      files: { [JOB_YAML]: jobYaml({ image: `${IMAGE_BASE}:latest`, secretVersion: '2' }) },
      inputs,
    });
    expect(changed.code, changed.stdout.slice(-2000)).toBe(0);
    expect(planOf(changed.outputs).changes).toEqual([
      { setting: 'image', change: 'changed', before: IMAGE, after: `${IMAGE_BASE}:latest` },
      {
        setting: 'env',
        key: 'DB_PASSWORD',
        change: 'changed',
        before: 'secret db-password:1',
        after: 'secret db-password:2',
      },
    ]);
    expect(writes(e.requestLog.slice(mark))).toEqual([
      'PUT /apis/run.googleapis.com/v1/namespaces/demo-app/jobs/nightly-report',
    ]);
  });
});
