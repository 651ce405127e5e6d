// IAM conditions as Google evaluates them: the timestamp accessors with time zones, string
// functions on resource.name (extract included), resource.type/service, and the tag functions
// over tags a resource holds or inherits; deny conditions limited to the tag functions; a
// condition IAM cannot parse refused when written (400) and never an internal error.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CelTime, evaluateCel } from './emulator/cel.ts';
import { callerFor, can } from './emulator/iam-engine.ts';
import { worldFromObject } from './emulator/scenario.ts';
import { emulatorJson } from './helpers/emulator.ts';
import { hasGcloud, useGcloudEmulator } from './helpers/gcloud.ts';

// 2026-03-02T07:30:00Z is a Monday: 08:30 in Berlin, 23:30 on Sunday in Los Angeles.
const NOW = Date.parse('2026-03-02T07:30:00Z');
const at = (expr: string, name = '') =>
  evaluateCel(expr, {
    request: { time: new CelTime(NOW) },
    resource: { name, type: 'secretmanager.googleapis.com/Secret', service: 'secretmanager.googleapis.com' },
    tags: [],
  });

describe('timestamp accessors (CEL, as IAM conditions use them)', () => {
  it.each([
    ["request.time.getHours('Europe/Berlin')", 8],
    ['request.time.getHours()', 7],
    ["request.time.getHours('America/Los_Angeles')", 23],
    ["request.time.getDayOfWeek('Europe/Berlin')", 1],
    ["request.time.getDayOfWeek('America/Los_Angeles')", 0],
    ["request.time.getHours('+05:30')", 13],
    ["request.time.getMinutes('+05:30')", 0],
    ["request.time.getMonth('UTC')", 2],
    ["request.time.getDayOfMonth('UTC')", 1],
    ["request.time.getDate('UTC')", 2],
    ["request.time.getDayOfYear('UTC')", 60],
    ["request.time.getFullYear('Asia/Tokyo')", 2026],
  ])('%s is %s', (expr, want) => {
    expect(at(expr)).toBe(want);
  });

  it('office hours in a time zone, compared as numbers', () => {
    const office =
      "request.time.getHours('Europe/Berlin') >= 8 && request.time.getHours('Europe/Berlin') < 18 && " +
      "request.time.getDayOfWeek('Europe/Berlin') >= 1 && request.time.getDayOfWeek('Europe/Berlin') <= 5";
    expect(at(office)).toBe(true);
    expect(at(office.replaceAll('Europe/Berlin', 'America/Los_Angeles'))).toBe(false);
  });
});

describe('resource attributes', () => {
  const name = 'projects/111/secrets/db-password';
  it('startsWith, endsWith, extract; type and service', () => {
    expect(at("resource.name.startsWith('projects/111/secrets/db-')", name)).toBe(true);
    expect(at("resource.name.endsWith('-password')", name)).toBe(true);
    expect(at("resource.name.extract('projects/111/secrets/{name}')", name)).toBe('db-password');
    expect(at("resource.name.extract('/secrets/{name}')", name)).toBe('db-password');
    expect(at("resource.name.extract('projects/{p}/secrets/')", name)).toBe('111');
    expect(at("resource.name.extract('buckets/{b}/')", name)).toBe('');
    expect(
      at(
        "resource.type == 'secretmanager.googleapis.com/Secret' && resource.service == 'secretmanager.googleapis.com'",
      ),
    ).toBe(true);
  });
});

const ORG = '472095813307';
const tagWorld = (denyExpression?: string) =>
  worldFromObject({
    organizations: [{ id: ORG, policy: {} }],
    projects: [
      {
        id: 'prod-app',
        number: '100000000001',
        parent: `organizations/${ORG}`,
        policy: {
          bindings: [
            {
              role: 'roles/secretmanager.secretAccessor',
              members: ['user:dev@acme.example'],
              condition: { expression: `!resource.matchTag('${ORG}/env', 'prod')`, title: 'not prod' },
            },
            {
              role: 'roles/secretmanager.secretAccessor',
              members: ['user:ops@acme.example'],
              condition: { expression: `resource.hasTagKey('${ORG}/env')`, title: 'tagged' },
            },
          ],
        },
      },
      {
        id: 'dev-app',
        number: '100000000002',
        parent: `organizations/${ORG}`,
        policy: {
          bindings: [
            {
              role: 'roles/secretmanager.secretAccessor',
              members: ['user:dev@acme.example', 'user:ops@acme.example'],
              condition: { expression: `!resource.matchTag('${ORG}/env', 'prod')`, title: 'not prod' },
            },
          ],
        },
      },
    ],
    // The organization says prod; dev-app overrides the same key with dev.
    tags: [
      {
        resource: `organizations/${ORG}`,
        key: `${ORG}/env`,
        value: 'prod',
        keyId: 'tagKeys/281',
        valueId: 'tagValues/901',
      },
      {
        resource: 'projects/dev-app',
        key: `${ORG}/env`,
        value: 'dev',
        keyId: 'tagKeys/281',
        valueId: 'tagValues/902',
      },
    ],
    secrets: [{ name: 'projects/prod-app/secrets/s' }, { name: 'projects/dev-app/secrets/s' }],
    ...(denyExpression
      ? {
          denyPolicies: [
            {
              attachmentPoint: `organizations/${ORG}`,
              rules: [
                {
                  denyRule: {
                    deniedPrincipals: ['principal://goog/subject/ops@acme.example'],
                    deniedPermissions: ['secretmanager.googleapis.com/versions.access'],
                    denialCondition: { expression: denyExpression },
                  },
                },
              ],
            },
          ],
        }
      : {}),
  });

