// Cloud Run v1 (Knative shape) on the emulator over HTTP, and that v1 and v2 share one job store.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP,
  DEPLOYER,
  IMAGE,
  MISSING_IMAGE,
  OUTSIDER,
  REGION,
  RUNNER,
  runWorld,
  STRANGER,
} from './emulator/run-world.ts';
import { type Emulator, startEmulator } from './emulator/server.ts';

let emu: Emulator;
let token: string;

interface V1Response {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies inspected field by field in assertions
  body: Record<string, any>;
}

/**
 * Calls the emulator as the regional v1 host would be called: the Host header carries the
 * region (fetch may not set Host, so node:http it is).
 */
function v1(method: string, path: string, body?: unknown, as = token): Promise<V1Response> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: emu.port,
        method,
        path: `/apis/run.googleapis.com/v1/${path}`,
        headers: {
          host: `${REGION}-run.googleapis.com`,
          authorization: `Bearer ${as}`,
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
        timeout: 10_000,
      },
      (res) => {
        let data = '';
        res.on('data', (c) => {
          data += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function knativeJob(name: string, serviceAccountName: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'run.googleapis.com/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: APP.id,
      labels: { app: 'x' },
      annotations: { 'example.com/note': 'keep me' },
    },
    spec: {
      template: {
        metadata: { annotations: { 'run.googleapis.com/execution-environment': 'gen2' } },
        spec: {
          taskCount: 3,
          parallelism: 2,
          template: {
            spec: {
              containers: [
                {
                  image: IMAGE,
                  args: ['--all'],
                  env: [
                    { name: 'PLAIN', value: 'v' },
                    { name: 'PASS', valueFrom: { secretKeyRef: { name: 'db-pass', key: '1' } } },
                  ],
                  resources: { limits: { cpu: '2', memory: '1Gi' } },
                },
              ],
              serviceAccountName,
              maxRetries: 1,
              timeoutSeconds: '120',
              ...extra,
            },
          },
        },
      },
    },
  };
}

beforeAll(async () => {
  emu = await startEmulator({ scenario: runWorld() });
  token = emu.issueToken(`serviceAccount:${DEPLOYER}`);
});
afterAll(() => emu.stop());

async function ready(name: string) {
  for (let i = 0; i < 50; i++) {
    const r = await v1('GET', `namespaces/${APP.number}/jobs/${name}`);
    const c = (r.body.status?.conditions ?? []).find((x: { type: string }) => x.type === 'Ready');
    // Ready speaks for this generation only once the controller has observed it.
    const observed = r.body.status?.observedGeneration === r.body.metadata?.generation;
    if (c && c.status !== 'Unknown' && observed) return r.body;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`job ${name} never settled`);
}

describe('Cloud Run v1 jobs', () => {
  it('creates a job and serves it back in the v1 shape with nothing lost', async () => {
    const created = await v1('POST', `namespaces/${APP.id}/jobs`, knativeJob('kn', RUNNER));
    expect(created.status).toBe(200);
    expect(created.body.metadata.namespace).toBe(APP.number);
    const job = await ready('kn');
    expect(job.status.conditions[0]).toMatchObject({ type: 'Ready', status: 'True' });
    expect(job.metadata.labels).toEqual({ app: 'x', 'cloud.googleapis.com/location': REGION });
    expect(job.metadata.annotations['example.com/note']).toBe('keep me');
    expect(job.metadata.annotations['run.googleapis.com/creator']).toBe(DEPLOYER);
    const exec = job.spec.template;
    expect(exec.metadata.annotations).toEqual({ 'run.googleapis.com/execution-environment': 'gen2' });
    expect(exec.spec).toMatchObject({ taskCount: 3, parallelism: 2 });
    expect(exec.spec.template.spec).toMatchObject({
      serviceAccountName: RUNNER,
      maxRetries: 1,
      timeoutSeconds: '120',
    });
    const c = exec.spec.template.spec.containers[0];
    expect(c.env).toEqual([
      { name: 'PLAIN', value: 'v' },
      { name: 'PASS', valueFrom: { secretKeyRef: { name: 'db-pass', key: '1' } } },
    ]);
    expect(c.resources.limits).toEqual({ cpu: '2', memory: '1Gi' });
    expect(c.args).toEqual(['--all']);
  });

  it('stores the job once for both surfaces (v2 sees the v1 job)', async () => {
    const res = await fetch(`${emu.url}/v2/projects/${APP.id}/locations/${REGION}/jobs/kn`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const job = (await res.json()) as V1Response['body'];
    expect(job.template.taskCount).toBe(3);
    expect(job.template.template.timeout).toBe('120s');
    expect(job.template.template.containers[0].env[1]).toEqual({
      name: 'PASS',
      valueSource: { secretKeyRef: { secret: 'db-pass', version: '1' } },
    });
  });

  it('answers conflicts, missing jobs and denied callers with legacy error bodies', async () => {
    const again = await v1('POST', `namespaces/${APP.id}/jobs`, knativeJob('kn', RUNNER));
    expect(again.status).toBe(409);
    const missing = await v1('GET', `namespaces/${APP.id}/jobs/absent`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.errors[0]).toMatchObject({ domain: 'global' });
    const denied = await v1(
      'GET',
      `namespaces/${APP.id}/jobs/kn`,
      undefined,
      emu.issueToken(`serviceAccount:${OUTSIDER}`),
    );
    expect(denied.status).toBe(403);
    expect(denied.body.error.status).toBe('PERMISSION_DENIED');
    expect(denied.body.error.errors).toHaveLength(1);
    const actAs = await v1('POST', `namespaces/${APP.id}/jobs`, knativeJob('kn2', STRANGER));
    expect(actAs.status).toBe(403);
    expect(actAs.body.error.message).toContain('iam.serviceaccounts.actAs');
    expect(actAs.body.error.errors).toHaveLength(1);
  });

  it('answers a namespace that names no project with 404 Requested entity was not found', async () => {
    const r = await v1('POST', 'namespaces/app-prdo/jobs', knativeJob('kn3', RUNNER));
    expect(r.status).toBe(404);
    expect(r.body.error).toMatchObject({
      status: 'NOT_FOUND',
      message: 'Requested entity was not found.',
      errors: [{ reason: 'notFound' }],
    });
  });

  it('replaces with PUT, guarding resourceVersion', async () => {
    const current = await ready('kn');
    const body = knativeJob('kn', RUNNER);
    body.metadata.labels = { app: 'y' };
    const stale = await v1('PUT', `namespaces/${APP.id}/jobs/kn`, {
      ...body,
      metadata: { ...body.metadata, resourceVersion: 'stale' },
    });
    expect(stale.status).toBe(409);
    const put = await v1('PUT', `namespaces/${APP.id}/jobs/kn`, {
      ...body,
      metadata: { ...body.metadata, resourceVersion: current.metadata.resourceVersion },
    });
    expect(put.status).toBe(200);
    expect(put.body.metadata.generation).toBe(2);
    expect(put.body.metadata.uid).toBe(current.metadata.uid);
    const missing = await v1('PUT', `namespaces/${APP.id}/jobs/never`, knativeJob('never', RUNNER));
    expect(missing.status).toBe(404);
  });

  it("a replace's first reads carry the previous generation's Ready condition until it settles", async () => {
    expect((await v1('POST', `namespaces/${APP.id}/jobs`, knativeJob('lag', RUNNER))).status).toBe(200);
    const first = await v1('GET', `namespaces/${APP.id}/jobs/lag`);
    expect(first.body.status.observedGeneration).toBeUndefined(); // a new job: nothing observed yet
    const before = await ready('lag');
    expect(before.status).toMatchObject({
      observedGeneration: 1,
      conditions: [{ type: 'Ready', status: 'True' }],
    });
    const body = knativeJob('lag', RUNNER);
    const container = body.spec.template.spec.template.spec.containers[0];
    if (container) container.image = MISSING_IMAGE;
    const put = await v1('PUT', `namespaces/${APP.id}/jobs/lag`, body);
    const read = await v1('GET', `namespaces/${APP.id}/jobs/lag`);
    for (const r of [put, read]) {
      // Generation 2 written; the controller still reports generation 1, Ready.
      expect(r.body.metadata.generation).toBe(2);
      expect(r.body.status).toMatchObject({
        observedGeneration: 1,
        conditions: [{ type: 'Ready', status: 'True' }],
      });
    }
    const after = await ready('lag');
    expect(after.status.observedGeneration).toBe(2);
    expect(after.status.conditions[0]).toMatchObject({ type: 'Ready', status: 'False' });
  });

  it('runs the job and serves the execution until it completes', async () => {
    await ready('kn');
    const run = await v1('POST', `namespaces/${APP.id}/jobs/kn:run`, {});
    expect(run.status).toBe(200);
    expect(run.body.kind).toBe('Execution');
    const name = run.body.metadata.name as string;
    expect(name).toMatch(/^kn-[a-z0-9]{5}$/);
    let ex: V1Response['body'] = {};
    for (let i = 0; i < 50; i++) {
      ex = (await v1('GET', `namespaces/${APP.number}/executions/${name}`)).body;
      if (ex.status?.completionTime) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    expect(ex.status.succeededCount).toBe(3);
    expect(ex.status.conditions.find((c: { type: string }) => c.type === 'Completed')).toMatchObject({
      status: 'True',
    });
    expect(ex.metadata.labels['run.googleapis.com/job']).toBe('kn');
    const job = await ready('kn');
    expect(job.status.latestCreatedExecution).toMatchObject({
      name,
      completionStatus: 'EXECUTION_SUCCEEDED',
    });
  });

  it('lists and deletes', async () => {
    const list = await v1('GET', `namespaces/${APP.id}/jobs`);
    expect(list.body.items.map((j: { metadata: { name: string } }) => j.metadata.name)).toContain('kn');
    const del = await v1('DELETE', `namespaces/${APP.id}/jobs/kn`);
    expect(del.body).toMatchObject({ status: 'Success', details: { name: 'kn', kind: 'jobs' } });
    expect(del.body).not.toHaveProperty('kind');
    expect((await v1('GET', `namespaces/${APP.id}/jobs/kn`)).status).toBe(404);
  });
});
