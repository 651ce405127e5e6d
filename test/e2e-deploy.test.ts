// End to end: the bundled action, run as the runner runs it, against the emulator.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ID_TOKEN_REQUEST_TOKEN } from './emulator/apis/github.ts';
import {
  DEPLOYER,
  demo,
  failureOf,
  IMAGE_BASE,
  metadataStepInputs,
  PROVIDER,
  RUNTIME,
  stepInputs,
} from './helpers/diagnose-e2e.ts';
import { emulatorPerTest, googleCalls } from './helpers/e2e-emulator.ts';
import { runAction } from './helpers/run-action.ts';

const JOB = 'projects/demo-app/locations/us-central1/jobs/nightly-report';

/** Inputs of a typical workflow step. */
const step = stepInputs;

type Job = {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  template?: {
    taskCount?: number;
    template?: {
      serviceAccount?: string;
      timeout?: string;
      vpcAccess?: unknown;
      volumes?: unknown[];
      containers?: Array<{ image?: string; env?: Array<Record<string, unknown>>; resources?: unknown }>;
    };
  };
};

const start = emulatorPerTest(demo);

describe('deploy from inputs (Cloud Run v2)', () => {
  it('creates the job with every input and the default labels', async () => {
    const e = await start();
    const res = await runAction({
      emulator: e,
      inputs: step({
        env_vars: 'MODE=nightly\nLIST=a,b',
        secrets: 'DB_PASSWORD=db-password:2',
        labels: 'team=payments',
        memory: '1Gi',
        cpu: '2',
        tasks: '3',
        task_timeout: '10m',
        args: '--day,today',
      }),
    });
    expect(res.stdout + res.stderr).not.toContain('::error');
    expect(res.code).toBe(0);
    expect(res.outputs.job).toBe(JOB);
    expect(res.outputs.console_url).toBe(
      'https://console.cloud.google.com/run/jobs/details/us-central1/nightly-report?project=demo-app',
    );
    const job = e.world.jobs[JOB] as Job;
    expect(job.labels).toMatchObject({
      team: 'payments',
      'managed-by': 'github-actions',
      'commit-sha': '4f1c0d5e3b2a19876543210fedcba9876543210f',
    });
    const task = job.template?.template;
    expect(job.template?.taskCount).toBe(3);
    expect(task?.serviceAccount).toBe(RUNTIME);
    expect(task?.timeout).toBe('600s');
    expect(task?.containers?.[0]?.image).toBe(`${IMAGE_BASE}:v1.4.2`);
    expect(task?.containers?.[0]?.resources).toMatchObject({ limits: { cpu: '2', memory: '1Gi' } });
    expect(task?.containers?.[0]?.env).toEqual([
      { name: 'MODE', value: 'nightly' },
      { name: 'LIST', value: 'a,b' },
      { name: 'DB_PASSWORD', valueSource: { secretKeyRef: { secret: 'db-password', version: '2' } } },
    ]);
    // The job was created by the impersonated deployer, not by the federated principal.
    expect(e.requestLog.find((r) => r.method === 'POST' && r.path.endsWith('/jobs'))?.caller).toBe(
      `serviceAccount:${DEPLOYER}`,
    );
    // Tokens are masked (add-mask) before anything else could print them, and never printed.
    const masked = res.stdout.split('\n').filter((l) => l.startsWith('::add-mask::'));
    expect(masked.some((l) => l.includes('ya29.'))).toBe(true);
    const printed = res.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'));
    expect(printed.join('\n')).not.toMatch(/ya29\.|eyJ0eXAi/);
  });

  it('updates an existing job without losing settings the inputs do not name', async () => {
    const e = await start();
    const first = await runAction({ emulator: e, inputs: step({ env_vars: 'KEEP=kept,CHANGE=old' }) });
    expect(first.code).toBe(0);
    // Someone configured more on the job since (console, gcloud): all of it must survive.
    const job = e.world.jobs[JOB] as Job;
    job.annotations = { 'example.com/owner': 'ops' };
    const task = job.template?.template;
    if (!task?.containers?.[0]) throw new Error('job has no container');
    task.vpcAccess = { connector: 'projects/demo-app/locations/us-central1/connectors/c1' };
    // The connector exists (Cloud Run refuses a job whose connector does not).
    e.world.connected.connectors['projects/demo-app/locations/us-central1/connectors/c1'] = 'default';
    task.volumes = [{ name: 'scratch', emptyDir: { medium: 'MEMORY' } }];
    task.containers[0].env?.push({ name: 'FROM_CONSOLE', value: 'yes' });

    const res = await runAction({
      emulator: e,
      inputs: step({ image: `${IMAGE_BASE}:latest`, env_vars: 'CHANGE=new', service_account: '' }),
    });
    expect(res.stdout).not.toContain('::error');
    expect(res.code).toBe(0);
    const after = e.world.jobs[JOB] as Job;
    const t = after.template?.template;
    expect(t?.containers?.[0]?.image).toBe(`${IMAGE_BASE}:latest`);
    expect(t?.containers?.[0]?.env).toEqual([
      { name: 'KEEP', value: 'kept' },
      { name: 'CHANGE', value: 'new' },
      { name: 'FROM_CONSOLE', value: 'yes' },
    ]);
    expect(t?.serviceAccount).toBe(RUNTIME);
    expect(t?.vpcAccess).toEqual({ connector: 'projects/demo-app/locations/us-central1/connectors/c1' });
    expect(t?.volumes).toEqual([{ name: 'scratch', emptyDir: { medium: 'MEMORY' } }]);
    expect(after.annotations).toMatchObject({ 'example.com/owner': 'ops' });
    expect(e.requestLog.some((r) => r.method === 'PATCH' && r.path === `/v2/${JOB}`)).toBe(true);
  });
});

