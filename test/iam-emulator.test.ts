// The IAM preflight over real HTTP: Google's client libraries and a real AuthClient talking
// to the emulator, which enforces IAM on every read and write.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OAuth2Client } from 'google-auth-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { Policy } from '../src/gcp/iam.ts';
import { addedMembers } from '../src/iam/diff.ts';
import { preflight } from '../src/iam/index.ts';
import type { DeployPlan, Finding } from '../src/model.ts';
import { type Emulator, startEmulator } from './emulator/server.ts';
import { config } from './fixtures/config.ts';
import { endpointOverrides } from './helpers/runner-env.ts';

const ORG = '100200300400';
const DEPLOYER = 'deployer@app-proj.iam.gserviceaccount.com';
const LIMITED = 'limited@app-proj.iam.gserviceaccount.com';
const RUNNER = 'runner@ids-proj.iam.gserviceaccount.com';
const AGENT = 'service-111111111111@serverless-robot-prod.iam.gserviceaccount.com';
const REPO = 'projects/img-proj/locations/us/repositories/images';
const SECRET = 'projects/app-proj/secrets/db';
const SA = `projects/ids-proj/serviceAccounts/${RUNNER}`;
const sa = (email: string) => `serviceAccount:${email}`;

/** Job in app-proj, runtime account in ids-proj (under a folder), image in img-proj, one secret. */
const scenario = {
  organizations: [
    {
      id: ORG,
      policy: {
        bindings: [
          { role: 'roles/owner', members: ['user:admin@example.com'] },
          { role: `organizations/${ORG}/roles/policyReader`, members: [sa(DEPLOYER)] },
          { role: 'roles/orgpolicy.policyViewer', members: [sa(DEPLOYER), sa(LIMITED)] },
        ],
      },
    },
  ],
  folders: [{ id: '900900900', parent: `organizations/${ORG}`, policy: {} }],
  projects: [
    {
      id: 'app-proj',
      number: '111111111111',
      parent: `organizations/${ORG}`,
      policy: { bindings: [{ role: 'roles/run.developer', members: [sa(DEPLOYER), sa(LIMITED)] }] },
    },
    {
      id: 'ids-proj',
      number: '222222222222',
      parent: 'folders/900900900',
      policy: {},
      orgPolicies: { 'iam.disableCrossProjectServiceAccountUsage': false },
    },
    { id: 'img-proj', number: '333333333333', parent: `organizations/${ORG}`, policy: {} },
  ],
  customRoles: [
    {
      name: `organizations/${ORG}/roles/policyReader`,
      title: 'Policy reader',
      includedPermissions: [
        'resourcemanager.projects.get',
        'resourcemanager.folders.get',
        'resourcemanager.projects.getIamPolicy',
        'resourcemanager.folders.getIamPolicy',
        'resourcemanager.organizations.getIamPolicy',
        'iam.roles.get',
        // Deny policies on the hierarchy (as roles/iam.denyReviewer grants): without them an
        // allowed permission of another principal stays unverified.
        'iam.denypolicies.get',
        'iam.denypolicies.list',
      ],
    },
  ],
  serviceAccounts: [
    { email: DEPLOYER },
    { email: LIMITED },
    {
      email: RUNNER,
      policy: {
        bindings: [
          { role: 'roles/iam.serviceAccountUser', members: [sa(DEPLOYER), sa(LIMITED)] },
          { role: 'roles/iam.serviceAccountAdmin', members: [sa(DEPLOYER)] },
        ],
      },
    },
  ],
  repositories: [
    {
      name: REPO,
      policy: {
        bindings: [
          { role: 'roles/artifactregistry.reader', members: [sa(LIMITED)] },
          { role: 'roles/artifactregistry.admin', members: [sa(DEPLOYER)] },
        ],
      },
      images: { worker: ['v1'] },
    },
  ],
  secrets: [
    {
      name: SECRET,
      policy: {
        version: 3,
        bindings: [
          { role: 'roles/secretmanager.admin', members: [sa(DEPLOYER)] },
          {
            role: 'roles/secretmanager.secretAccessor',
            members: ['user:oncall@example.com'],
            condition: {
              title: 'break glass',
              expression: "request.time < timestamp('2030-01-01T00:00:00Z')",
            },
          },
        ],
      },
    },
  ],
};

const plan: DeployPlan = {
  project: 'app-proj',
  projectNumber: '111111111111',
  region: 'us-central1',
  job: 'nightly',
  jobName: 'projects/app-proj/locations/us-central1/jobs/nightly',
  image: {
    url: 'us-docker.pkg.dev/img-proj/images/worker:v1',
    registry: 'artifact-registry',
    project: 'img-proj',
    location: 'us',
    repository: 'images',
    repositoryName: REPO,
    path: 'worker',
    tag: 'v1',
  },
  serviceAccount: RUNNER,
  serviceAccountProject: 'ids-proj',
  serviceAccountIsDefault: false,
  serviceAgent: AGENT,
  secrets: [{ name: 'DB_PASSWORD', project: 'app-proj', secret: 'db', version: 'latest' }],
  deployer: DEPLOYER,
  execute: false,
};

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

