// The Cloud Run service agent mints the runtime account's tokens: in the job's project it holds
// iam.serviceAccounts.getAccessToken through roles/run.serviceAgent, elsewhere only through a
// grant on the account. Without it the write fails at once, in Cloud Run's words, leaving no job.
import { afterEach, expect, it } from 'vitest';
import { AGENT, APP, DEPLOYER, IMAGE, REGION, RUNNER, runWorld } from './emulator/run-world.ts';
import { type Emulator, startEmulator } from './emulator/server.ts';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

async function create(world: Record<string, unknown>, job: string) {
  emu = await startEmulator({ scenario: world });
  const res = await fetch(`${emu.url}/v2/projects/${APP.id}/locations/${REGION}/jobs?jobId=${job}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${emu.issueToken(`serviceAccount:${DEPLOYER}`)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      template: { template: { serviceAccount: RUNNER, containers: [{ image: IMAGE }] } },
    }),
  });
  return { status: res.status, body: (await res.json()) as { error?: { message?: string } }, emu };
}

it('a same-project runtime account: fine while the agent holds roles/run.serviceAgent', async () => {
  const r = await create(runWorld(), 'ok');
  expect(r.status).toBe(200);
});

it('a same-project runtime account whose agent lost roles/run.serviceAgent: 403 on the write, no job', async () => {
  const world = runWorld();
  const projects = world.projects as Array<Record<string, unknown>>;
  if (projects[0]) projects[0].runServiceAgent = false;
  const r = await create(world, 'lost-role');
  expect(r.status).toBe(403);
  expect(r.body.error?.message).toBe(
    `Google Cloud Run Service Agent does not have permission to get access tokens for the service account ${RUNNER}. ` +
      `Please give ${AGENT} permission iam.serviceAccounts.getAccessToken on the service account. ` +
      'Alternatively, if the service account is unspecified or in the same project you are deploying in, ensure that ' +
      'the Service Agent is assigned the Google Cloud Run Service Agent role roles/run.serviceAgent.',
  );
  expect(r.emu.world.jobs[`projects/${APP.id}/locations/${REGION}/jobs/lost-role`]).toBeUndefined();
  expect(Object.keys(r.emu.world.operations)).toEqual([]);
});