describe('tags: matchTag, matchTagId, hasTagKey, hasTagKeyId over inherited tags', () => {
  const access = (world: ReturnType<typeof tagWorld>, who: string, project: string) =>
    can(world, callerFor(world, who), 'secretmanager.versions.access', `projects/${project}/secrets/s`);

  it('the nearest binding of a key wins; the condition sees it', () => {
    const w = tagWorld();
    expect(access(w, 'user:dev@acme.example', 'prod-app')).toBe(false);
    expect(access(w, 'user:dev@acme.example', 'dev-app')).toBe(true);
    expect(access(w, 'user:ops@acme.example', 'prod-app')).toBe(true);
  });

  it('a deny rule on a tag applies where the tag is, and not elsewhere', () => {
    const w = tagWorld("resource.matchTagId('tagKeys/281', 'tagValues/901')");
    expect(access(w, 'user:ops@acme.example', 'prod-app')).toBe(false);
    expect(access(w, 'user:ops@acme.example', 'dev-app')).toBe(true);
    const byKey = tagWorld(
      "resource.hasTagKeyId('tagKeys/281') && !resource.matchTag('472095813307/env', 'dev')",
    );
    expect(access(byKey, 'user:ops@acme.example', 'prod-app')).toBe(false);
    expect(access(byKey, 'user:ops@acme.example', 'dev-app')).toBe(true);
  });

  it('a deny condition with anything but the tag functions is refused', () => {
    expect(() => tagWorld("request.time < timestamp('2030-01-01T00:00:00Z')")).toThrow(/not supported here/);
    expect(() => tagWorld("resource.name.startsWith('projects/')")).toThrow(/not supported here/);
  });
});

const ADMIN = 'user:admin@acme.example';
const { emu, gcloud } = useGcloudEmulator(
  {
    projects: [
      {
        id: 'app',
        number: '111111111111',
        policy: { bindings: [{ role: 'roles/owner', members: [ADMIN] }] },
      },
    ],
    serviceAccounts: [
      {
        email: 'runtime@app.iam.gserviceaccount.com',
        policy: {
          bindings: [
            // Stored before the emulator refused such conditions: it must never crash a check.
            {
              role: 'roles/iam.serviceAccountUser',
              members: ['user:eve@acme.example'],
              condition: { expression: 'request.time <' },
            },
          ],
        },
      },
    ],
    tokens: { 'admin-token': ADMIN, 'eve-token': 'user:eve@acme.example' },
  },
  { CLOUDRESOURCEMANAGER: '' },
  90_000,
);

describe('conditions through the API', () => {
  it('a condition that does not parse is refused with 400, never 500', async () => {
    const read = await emulatorJson(emu(), 'admin-token', 'POST', '/v1/projects/app:getIamPolicy', {
      options: { requestedPolicyVersion: 3 },
    });
    const policy = read.body;
    policy.version = 3;
    policy.bindings.push({
      role: 'roles/run.viewer',
      members: ['user:bob@acme.example'],
      condition: { title: 'broken', expression: "request.time.getHours('Europe/Berlin') >= " },
    });
    const r = await emulatorJson(emu(), 'admin-token', 'POST', '/v1/projects/app:setIamPolicy', { policy });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe('Request contains an invalid argument.');
    expect(r.body.error.details[0].fieldViolations[0].field).toMatch(
      /^policy\.bindings\[\d+\]\.condition\.expression$/,
    );
  });

  it('a stored condition that cannot be evaluated grants nothing, and answers 200', async () => {
    const r = await emulatorJson(
      emu(),
      'eve-token',
      'POST',
      '/v1/projects/app/serviceAccounts/runtime@app.iam.gserviceaccount.com:testIamPermissions',
      { permissions: ['iam.serviceAccounts.actAs'] },
    );
    expect(r.status).toBe(200);
    expect(r.body).toEqual({});
  });

  it.skipIf(!hasGcloud)('gcloud writes a time-zone condition that IAM accepts and keeps', async () => {
    const file = join(tmpdir(), `cel-condition-${process.pid}.yaml`);
    writeFileSync(
      file,
      [
        'title: berlin office hours',
        "expression: request.time.getHours('Europe/Berlin') >= 8 && request.time.getHours('Europe/Berlin') < 18",
      ].join('\n'),
    );
    const r = await gcloud([
      'projects',
      'add-iam-policy-binding',
      'app',
      '--member=user:carol@acme.example',
      '--role=roles/run.viewer',
      `--condition-from-file=${file}`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const stored = emu().world.projects[0]?.policy.bindings?.find((b) =>
      b.members.includes('user:carol@acme.example'),
    );
    expect(stored?.condition?.expression).toContain("getHours('Europe/Berlin')");
  });
});