describe('replace from job.yaml (Cloud Run v1)', () => {
  const yaml = (image: string) => `apiVersion: run.googleapis.com/v1
kind: Job
metadata:
  name: nightly-report
  namespace: demo-app
  labels:
    team: payments
spec:
  template:
    spec:
      taskCount: 2
      template:
        spec:
          serviceAccountName: ${RUNTIME}
          timeoutSeconds: 900
          containers:
          - image: ${image}
            env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: db-password
                  key: '1'
`;
  it('creates, then replaces the job as gcloud run jobs replace does', async () => {
    const e = await start();
    const files = { 'deploy/job.yaml': yaml(`${IMAGE_BASE}:v1.4.2`) };
    const first = await runAction({
      emulator: e,
      files,
      inputs: metadataStepInputs('deploy/job.yaml', { project_id: '' }),
    });
    expect(first.stdout).not.toContain('::error');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('created');
    expect(
      e.requestLog.some(
        (r) => r.method === 'POST' && r.path === '/apis/run.googleapis.com/v1/namespaces/demo-app/jobs',
      ),
    ).toBe(true);

    const second = await runAction({
      emulator: e,
      files: { 'deploy/job.yaml': yaml(`${IMAGE_BASE}:latest`) },
      inputs: metadataStepInputs('deploy/job.yaml', { project_id: '' }),
    });
    expect(second.stdout).not.toContain('::error');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('replaced');
    expect(
      e.requestLog.some(
        (r) => r.method === 'PUT' && r.path.endsWith('/namespaces/demo-app/jobs/nightly-report'),
      ),
    ).toBe(true);
    const job = e.world.jobs[JOB] as Job;
    expect(job.template?.taskCount).toBe(2);
    expect(job.template?.template?.containers?.[0]?.image).toBe(`${IMAGE_BASE}:latest`);
    expect(job.labels).toMatchObject({ team: 'payments', 'managed-by': 'github-actions' });
    expect(second.outputs.job).toBe(JOB);
  });

  it("does not take the previous generation's Ready for the replace's (v1 readiness lags)", async () => {
    const e = await start();
    const inputs = metadataStepInputs('deploy/job.yaml', { project_id: '' });
    const good = yaml(`${IMAGE_BASE}:v1.4.2`);
    const first = await runAction({ emulator: e, files: { 'deploy/job.yaml': good }, inputs });
    expect(first.code, first.stdout.slice(-3000)).toBe(0);
    // The new generation references a secret version that does not exist: it fails to reconcile,
    // while the PUT's answer and the first reads still show generation 1's Ready=True.
    const mark = e.requestLog.length;
    const broken = good.replace("key: '1'", "key: '9'");
    const second = await runAction({ emulator: e, files: { 'deploy/job.yaml': broken }, inputs });
    expect(second.code, second.stdout.slice(-3000)).toBe(1);
    expect(second.stdout).toMatch(/::error[^\n]*versions\/9/);
    const calls = e.requestLog.slice(mark).map((r) => `${r.method} ${r.path}`);
    const put = calls.findIndex((c) => c.startsWith('PUT ') && c.endsWith('/jobs/nightly-report'));
    expect(put).toBeGreaterThanOrEqual(0);
    expect(calls.slice(put + 1).some((c) => c.startsWith('GET ') && c.endsWith('/jobs/nightly-report'))).toBe(
      true,
    );
  });
});

