// Attribution and endpoints, through the bundled action against the emulator: every Google
// request carries the action's User-Agent and the request_reason; the job records which client
// wrote it (v2 fields, v1 annotations); GHA_ENDPOINT_OVERRIDE_<api> works with and without the
// family's version path.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demo, IMAGE, metadataStepInputs, RUNTIME, stepInputs } from './helpers/diagnose-e2e.ts';
import { emulatorPerTest, googleCalls } from './helpers/e2e-emulator.ts';
import { ROOT, runAction } from './helpers/run-action.ts';
import { GOOGLE_APIS } from './helpers/runner-env.ts';

const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const JOB = 'projects/demo-app/locations/us-central1/jobs/nightly-report';
// No region input: the action's default (an empty input is an unset one).
const step = (over: Record<string, string> = {}) => stepInputs({ region: '', ...over });
const start = emulatorPerTest(demo);

describe('attribution', () => {
  it('every Google request, the token exchange included, names the action and the reason', async () => {
    const e = await start();
    const reason = 'deploy nightly-report from acme/payments#7';
    // iam: check reaches every API module (IAM, Resource Manager, Artifact Registry, Secret
    // Manager, org policy); fail_on: never lets it go on to the deploy.
    const res = await runAction({
      emulator: e,
      inputs: step({ iam: 'check', fail_on: 'never', secrets: 'DB=db-password:2', request_reason: reason }),
    });
    const calls = googleCalls(e);
    expect(res.stdout).toContain('Authenticated');
    // The entry point's exchange (src/auth/exchange-prefetch.ts): each token request sent once,
    // the library reading the answers it recorded rather than asking again.
    expect(calls.filter((c) => c.path === '/v1/token')).toHaveLength(1);
    expect(calls.filter((c) => c.path.includes(':generateAccessToken'))).toHaveLength(1);
    expect(calls.some((c) => c.path.includes(':testIamPermissions'))).toBe(true);
    expect(calls.some((c) => c.path.includes(':getIamPolicy'))).toBe(true);
    for (const c of calls) {
      expect(c.userAgent, `${c.method} ${c.path}`).toMatch(
        new RegExp(`^cloud-run-job-deploy/${version}( |$)`),
      );
      expect(c.requestReason, `${c.method} ${c.path}`).toBe(reason);
    }
  });

  it('without request_reason no reason header is sent; the v2 job records the client', async () => {
    const e = await start();
    const res = await runAction({ emulator: e, inputs: step() });
    expect(res.code).toBe(0);
    expect(googleCalls(e).every((c) => c.requestReason === undefined)).toBe(true);
    expect(e.world.jobs[JOB]).toMatchObject({
      client: 'cloud-run-job-deploy',
      clientVersion: version,
      labels: { 'managed-by': 'github-actions' },
    });
  });

  it('a job.yaml replace sets the v1 client annotations, which Cloud Run keeps as the client fields', async () => {
    const e = await start();
    const yaml = `apiVersion: run.googleapis.com/v1
kind: Job
metadata:
  name: nightly-report
spec:
  template:
    spec:
      template:
        spec:
          serviceAccountName: ${RUNTIME}
          containers:
          - image: ${IMAGE}
`;
    const res = await runAction({
      emulator: e,
      files: { 'job.yaml': yaml },
      inputs: metadataStepInputs('job.yaml', { region: '' }),
    });
    expect(res.stdout).not.toContain('::error');
    expect(res.code).toBe(0);
    const job = e.world.jobs[JOB] as { client?: string; clientVersion?: string; annotations?: object };
    expect(job.client).toBe('cloud-run-job-deploy');
    expect(job.clientVersion).toBe(version);
    expect(job.annotations ?? {}).not.toHaveProperty(['run.googleapis.com/client-name']);
  });
});

describe('GHA_ENDPOINT_OVERRIDE_<api>', () => {
  // The family's form carries the version path of the API's calls; a bare root works as well.
  const versioned: Record<string, string> = { run: 'v2', orgpolicy: 'v2', cloudresourcemanager: 'v3' };
  it.each([
    [
      'with the version path (https://host/v1)',
      (url: string, api: string) => `${url}/${versioned[api] ?? 'v1'}`,
    ],
    ['as a bare root with a trailing slash', (url: string) => `${url}/`],
  ])('%s', async (_name, form) => {
    const e = await start();
    const env = Object.fromEntries(
      GOOGLE_APIS.map((api) => [`GHA_ENDPOINT_OVERRIDE_${api}`, form(e.url, api)]),
    );
    const res = await runAction({ emulator: e, env, inputs: step({ iam: 'check', fail_on: 'never' }) });
    expect(res.stdout).toContain('Authenticated as deployer@demo-app.iam.gserviceaccount.com');
    const paths = googleCalls(e).map((c) => c.path);
    expect(paths).toContain('/v1/token');
    expect(
      paths.some((p) => /\/v\d\/v\d/.test(p)),
      paths.join('\n'),
    ).toBe(false);
    // Only the job that does not exist yet answers 404 (its read, and the test of its own
    // permissions asked before its existence is known): every URL was right.
    expect(
      googleCalls(e).filter(
        (c) => c.status === 404 && !/\/jobs\/nightly-report(:testIamPermissions)?$/.test(c.path),
      ),
    ).toEqual([]);
    expect(e.world.jobs[JOB]).toBeDefined();
  });
});
