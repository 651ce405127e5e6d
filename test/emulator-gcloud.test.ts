// Google's own gcloud CLI against the emulator: the check that it speaks the real protocol.
// gcloud reaches it through endpoint overrides on an unresolvable host and the emulator as
// its HTTP proxy, with a private config folder and a token the emulator issued.
import { describe, expect, it } from 'vitest';
import { callerFor, can } from './emulator/iam-engine.ts';
import { type GcloudRun, hasGcloud, useGcloudEmulator } from './helpers/gcloud.ts';

if (!hasGcloud)
  console.warn('SKIPPED test/emulator-gcloud.test.ts: the gcloud CLI is not installed on this machine.');

const RUNTIME = 'runtime@demo-app.iam.gserviceaccount.com';
const endpoints = Object.fromEntries(
  ['IAM', 'IAMCREDENTIALS', 'CLOUDRESOURCEMANAGER', 'ARTIFACTREGISTRY', 'SECRETMANAGER'].map((api) => [
    api,
    '',
  ]),
);
const { emu, gcloud } = useGcloudEmulator('test/emulator/scenarios/demo.yaml', endpoints, 60_000);

function json(run: GcloudRun): Record<string, unknown> {
  if (run.code !== 0) throw new Error(`gcloud failed (${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

describe.skipIf(!hasGcloud)('gcloud against the emulator', () => {
  it('reads service account, project, repository and secret policies', async () => {
    const [sa, project, repo, secret] = await Promise.all([
      gcloud(['iam', 'service-accounts', 'get-iam-policy', RUNTIME, '--project', 'demo-app']),
      gcloud(['projects', 'get-iam-policy', 'demo-app']),
      gcloud([
        'artifacts',
        'repositories',
        'get-iam-policy',
        'containers',
        '--location',
        'us-central1',
        '--project',
        'demo-images',
      ]),
      gcloud(['secrets', 'get-iam-policy', 'db-password', '--project', 'demo-app']),
    ]);
    expect(json(sa).bindings).toEqual([
      {
        role: 'roles/iam.serviceAccountUser',
        members: ['serviceAccount:deployer@demo-app.iam.gserviceaccount.com'],
      },
    ]);
    expect(json(project).bindings).toContainEqual({
      role: 'roles/run.serviceAgent',
      members: ['serviceAccount:service-123456789012@serverless-robot-prod.iam.gserviceaccount.com'],
    });
    expect(JSON.stringify(json(repo).bindings)).toContain('roles/artifactregistry.reader');
    expect(json(secret).bindings).toEqual([
      { role: 'roles/secretmanager.secretAccessor', members: [`serviceAccount:${RUNTIME}`] },
    ]);
  });

  it('describes a project (v1) and a predefined role', async () => {
    const [project, role] = await Promise.all([
      gcloud(['projects', 'describe', 'demo-app']),
      gcloud(['iam', 'roles', 'describe', 'roles/iam.serviceAccountUser']),
    ]);
    expect(json(project)).toMatchObject({
      projectId: 'demo-app',
      projectNumber: '123456789012',
      lifecycleState: 'ACTIVE',
    });
    expect(json(role).includedPermissions).toContain('iam.serviceAccounts.actAs');
  });

  it('add-iam-policy-binding does an etag read-modify-write that keeps existing bindings', async () => {
    const out = json(
      await gcloud([
        'iam',
        'service-accounts',
        'add-iam-policy-binding',
        RUNTIME,
        '--project',
        'demo-app',
        '--member',
        'user:ops@acme.example',
        '--role',
        'roles/iam.serviceAccountTokenCreator',
      ]),
    );
    expect(out.bindings).toEqual([
      {
        role: 'roles/iam.serviceAccountUser',
        members: ['serviceAccount:deployer@demo-app.iam.gserviceaccount.com'],
      },
      { role: 'roles/iam.serviceAccountTokenCreator', members: ['user:ops@acme.example'] },
    ]);
    const ops = callerFor(emu().world, 'user:ops@acme.example');
    expect(
      can(
        emu().world,
        ops,
        'iam.serviceAccounts.getAccessToken',
        `projects/demo-app/serviceAccounts/${RUNTIME}`,
      ),
    ).toBe(true);
  });

  it('writes a conditional project binding at version 3, which grants until its time runs out', async () => {
    const run = await gcloud([
      'projects',
      'add-iam-policy-binding',
      'demo-app',
      '--member',
      'user:bob@acme.example',
      '--role',
      'roles/run.viewer',
      '--condition',
      "expression=request.time < timestamp('2099-01-01T00:00:00Z'),title=until-2099",
    ]);
    const policy = json(run);
    expect(policy.version).toBe(3);
    expect(policy.bindings).toContainEqual({
      role: 'roles/run.viewer',
      members: ['user:bob@acme.example'],
      condition: { expression: "request.time < timestamp('2099-01-01T00:00:00Z')", title: 'until-2099' },
    });
    const bob = callerFor(emu().world, 'user:bob@acme.example');
    expect(can(emu().world, bob, 'run.jobs.get', 'projects/demo-app')).toBe(true);
    expect(
      can(emu().world, bob, 'run.jobs.get', 'projects/demo-app', Date.parse('2100-01-01T00:00:00Z')),
    ).toBe(false);
  });

  it('fails with PERMISSION_DENIED naming the permission for a caller without access', async () => {
    const run = await gcloud(
      ['projects', 'get-iam-policy', 'demo-app'],
      emu().issueToken('user:mallory@evil.example'),
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('PERMISSION_DENIED');
    expect(run.stderr).toContain('resourcemanager.projects.getIamPolicy');
  });
});
