// The job's read-modify-write (issue 16): an update is built from a decoded read and sends that
// read's etag (GoogleCloudRunV2Job.etag, gcloud's run_v2_messages.py: a fingerprint to detect
// modification conflicts during updates). Real HTTP, the action's own src/gcp/run.ts, the emulator.
import { OAuth2Client } from 'google-auth-library';
import { describe, expect, it } from 'vitest';
import type { ApiContext } from '../src/gcp/clients.ts';
import { isStatus } from '../src/gcp/errors.ts';
import { createJob, getJob, updateJob, waitOperation } from '../src/gcp/run.ts';
import { useEmulator } from './helpers/emulator.ts';
import { loadScenarios, withRunner } from './helpers/iam-world.ts';
import { endpointOverrides } from './helpers/runner-env.ts';

const s = loadScenarios('test/scenarios/iam').find((x) => x.file.startsWith('01-'));
if (!s) throw new Error('scenario 01 is missing');
const i = s.expect.inputs;
const emu = useEmulator({ scenario: withRunner(s.world, s.expect), propagationDelayMs: 0 });
const parent = `projects/${i.project_id}/locations/us-central1`;
const name = `${parent}/jobs/etag-check`;
const image = 'us-central1-docker.pkg.dev/app-proj/containers/worker:v1';

function ctx(): ApiContext {
  const auth = new OAuth2Client();
  auth.setCredentials({
    access_token: emu().issueToken(`serviceAccount:${s?.expect.deployer}`),
    expiry_date: Date.now() + 3_600_000,
  });
  return {
    auth,
    universe: 'googleapis.com',
    env: endpointOverrides(`${emu().url}/`),
    retry: { sleep: async () => undefined },
  };
}

describe('job updates carry the etag of their read', () => {
  it('an update from a read goes through; from a stale read it is refused, never applied over the newer job', async () => {
    const c = ctx();
    const job = {
      template: {
        template: { serviceAccount: i.service_account ?? null, maxRetries: 5, containers: [{ image }] },
      },
    };
    await waitOperation(c, await createJob(c, parent, 'etag-check', job), { deadlineMs: 10_000 });
    const first = await getJob(c, name);
    expect(first?.etag).toBeTruthy();
    // Someone else updates the job after our read.
    const other = await getJob(c, name);
    await waitOperation(c, await updateJob(c, name, { ...(other ?? {}), labels: { by: 'someone-else' } }), {
      deadlineMs: 10_000,
    });
    // Our write, built from the first (now stale) read, is refused: the other change is not lost.
    const stale = { ...(first ?? {}), labels: { by: 'this-run' } };
    expect(stale.etag).toBe(first?.etag);
    const refused = await updateJob(c, name, stale).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isStatus(refused, 'ABORTED')).toBe(true);
    expect((await getJob(c, name))?.labels).toEqual({ by: 'someone-else' });
    // An update without the etag of a read is never sent.
    const { etag: _dropped, ...unguarded } = stale;
    await expect(updateJob(c, name, unguarded)).rejects.toThrow(/must carry the etag of its read/);
  }, 60_000);
});