describe('execute', () => {
  it('runs the job and waits for a successful execution', async () => {
    const e = await start();
    const res = await runAction({ emulator: e, inputs: step({ execute: 'true' }) });
    expect(res.stdout).not.toContain('::error');
    expect(res.code).toBe(0);
    expect(res.outputs.execution_status).toBe('succeeded');
    expect(res.outputs.execution).toMatch(new RegExp(`^${JOB}/executions/`));
    expect(e.world.executions[res.outputs.execution ?? '']).toBeDefined();
  });

  it('with run.jobs.run proven by the preflight, deploys and runs in one write', async () => {
    const e = await start();
    const res = await runAction({ emulator: e, inputs: step({ execute: 'true', iam: 'check' }) });
    expect(res.code, res.stdout).toBe(0);
    expect(res.outputs.execution_status).toBe('succeeded');
    expect(e.world.executions[res.outputs.execution ?? '']?.succeededCount).toBe(1);
    // Deploy and run are one write (runExecutionToken): no separate :run. (The preflight's
    // test of the job's own permissions is a read, asked before the job is known to be new.)
    const writes = e.requestLog.filter(
      (r) => r.method !== 'GET' && r.path.includes('/jobs') && !r.path.endsWith(':testIamPermissions'),
    );
    expect(writes.map((r) => `${r.method} ${r.path.replace(/\?.*$/, '')}`)).toEqual([
      'POST /v2/projects/demo-app/locations/us-central1/jobs',
    ]);
  });

  it('fails the step when the execution fails, with the log link', async () => {
    const world = demo();
    world.imageExitCodes = { [IMAGE_BASE]: 1 };
    const e = await start(world);
    const res = await runAction({ emulator: e, inputs: step({ execute: 'true' }) });
    expect(res.code).toBe(1);
    expect(res.outputs.execution_status).toBe('failed');
    const error = failureOf(res.stdout).text;
    expect(error).toContain(
      `Run: gcloud run jobs executions describe ${res.outputs.execution?.split('/').at(-1)}`,
    );
    expect(error).toMatch(/Read the task logs at https?:\/\/\S+/);
  });

  it('a failed execution of a one-write deploy fails the step, with the log link; the job is deployed', async () => {
    const world = demo();
    world.imageExitCodes = { [IMAGE_BASE]: 1 };
    const e = await start(world);
    const res = await runAction({ emulator: e, inputs: step({ execute: 'true', iam: 'check' }) });
    expect(res.code).toBe(1);
    expect(res.outputs.execution_status).toBe('failed');
    expect(res.outputs.job).toBe(JOB);
    const error = failureOf(res.stdout).text;
    expect(error).toContain(
      `Run: gcloud run jobs executions describe ${res.outputs.execution?.split('/').at(-1)}`,
    );
    expect(error).toMatch(/Read the task logs at https?:\/\/\S+/);
  });

  it('does not wait when wait is false', async () => {
    const e = await start();
    const res = await runAction({ emulator: e, inputs: step({ execute: 'true', wait: 'false' }) });
    expect(res.code).toBe(0);
    expect(res.outputs.execution_status).toBe('running');
    expect(e.requestLog.some((r) => r.path.includes('/executions/'))).toBe(false);
  });
});

