// Quotas as a deploy meets them: the per-minute write quota answers 429 RESOURCE_EXHAUSTED with a
// QuotaFailure and a RetryInfo; a GPU allocation beyond the region's quota fails the job's
// reconcile, so the refusal is in the job's terminal condition and the write's operation.
import { describe, expect, it } from 'vitest';
import { emulatorJson, useEmulator } from './helpers/emulator.ts';

const DEPLOYER = 'serviceAccount:deployer@app.iam.gserviceaccount.com';
const IMAGE = 'us-central1-docker.pkg.dev/app/containers/train:v1';

const emu = useEmulator({
  scenario: {
    projects: [
      {
        id: 'app',
        number: '111111111111',
        policy: { bindings: [{ role: 'roles/owner', members: [DEPLOYER] }] },
      },
      {
        id: 'busy',
        number: '222222222222',
        policy: { bindings: [{ role: 'roles/owner', members: [DEPLOYER] }] },
      },
    ],
    serviceAccounts: [{ email: 'deployer@app.iam.gserviceaccount.com' }],
    repositories: [
      { name: 'projects/app/locations/us-central1/repositories/containers', images: { train: ['v1'] } },
    ],
    gpuQuota: { 'us-central1': 1 },
  },
});

const call = (method: string, path: string, body?: unknown) =>
  emulatorJson(emu(), emu().issueToken(DEPLOYER), method, path, body);

function gpuJob(taskCount: number, parallelism: number) {
  return {
    template: {
      taskCount,
      parallelism,
      template: {
        containers: [
          { image: IMAGE, resources: { limits: { cpu: '4', memory: '16Gi', 'nvidia.com/gpu': '1' } } },
        ],
        nodeSelector: { accelerator: 'nvidia-l4' },
      },
    },
  };
}

async function settled(name: string) {
  for (let i = 0; i < 100; i++) {
    const op = await call('GET', `/v2/${name}`);
    if (op.body.done) return op.body;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`operation ${name} never finished`);
}

describe('GPU allocation quota', () => {
  it("fails the job's reconcile with Cloud Run's quota wording when more GPUs run at once than allowed", async () => {
    const r = await call(
      'POST',
      '/v2/projects/app/locations/us-central1/jobs?jobId=train-wide',
      gpuJob(4, 2),
    );
    expect(r.status).toBe(200);
    const op = await settled(String(r.body.name));
    expect(op.error.code).toBe(8);
    expect(op.error.message).toContain(
      'Quota violated:\nNvidiaL4GpuAllocPerProjectRegion requested: 2 allowed: 1',
    );
    const job = await call('GET', '/v2/projects/app/locations/us-central1/jobs/train-wide');
    expect(job.body.terminalCondition.state).toBe('CONDITION_FAILED');
    expect(job.body.terminalCondition.message).toContain('https://cloud.google.com/run/quotas');
  });

  it('lets a job whose tasks run one at a time within the quota deploy', async () => {
    const r = await call(
      'POST',
      '/v2/projects/app/locations/us-central1/jobs?jobId=train-narrow',
      gpuJob(4, 1),
    );
    const op = await settled(String(r.body.name));
    expect(op.error).toBeUndefined();
    expect(op.response.terminalCondition.state).toBe('CONDITION_SUCCEEDED');
  });
});

describe('per-minute write quota', () => {
  it('answers 429 RESOURCE_EXHAUSTED with ErrorInfo, QuotaFailure and RetryInfo', async () => {
    emu().world.quotaExhausted = ['run.googleapis.com'];
    try {
      const r = await call(
        'POST',
        '/v2/projects/busy/locations/us-central1/jobs?jobId=nightly',
        gpuJob(1, 1),
      );
      expect(r.status).toBe(429);
      expect(r.body.error.status).toBe('RESOURCE_EXHAUSTED');
      const types = (r.body.error.details as Array<Record<string, unknown>>).map((d) => d['@type']);
      expect(types).toEqual([
        'type.googleapis.com/google.rpc.ErrorInfo',
        'type.googleapis.com/google.rpc.QuotaFailure',
        'type.googleapis.com/google.rpc.RetryInfo',
      ]);
      const retry = r.body.error.details[2].retryDelay as string;
      const seconds = Number(/^(\d+)s$/.exec(retry)?.[1]);
      expect(seconds).toBeGreaterThanOrEqual(1);
      expect(seconds).toBeLessThanOrEqual(60);
      expect(r.body.error.details[1].violations[0].subject).toBe('project_number:222222222222');
      // Reads are not write requests: they still answer.
      expect((await call('GET', '/v2/projects/busy/locations/us-central1/jobs')).status).toBe(200);
    } finally {
      delete emu().world.quotaExhausted;
    }
  });
});
