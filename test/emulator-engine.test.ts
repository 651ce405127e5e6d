// The emulator's IAM engine and CEL subset, table-driven on small worlds (pure, no server).
import { describe, expect, it } from 'vitest';
import { conditionHolds, mapAttributes } from './emulator/cel.ts';
import { callerFor, can, notePolicyWrite } from './emulator/iam-engine.ts';
import { parseImageUrl } from './emulator/images.ts';
import { worldFromObject } from './emulator/scenario.ts';

const POOL = 'iam.googleapis.com/projects/1001/locations/global/workloadIdentityPools/gh';
const world = worldFromObject({
  organizations: [
    { id: '9', policy: { bindings: [{ role: 'roles/viewer', members: ['domain:acme.example'] }] } },
  ],
  folders: [
    {
      id: '50',
      parent: 'organizations/9',
      policy: { bindings: [{ role: 'roles/run.developer', members: ['group:outer@acme.example'] }] },
    },
  ],
  projects: [
    { id: 'app', number: '1001', parent: 'folders/50', policy: {} },
    { id: 'other', number: '2002', computeServiceAccount: false, runServiceAgent: false },
  ],
  groups: [
    { email: 'outer@acme.example', members: ['group:inner@acme.example'] },
    { email: 'inner@acme.example', members: ['user:Carol@acme.example'] },
  ],
  customRoles: [
    {
      name: 'projects/app/roles/puller',
      includedPermissions: ['artifactregistry.repositories.downloadArtifacts'],
    },
  ],
  serviceAccounts: [
    {
      email: 'runtime@app.iam.gserviceaccount.com',
      policy: {
        bindings: [
          { role: 'roles/iam.serviceAccountUser', members: ['user:dave@example.org'] },
          {
            role: 'roles/iam.serviceAccountTokenCreator',
            members: ['user:erin@example.org'],
            condition: { expression: "request.time < timestamp('2099-01-01T00:00:00Z')" },
          },
          {
            role: 'roles/iam.serviceAccountTokenCreator',
            members: ['user:frank@example.org'],
            condition: { expression: 'true' },
          },
          {
            role: 'roles/iam.serviceAccountTokenCreator',
            members: ['user:gina@example.org'],
            condition: { expression: "request.time < timestamp('2020-01-01T00:00:00Z')", title: 'expired' },
          },
          {
            role: 'roles/iam.serviceAccountTokenCreator',
            members: ['user:hal@example.org'],
            condition: {
              expression: "request.time >= timestamp('2020-01-01T00:00:00Z') && resource.type == 'x'",
            },
          },
          {
            role: 'roles/iam.workloadIdentityUser',
            members: [`principalSet://${POOL}/attribute.repository/acme/app`],
          },
        ],
      },
    },
  ],
  repositories: [
    {
      name: 'projects/other/locations/us/repositories/r',
      policy: { bindings: [{ role: 'projects/app/roles/puller', members: ['allAuthenticatedUsers'] }] },
    },
  ],
});

const SA = 'projects/app/serviceAccounts/runtime@app.iam.gserviceaccount.com';
const fed = callerFor(world, `principal://${POOL}/subject/repo:acme/app:ref:refs/heads/main`, [
  `principalSet://${POOL}/*`,
  `principalSet://${POOL}/attribute.repository/acme/app`,
]);