describe('with the IAM preflight', () => {
  it('checks, then deploys, and reports the IAM status', async () => {
    const e = await start();
    const res = await runAction({ emulator: e, inputs: step({ iam: 'check' }) });
    expect(res.stdout).not.toContain('::error');
    expect(res.code).toBe(0);
    expect(['ok', 'unverified']).toContain(res.outputs.iam_status);
    expect(JSON.parse(res.outputs.findings ?? '[]')).not.toEqual([]);
    expect(e.world.jobs[JOB]).toBeDefined();
  });

  it('dry_run changes nothing and reports the planned job', async () => {
    const e = await start();
    const res = await runAction({
      emulator: e,
      inputs: step({ iam: 'fix', dry_run: 'true', execute: 'true' }),
    });
    expect(res.stdout).not.toContain('::error');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Dry run: would create job');
    expect(res.outputs.job).toBe(JOB);
    expect(e.world.jobs[JOB]).toBeUndefined();
    const writes = googleCalls(e).filter(
      (r) => ['PATCH', 'PUT', 'DELETE'].includes(r.method) || /:setIamPolicy|:run$|\/jobs$/.test(r.path),
    );
    expect(writes.filter((r) => r.method !== 'GET')).toEqual([]);
  });
});

describe('Application Default Credentials (after google-github-actions/auth)', () => {
  it('uses the external_account file and the exported project', async () => {
    const e = await start();
    // What google-github-actions/auth leaves behind: the OIDC token in a file and a credentials file.
    const audience = `https://iam.googleapis.com/${PROVIDER}`;
    const res0 = await fetch(
      `${e.url}/_github/oidc/token?api-version=2.0&audience=${encodeURIComponent(audience)}`,
      {
        headers: { authorization: `Bearer ${DEFAULT_ID_TOKEN_REQUEST_TOKEN}` },
      },
    );
    const { value: oidc } = (await res0.json()) as { value: string };
    const credentials = {
      type: 'external_account',
      audience: `//iam.googleapis.com/${PROVIDER}`,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: `${e.url}/v1/token`,
      credential_source: { file: 'OIDC_FILE' },
      service_account_impersonation_url: `${e.url}/v1/projects/-/serviceAccounts/${DEPLOYER}:generateAccessToken`,
    };
    const res = await runAction({
      emulator: e,
      files: { 'gha-creds.json': JSON.stringify(credentials), 'oidc.jwt': oidc },
      inputs: step({ workload_identity_provider: '', impersonate_service_account: '', project_id: '' }),
      env: { CLOUDSDK_CORE_PROJECT: 'demo-app', GOOGLE_APPLICATION_CREDENTIALS: 'gha-creds.json' },
      prepare: (workspace) => {
        const path = join(workspace, 'gha-creds.json');
        writeFileSync(path, readFileSync(path, 'utf8').replace('OIDC_FILE', join(workspace, 'oidc.jwt')));
      },
    });
    expect(res.stdout).not.toContain('::error');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`Authenticated as ${DEPLOYER}`);
    expect(res.outputs.job).toBe(JOB);
    expect(e.requestLog.find((r) => r.method === 'POST' && r.path.endsWith('/jobs'))?.caller).toBe(
      `serviceAccount:${DEPLOYER}`,
    );
  });
});

