// The job rules Cloud Run enforces itself: a create or update breaking one is refused with 400
// INVALID_ARGUMENT and a BadRequest naming the field (v2: "Violation in CreateJobRequest.job...",
// v1: the Knative field path), and nothing is stored. gcloud sees the same refusal on v1.
import { describe, expect, it } from 'vitest';
import { APP, DEPLOYER, IMAGE, REGION, RUNNER, runWorld } from './emulator/run-world.ts';
import { emulatorJson } from './helpers/emulator.ts';
import { hasGcloud, useGcloudEmulator } from './helpers/gcloud.ts';

const world = { ...runWorld(), tokens: { 'deployer-token': `serviceAccount:${DEPLOYER}` } };
const { emu, gcloud } = useGcloudEmulator(world, { RUN: '' }, 90_000);
const JOBS = `/v2/projects/${APP.id}/locations/${REGION}/jobs`;

const call = (method: string, path: string, body?: unknown) =>
  emulatorJson(emu(), emu().issueToken(`serviceAccount:${DEPLOYER}`), method, path, body);

function job(limits: Record<string, string>, task: Record<string, unknown> = {}) {
  return {
    template: {
      template: { serviceAccount: RUNNER, containers: [{ image: IMAGE, resources: { limits } }], ...task },
    },
  };
}

interface FieldViolation {
  field: string;
  description: string;
}
const violations = (body: Record<string, unknown>): FieldViolation[] =>
  ((body.error as { details?: Array<{ fieldViolations?: FieldViolation[] }> }).details?.[0]
    ?.fieldViolations ?? []) as FieldViolation[];

describe('Cloud Run refuses job specs it does not accept, naming the field', () => {
  it('memory above 4Gi with 1 CPU: the memory field, and no job is stored', async () => {
    const r = await call('POST', `${JOBS}?jobId=too-much-memory`, job({ cpu: '1', memory: '8Gi' }));
    expect(r.status).toBe(400);
    expect(r.body.error.status).toBe('INVALID_ARGUMENT');
    const field = 'Violation in CreateJobRequest.job.template.template.containers[0].resources.limits.memory';
    expect(r.body.error.message).toMatch(new RegExp(`^${field.replace(/[.[\]]/g, '\\$&')}: `));
    expect(r.body.error.details[0]['@type']).toBe('type.googleapis.com/google.rpc.BadRequest');
    expect(violations(r.body).map((v) => v.field)).toEqual([field]);
    expect((await call('GET', `${JOBS}/too-much-memory`)).status).toBe(404);
  });

  it('CPU out of range, retries above 10 and a timeout above 168 hours, all listed', async () => {
    const r = await call(
      'POST',
      `${JOBS}?jobId=many-wrongs`,
      job({ cpu: '500m', memory: '512Mi' }, { maxRetries: 11, timeout: '608400s' }),
    );
    expect(r.status).toBe(400);
    expect(
      violations(r.body).map((v) =>
        v.field.replace('Violation in CreateJobRequest.job.template.template', ''),
      ),
    ).toEqual(['.containers[0].resources.limits.cpu', '.max_retries', '.timeout']);
  });

  it('a GPU needs 4 CPUs and 16Gi, and its tasks at most an hour', async () => {
    const r = await call(
      'POST',
      `${JOBS}?jobId=small-gpu`,
      job(
        { cpu: '2', memory: '8Gi', 'nvidia.com/gpu': '1' },
        { timeout: '7200s', nodeSelector: { accelerator: 'nvidia-l4' } },
      ),
    );
    expect(r.status).toBe(400);
    const fields = violations(r.body).map((v) => v.field);
    expect(fields).toContain(
      'Violation in CreateJobRequest.job.template.template.containers[0].resources.limits.nvidia.com/gpu',
    );
    expect(fields).toContain('Violation in CreateJobRequest.job.template.template.timeout');
  });

  it('accepts the limits the documentation allows (8 CPUs with 32Gi; 4 CPUs with 2Gi)', async () => {
    for (const [id, limits] of [
      ['largest', { cpu: '8', memory: '32Gi' }],
      ['four-cpus', { cpu: '4000m', memory: '2Gi' }],
    ] as const) {
      const r = await call('POST', `${JOBS}?jobId=${id}`, job(limits));
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
  });

  it('an update is an UpdateJobRequest, and the stored job is left as it was', async () => {
    const r = await call('PATCH', `${JOBS}/largest`, job({ cpu: '8', memory: '64Gi' }));
    expect(r.status).toBe(400);
    expect(violations(r.body)[0]?.field).toBe(
      'Violation in UpdateJobRequest.job.template.template.containers[0].resources.limits.memory',
    );
    const stored = await call('GET', `${JOBS}/largest`);
    expect(stored.body.template.template.containers[0].resources.limits.memory).toBe('32Gi');
  });
});

describe.skipIf(!hasGcloud)('gcloud run jobs create (v1) meets the same rule', () => {
  it('prints the Knative field path and the reason, and creates nothing', async () => {
    const r = await gcloud(
      [
        'run',
        'jobs',
        'create',
        'gcloud-too-big',
        `--image=${IMAGE}`,
        '--cpu=1',
        '--memory=8Gi',
        `--service-account=${RUNNER}`,
        `--region=${REGION}`,
        `--project=${APP.id}`,
      ],
      'deployer-token',
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'spec.template.spec.template.spec.containers[0].resources.limits.memory: Memory 8Gi needs at least 2 CPUs',
    );
    expect(emu().world.jobs[`projects/${APP.id}/locations/${REGION}/jobs/gcloud-too-big`]).toBeUndefined();
  });
});