describe('can()', () => {
  it.each([
    ['user:dave@example.org', 'iam.serviceAccounts.actAs', SA, true],
    ['user:DAVE@example.org', 'iam.serviceAccounts.actAs', SA, true],
    ['user:dave@example.org', 'iam.serviceAccounts.getAccessToken', SA, false],
    ['user:erin@example.org', 'iam.serviceAccounts.getAccessToken', SA, true], // request.time before 2099
    ['user:gina@example.org', 'iam.serviceAccounts.getAccessToken', SA, false], // expired in 2020
    ['user:hal@example.org', 'iam.serviceAccounts.getAccessToken', SA, false], // service accounts carry no resource.type
    ['user:frank@example.org', 'iam.serviceAccounts.getAccessToken', SA, true], // condition literally true
    ['user:carol@acme.example', 'run.jobs.create', 'projects/app/locations/us-central1/jobs/j', true], // nested group via folder
    ['user:carol@acme.example', 'run.jobs.create', 'projects/other', false], // other project has no folder
    ['user:zoe@acme.example', 'resourcemanager.projects.get', 'projects/1001', true], // domain: on org, project by number
    ['serviceAccount:x@acme.example', 'resourcemanager.projects.get', 'projects/app', false], // domain: is for users
    [
      'user:nobody@example.org',
      'artifactregistry.repositories.downloadArtifacts',
      'projects/2002/locations/us/repositories/r',
      true,
    ],
    [
      'user:nobody@example.org',
      'artifactregistry.repositories.get',
      'projects/other/locations/us/repositories/r',
      false,
    ],
    ['serviceAccount:1001-compute@developer.gserviceaccount.com', 'run.jobs.create', 'projects/app', true], // default editor
  ])('%s %s on %s -> %s', (member, permission, resource, expected) => {
    expect(can(world, callerFor(world, member), permission, resource)).toBe(expected);
  });

  it('matches principalSet attribute members of a federated caller', () => {
    expect(can(world, fed, 'iam.serviceAccounts.getAccessToken', SA)).toBe(true);
    const otherRepo = callerFor(world, `principal://${POOL}/subject/x`, [
      `principalSet://${POOL}/attribute.repository/acme/other`,
    ]);
    expect(can(world, otherRepo, 'iam.serviceAccounts.getAccessToken', SA)).toBe(false);
  });

  it('gives anonymous callers only allUsers grants', () => {
    expect(
      can(
        world,
        undefined,
        'artifactregistry.repositories.downloadArtifacts',
        'projects/other/locations/us/repositories/r',
      ),
    ).toBe(false);
  });

  it('delays grants added by a policy write, not the ones already there', () => {
    const w = worldFromObject({
      projects: [{ id: 'p', policy: { bindings: [{ role: 'roles/viewer', members: ['user:a@x.io'] }] } }],
    });
    w.propagationDelayMs = 1000;
    const project = w.projects[0];
    if (!project) throw new Error('no project');
    const prev = project.policy;
    const next = {
      ...prev,
      bindings: [...(prev.bindings ?? []), { role: 'roles/viewer', members: ['user:b@x.io'] }],
    };
    const t0 = Date.now();
    notePolicyWrite(w, prev, next, t0);
    project.policy = next;
    const get = (m: string, now: number) =>
      can(w, callerFor(w, m), 'resourcemanager.projects.get', 'projects/p', now);
    expect(get('user:a@x.io', t0 + 1)).toBe(true);
    expect(get('user:b@x.io', t0 + 1)).toBe(false);
    expect(get('user:b@x.io', t0 + 1001)).toBe(true);
  });
});

describe('CEL subset', () => {
  const claims = { repository: 'acme/app', ref: 'refs/heads/main', sub: 'repo:acme/app:ref:refs/heads/main' };
  it.each([
    ["assertion.repository == 'acme/app'", true],
    ["assertion.repository != 'acme/app'", false],
    ["assertion.repository == 'acme/app' && assertion.ref.startsWith('refs/tags/')", false],
    ["assertion.repository == 'acme/x' || assertion.ref.startsWith('refs/heads/')", true],
    ["assertion.repository in ['acme/x', 'acme/app']", true],
    ["!(assertion.repository in ['acme/x'])", true],
    ["attribute.repo == 'acme/app'", true],
    ["assertion.missing == 'x'", false],
  ])('%s -> %s', (expr, expected) => {
    const attrs = mapAttributes(
      { 'google.subject': 'assertion.sub', 'attribute.repo': 'assertion.repository' },
      claims,
    );
    expect(conditionHolds(expr, claims, attrs)).toBe(expected);
  });
  it('rejects unsupported syntax loudly', () => {
    expect(() => conditionHolds('assertion.repository.size() > 3', claims, {})).toThrow(/CEL/);
  });
});

describe('parseImageUrl', () => {
  it.each([
    [
      'us-central1-docker.pkg.dev/p/r/a/b:v1',
      { project: 'p', location: 'us-central1', repository: 'r', path: 'a/b', tag: 'v1' },
    ],
    [
      'europe-docker.pkg.dev/p/r/img@sha256:abc',
      { project: 'p', location: 'europe', repository: 'r', path: 'img', digest: 'sha256:abc' },
    ],
    ['eu.gcr.io/p/img', { project: 'p', location: 'europe', repository: 'eu.gcr.io', path: 'img' }],
    [
      'gcr.io/p/img:latest',
      { project: 'p', location: 'us', repository: 'gcr.io', path: 'img', tag: 'latest' },
    ],
  ])('%s', (url, expected) => {
    expect(parseImageUrl(url)).toEqual(expected);
  });
  it('refuses other registries', () => {
    expect(parseImageUrl('docker.io/library/nginx')).toBeUndefined();
  });
});