describe('IAM fix, then deploy while the grant propagates', () => {
  it('retries the PERMISSION_DENIED deploy until the new binding takes effect', async () => {
    const world = demo();
    // The deployer may administer the runtime account's policy but may not act as it yet.
    const accounts = world.serviceAccounts as Array<{ email: string; policy: unknown }>;
    for (const sa of accounts)
      if (sa.email === RUNTIME)
        sa.policy = {
          bindings: [{ role: 'roles/iam.serviceAccountAdmin', members: [`serviceAccount:${DEPLOYER}`] }],
        };
    world.propagationDelayMs = 3000;
    const e = await start(world);
    const res = await runAction({ emulator: e, inputs: step({ iam: 'fix' }) });
    expect(res.stdout).not.toContain('::error');
    expect(res.code).toBe(0);
    expect(res.outputs.iam_status).toBe('fixed');
    expect(JSON.parse(res.outputs.granted ?? '[]')).toContainEqual(
      expect.objectContaining({ role: 'roles/iam.serviceAccountUser', member: `serviceAccount:${DEPLOYER}` }),
    );
    const creates = e.requestLog.filter((r) => r.method === 'POST' && r.path.endsWith('/jobs'));
    expect(creates.length).toBeGreaterThan(1);
    expect(creates[0]?.status).toBe(403);
    expect(creates.at(-1)?.status).toBe(200);
    expect(res.stdout).toContain('while new IAM grants propagate');
  }, 60_000);
});

describe('authentication failures stop before any Cloud Run call', () => {
  it('workload identity rejected by the attribute condition', async () => {
    const world = demo();
    world.github = { ...world.github, repository: 'someone/fork' };
    const e = await start(world);
    const res = await runAction({ emulator: e, inputs: step() });
    expect(res.code).toBe(1);
    expect(failureOf(res.stdout).text).toMatch(
      /exchange the GitHub OIDC token with workload identity provider/,
    );
    expect(res.stdout).toContain('rejected by the attribute condition');
    expect(googleCalls(e).map((r) => r.path)).toEqual(['/v1/token']);
  });

  it('impersonation denied (no workloadIdentityUser on the deployer account)', async () => {
    const world = demo();
    const accounts = world.serviceAccounts as Array<{ email: string; policy: unknown }>;
    for (const sa of accounts) if (sa.email === DEPLOYER) sa.policy = {};
    const e = await start(world);
    const res = await runAction({ emulator: e, inputs: step() });
    expect(res.code).toBe(1);
    expect(failureOf(res.stdout).text).toMatch(/impersonate service account deployer@demo-app/);
    expect(res.stdout).toContain('PERMISSION_DENIED');
    expect(googleCalls(e).some((r) => r.path.includes(':generateAccessToken') && r.status === 403)).toBe(
      true,
    );
    expect(googleCalls(e).some((r) => r.path.startsWith('/v2/') || r.path.startsWith('/apis/'))).toBe(false);
  });
});

describe('bad inputs fail before any remote call', () => {
  it.each([
    {
      name: 'memory',
      inputs: { memory: 'lots' },
      message: 'Input "memory" must be a quantity like 512Mi or 2Gi, got "lots"',
    },
    { name: 'job name', inputs: { job: 'Nightly_Report' }, message: 'Input "job" must be a job name' },
    {
      name: 'secret form',
      inputs: { secrets: 'DB=db-password' },
      message: 'Input "secrets" must be NAME=SECRET:VERSION',
    },
    {
      name: 'metadata with image',
      inputs: { metadata: 'job.yaml' },
      message: 'Inputs "metadata" and "image" conflict',
    },
  ])('$name', async ({ inputs, message }) => {
    const e = await start();
    const res = await runAction({ emulator: e, inputs: step(inputs), files: { 'job.yaml': 'kind: Job' } });
    expect(res.code).toBe(1);
    expect(res.stdout).toContain(message);
    // Nothing reaches Google; the entry point may have asked GitHub for the OIDC token while
    // the action loaded (src/auth/id-token-prefetch.ts), which changes nothing anywhere.
    expect(googleCalls(e)).toEqual([]);
    expect(e.requestLog.every((r) => r.method === 'GET' && r.path.startsWith('/_github/oidc/'))).toBe(true);
  });
});
