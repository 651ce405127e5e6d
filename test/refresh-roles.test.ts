// scripts/refresh-roles.mjs rewrites the emulator's role data from `gcloud iam roles describe`.
// Google is not reachable from tests, so a stand-in gcloud answers from a table; the script's
// reading, filtering, provenance and writing are the real ones.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filterPermissions } from '../scripts/refresh-roles.mjs';
import { ROOT } from './helpers/run-action.ts';

type Roles = {
  source: string;
  filteredRoles: Record<string, string>;
  roles: Record<string, { includedPermissions: string[] }>;
};
const ROLES = join(ROOT, 'test/emulator/data/roles.json');
const SCRIPT = join(ROOT, 'scripts/refresh-roles.mjs');

/** A gcloud that describes each role from `answers` (role -> JSON) and fails on any other. */
function fakeGcloud(dir: string, answers: Record<string, unknown>): string {
  writeFileSync(join(dir, 'answers.json'), JSON.stringify(answers));
  const path = join(dir, 'gcloud');
  writeFileSync(
    path,
    `#!${process.execPath}
const a = require(${JSON.stringify(join(dir, 'answers.json'))});
const [cmd, sub, verb, role] = process.argv.slice(2);
if (cmd === 'version') { console.log('999.0.0'); process.exit(0); }
if (cmd !== 'iam' || sub !== 'roles' || verb !== 'describe' || !a[role]) {
  console.error('ERROR: (gcloud.iam.roles.describe) NOT_FOUND: ' + role); process.exit(1);
}
console.log(JSON.stringify(a[role]));
`,
  );
  chmodSync(path, 0o755);
  return path;
}

function setup(mutate: (answers: Record<string, Record<string, unknown>>) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'refresh-roles-'));
  const file = join(dir, 'roles.json');
  copyFileSync(ROLES, file);
  const data = JSON.parse(readFileSync(ROLES, 'utf8')) as Roles;
  const answers: Record<string, Record<string, unknown>> = {};
  for (const [name, def] of Object.entries(data.roles)) answers[name] = { name, ...def, etag: 'AA==' };
  mutate(answers);
  return { file, gcloud: fakeGcloud(dir, answers), data };
}

describe('refresh-roles', () => {
  it('filters a broad role to the services the file names', () => {
    expect(filterPermissions(['run.jobs.get', 'compute.instances.get', 'iam.roles.get'], 'iam, run')).toEqual(
      ['run.jobs.get', 'iam.roles.get'],
    );
  });

  it('rewrites includedPermissions, keeps the filter and extends the provenance', () => {
    const { file, gcloud, data } = setup((a) => {
      const user = a['roles/iam.serviceAccountUser'] as { includedPermissions: string[] };
      user.includedPermissions = [...user.includedPermissions, 'iam.serviceAccounts.newThing'];
      const editor = a['roles/editor'] as { includedPermissions: string[] };
      editor.includedPermissions = [
        ...editor.includedPermissions,
        'compute.instances.create',
        'run.jobs.newThing',
      ];
    });
    const check = spawnSync(process.execPath, [SCRIPT, '--file', file, '--gcloud', gcloud, '--check'], {
      encoding: 'utf8',
    });
    expect(check.status).toBe(1);
    expect(check.stdout).toContain('changed: roles/iam.serviceAccountUser');
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(ROLES, 'utf8'));

    execFileSync(process.execPath, [SCRIPT, '--file', file, '--gcloud', gcloud]);
    const next = JSON.parse(readFileSync(file, 'utf8')) as Roles;
    expect(Object.keys(next.roles)).toEqual(Object.keys(data.roles));
    expect(next.roles['roles/iam.serviceAccountUser']?.includedPermissions).toContain(
      'iam.serviceAccounts.newThing',
    );
    expect(next.roles['roles/editor']?.includedPermissions).toContain('run.jobs.newThing');
    expect(next.roles['roles/editor']?.includedPermissions).not.toContain('compute.instances.create');
    expect(next.filteredRoles).toEqual(data.filteredRoles);
    expect(next.source.startsWith(data.source.replace(/; refreshed .*$/, ''))).toBe(true);
    expect(next.source).toMatch(
      /refreshed with gcloud iam roles describe \(gcloud 999\.0\.0\) on \d{4}-\d\d-\d\d$/,
    );

    const again = spawnSync(process.execPath, [SCRIPT, '--file', file, '--gcloud', gcloud, '--check'], {
      encoding: 'utf8',
    });
    expect(again.status).toBe(0);
  });

  it("stops with gcloud's error and writes nothing when a role cannot be described", () => {
    const { file, gcloud } = setup((a) => {
      delete a['roles/run.developer'];
    });
    const res = spawnSync(process.execPath, [SCRIPT, '--file', file, '--gcloud', gcloud], {
      encoding: 'utf8',
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain(
      'gcloud iam roles describe roles/run.developer failed: ERROR: (gcloud.iam.roles.describe) NOT_FOUND',
    );
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(ROLES, 'utf8'));
  });
});