async function start(): Promise<Emulator> {
  emu = await startEmulator({ scenario: structuredClone(scenario) });
  return emu;
}

function authAs(e: Emulator, email: string): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: e.issueToken(sa(email)), expiry_date: Date.now() + 3_600_000 });
  return client;
}

const env = (e: Emulator): Record<string, string> => endpointOverrides(`${e.url}/`);

/** Every IAM policy in the emulator's world, by resource name. */
function policies(e: Emulator): Record<string, Policy> {
  const w = e.world;
  const out: Record<string, Policy> = {};
  for (const o of w.organizations) out[`organizations/${o.id}`] = o.policy;
  for (const f of w.folders) out[`folders/${f.id}`] = f.policy;
  for (const p of w.projects) out[`projects/${p.id}`] = p.policy;
  for (const s of w.serviceAccounts) out[`projects/${s.project}/serviceAccounts/${s.email}`] = s.policy;
  for (const r of w.repositories) out[r.name] = r.policy;
  for (const s of w.secrets) out[s.name] = s.policy;
  return structuredClone(out);
}

function changes(before: Record<string, Policy>, after: Record<string, Policy>): string[] {
  return Object.keys(after)
    .flatMap((name) =>
      addedMembers(before[name] ?? {}, after[name] ?? {}).map((a) => `${name} ${a.role} ${a.member}`),
    )
    .sort();
}

const silent = { info: () => {}, warning: () => {}, debug: () => {} };
const statuses = (findings: Finding[]) => Object.fromEntries(findings.map((f) => [f.check, f.status]));
const setCalls = (e: Emulator) => e.requestLog.filter((r) => r.path.endsWith(':setIamPolicy'));

describe('IAM preflight against the emulator', () => {
  it('check: proves the three gaps and nothing else', async () => {
    const e = await start();
    const result = await preflight({
      plan,
      config: config({}),
      auth: authAs(e, DEPLOYER),
      env: env(e),
      log: silent,
    });
    expect(statuses(result.findings)).toEqual({
      'runtime-sa': 'satisfied',
      'deployer-actas': 'satisfied',
      'deployer-run': 'satisfied',
      'deployer-image': 'satisfied',
      'agent-image': 'missing',
      'agent-token': 'missing',
      'orgpolicy-xproject': 'satisfied',
      'runtime-secret': 'missing',
    });
    expect(result.status).toBe('missing');
    expect(setCalls(e)).toEqual([]);
    // One read per policy however many checks share it.
    const reads = e.requestLog.filter((r) => r.path.endsWith(':getIamPolicy')).map((r) => r.path);
    expect(new Set(reads).size).toBe(reads.length);
  });

  it('check: a caller who cannot read the policies gets unverified, never missing', async () => {
    const e = await start();
    const result = await preflight({
      plan,
      config: config({}),
      auth: authAs(e, LIMITED),
      env: env(e),
      log: silent,
    });
    expect(result.findings.filter((f) => f.status === 'missing')).toEqual([]);
    expect(result.status).toBe('unverified');
    const token = result.findings.find((f) => f.check === 'agent-token');
    expect(token?.status).toBe('unverified');
    expect(token?.evidence).toMatch(/no permission to read the IAM policy of service account/);
  });

  it('fix: grants on the resources, survives a concurrent writer (409), verifies, and a second run grants nothing', async () => {
    const e = await start();
    const before = policies(e);
    const auth = authAs(e, DEPLOYER);
    // Another administrator writes the service account's policy between our read and our write.
    const admin = e.issueToken('user:admin@example.com');
    const original = auth.request.bind(auth);
    let raced = false;
    auth.request = (async (opts: Parameters<typeof original>[0]) => {
      if (
        !raced &&
        String(opts.url).includes(':setIamPolicy') &&
        decodeURIComponent(String(opts.url)).includes(RUNNER)
      ) {
        raced = true;
        const url = `${e.url}/v1/projects/-/serviceAccounts/${RUNNER}`;
        const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
        const current = (await (
          await fetch(`${url}:getIamPolicy`, { method: 'POST', headers })
        ).json()) as Policy;
        current.bindings = [
          ...(current.bindings ?? []),
          { role: 'roles/iam.serviceAccountUser', members: ['user:ops@example.com'] },
        ];
        const res = await fetch(`${url}:setIamPolicy`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ policy: current }),
        });
        expect(res.status).toBe(200);
      }
      return original(opts);
    }) as typeof auth.request;

    const waits: number[] = [];
    const result = await preflight({
      plan,
      config: config({ iam: 'fix' }),
      auth,
      env: env(e),
      log: silent,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(raced).toBe(true);
    expect(waits.length).toBeGreaterThanOrEqual(1);
    expect(e.requestLog.some((r) => r.path.endsWith(':setIamPolicy') && r.status === 409)).toBe(true);
    expect(result.status).toBe('fixed');
    expect(statuses(result.findings)).toMatchObject({
      'agent-image': 'granted',
      'agent-token': 'granted',
      'runtime-secret': 'granted',
    });
    expect(result.granted).toHaveLength(3);

    // Before/after every policy in the world: only the intended members (and the other writer's) were added.
    const after = policies(e);
    expect(changes(before, after)).toEqual(
      [
        `${REPO} roles/artifactregistry.reader ${sa(AGENT)}`,
        `${SA} roles/iam.serviceAccountTokenCreator ${sa(AGENT)}`,
        `${SA} roles/iam.serviceAccountUser user:ops@example.com`,
        `${SECRET} roles/secretmanager.secretAccessor ${sa(RUNNER)}`,
      ].sort(),
    );
    // The conditional binding on the secret survived untouched.
    expect(after[SECRET]?.bindings).toContainEqual(before[SECRET]?.bindings?.[1]);

    const writes = setCalls(e).length;
    const again = await preflight({
      plan,
      config: config({ iam: 'fix' }),
      auth: authAs(e, DEPLOYER),
      env: env(e),
      log: silent,
    });
    expect(again.status).toBe('ok');
    expect(again.granted).toEqual([]);
    expect(setCalls(e)).toHaveLength(writes);
  });

  it('dry run: shows each grant as a diff and a command, writes nothing', async () => {
    const e = await start();
    const before = policies(e);
    const result = await preflight({
      plan,
      config: config({ iam: 'fix', dryRun: true }),
      auth: authAs(e, DEPLOYER),
      env: env(e),
      log: silent,
    });
    expect(setCalls(e)).toEqual([]);
    expect(policies(e)).toEqual(before);
    expect(result.status).toBe('missing');
    const secret = result.findings.find((f) => f.check === 'runtime-secret');
    expect(secret?.plannedChange?.split('\n').filter((l) => l.startsWith('+'))).toEqual([
      '+   - role: roles/secretmanager.secretAccessor',
      `+     members:`,
      `+       - ${sa(RUNNER)}`,
    ]);
    expect(secret?.command).toBe(
      `gcloud secrets add-iam-policy-binding db --project=app-proj --member=${sa(RUNNER)} --role=roles/secretmanager.secretAccessor --condition=None`,
    );
  });
});

