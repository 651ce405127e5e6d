// The preflight's reads start from a provisional plan before the job and the project number are
// read (src/iam/index.ts warmPreflight): the preflight proper then finds them in the cache.
import { OAuth2Client } from 'google-auth-library';
import { describe, expect, it } from 'vitest';
import { BUILTIN_ROLES } from '../src/iam/builtin-roles.ts';
import { createPreflightSession, preflight, warmPreflight } from '../src/iam/index.ts';
import { provisionalPlan, UNKNOWN_NUMBER } from '../src/plan.ts';
import { config, plan } from './fixtures/config.ts';
import { FakeBackend } from './iam-fake.ts';

const DEPLOYER = 'serviceAccount:deployer@app.iam.gserviceaccount.com';
const log = { info: () => {}, warning: () => {}, debug: () => {} };
const auth = new OAuth2Client();

function backend(): FakeBackend {
  return new FakeBackend({
    caller: DEPLOYER,
    roles: structuredClone(BUILTIN_ROLES as Record<string, string[]>),
    serviceAccounts: { 'runner@app.iam.gserviceaccount.com': {} },
    policies: {
      'projects/app': {
        bindings: [
          { role: 'roles/run.developer', members: [DEPLOYER] },
          { role: 'roles/iam.serviceAccountUser', members: [DEPLOYER] },
          { role: 'roles/artifactregistry.reader', members: [DEPLOYER] },
        ],
      },
    },
  });
}

const inputs = config({
  image: 'us-docker.pkg.dev/app/images/worker:1',
  serviceAccount: 'runner@app.iam.gserviceaccount.com',
  secrets: { DB: { secret: 'db', version: 'latest' } },
});
const local = { project: 'app', job: 'nightly' };

describe('warmPreflight', () => {
  it('asks testIamPermissions once, for create and update, and the preflight reads nothing new', async () => {
    const b = backend();
    const session = createPreflightSession({ config: inputs, auth, env: {}, log, backend: b });
    warmPreflight(session, provisionalPlan(inputs, local, 'abc', DEPLOYER), UNKNOWN_NUMBER);
    await new Promise((r) => setTimeout(r, 10));
    const warmed = [...b.calls];
    expect(warmed).toContain('test projects/app');
    expect(warmed).toContain('get projects/app/secrets/db');
    // The real plan knows the job exists: only update is needed, from the same answer.
    const real = plan({
      jobExists: true,
      secrets: [{ name: 'DB', project: 'app', secret: 'db', version: 'latest' }],
    });
    const result = await preflight({ plan: real, config: inputs, auth, env: {}, log, session });
    // Nothing is asked anew: the existing job's own permissions were tested while the plan was
    // read (as if it existed), and with the deny policies read and no rule naming the service
    // agent, the troubleshooter is not asked about it (its project number was not known).
    expect(warmed).toContain('test projects/app/locations/us-central1/jobs/nightly');
    expect(b.calls.slice(warmed.length)).toEqual([]);
    expect(b.calls.slice(0, warmed.length)).toEqual(warmed);
    const run = result.findings.find((f) => f.check === 'deployer-run');
    expect(run?.status).toBe('satisfied');
    expect(run?.permission).toBe('run.jobs.update, run.jobs.get, run.operations.get');
  });

  it('leaves what depends on the project number to the preflight proper', async () => {
    const b = backend();
    const noSa = config({ image: 'us-docker.pkg.dev/app/images/worker:1' });
    const session = createPreflightSession({ config: noSa, auth, env: {}, log, backend: b });
    warmPreflight(session, provisionalPlan(noSa, local, undefined, DEPLOYER), UNKNOWN_NUMBER);
    await new Promise((r) => setTimeout(r, 10));
    expect(b.calls.some((c) => c.includes(UNKNOWN_NUMBER))).toBe(false);
    expect(b.calls).toContain('test projects/app/locations/us/repositories/images');
  });
});