const hasGcloud = spawnSync('gcloud', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasGcloud)
  console.warn('SKIPPED gcloud part of test/iam-emulator.test.ts: the gcloud CLI is not installed.');

/** Run a finding's command with Google's gcloud as the organization owner, against the emulator. */
function runCommand(e: Emulator, command: string, config: string): Promise<{ code: number; stderr: string }> {
  const endpoint = `http://emulator.invalid:${e.port}/`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: config,
    CLOUDSDK_CONFIG: config,
    CLOUDSDK_AUTH_ACCESS_TOKEN: e.issueToken('user:admin@example.com'),
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: '1',
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: '1',
    CLOUDSDK_PROXY_TYPE: 'http',
    CLOUDSDK_PROXY_ADDRESS: '127.0.0.1',
    CLOUDSDK_PROXY_PORT: String(e.port),
  };
  for (const api of ['IAM', 'CLOUDRESOURCEMANAGER', 'ARTIFACTREGISTRY', 'SECRETMANAGER']) {
    env[`CLOUDSDK_API_ENDPOINT_OVERRIDES_${api}`] = endpoint;
  }
  // These commands contain no quoting (checked below), so splitting on spaces is exact.
  const [bin, ...args] = command.split(' ');
  expect(bin).toBe('gcloud');
  return new Promise((resolve) => {
    execFile('gcloud', [...args, '--format=json'], { env, timeout: 90_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr });
    });
  });
}

describe.skipIf(!hasGcloud)('the gcloud commands in findings', () => {
  it('close every gap when an administrator runs them as printed', async () => {
    const e = await start();
    const before = policies(e);
    const config = mkdtempSync(join(tmpdir(), 'iam-gcloud-'));
    try {
      const first = await preflight({
        plan,
        config: config_({}),
        auth: authAs(e, DEPLOYER),
        env: env(e),
        log: silent,
      });
      const commands = first.findings.filter((f) => f.status === 'missing').map((f) => f.command ?? '');
      expect(commands).toHaveLength(3);
      for (const command of commands) {
        expect(command).not.toMatch(/['"\\$]/);
        const run = await runCommand(e, command, config);
        expect(run.code, run.stderr).toBe(0);
      }
      const second = await preflight({
        plan,
        config: config_({}),
        auth: authAs(e, DEPLOYER),
        env: env(e),
        log: silent,
      });
      expect(second.status).toBe('ok');
      expect(changes(before, policies(e))).toEqual(
        [
          `${REPO} roles/artifactregistry.reader ${sa(AGENT)}`,
          `${SA} roles/iam.serviceAccountTokenCreator ${sa(AGENT)}`,
          `${SECRET} roles/secretmanager.secretAccessor ${sa(RUNNER)}`,
        ].sort(),
      );
    } finally {
      rmSync(config, { recursive: true, force: true });
    }
  });
});

const config_ = config;
