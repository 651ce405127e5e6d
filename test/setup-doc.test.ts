// docs/SETUP.md and README name only real roles and permissions (the emulator's role data is
// Google's), and the fixer role can write every policy kind `iam: fix` grants on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/run-action.ts';

const roles = (
  JSON.parse(readFileSync(join(ROOT, 'test/emulator/data/roles.json'), 'utf8')) as {
    roles: Record<string, { includedPermissions: string[] }>;
  }
).roles;
const known = new Set(Object.values(roles).flatMap((r) => r.includedPermissions));
const setup = readFileSync(join(ROOT, 'docs/SETUP.md'), 'utf8');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('setup guide', () => {
  it('names only predefined roles that exist', () => {
    const named = new Set(
      [...`${setup}\n${readme}`.matchAll(/(?<![\w/$])roles\/[a-zA-Z.]+[a-zA-Z]/g)].map((m) => m[0]),
    );
    expect(named.size).toBeGreaterThan(5);
    for (const role of named) expect(roles, role).toHaveProperty([role]);
  });

  it('custom roles list only real permissions, the preflight one read-only', () => {
    const lists = [...setup.matchAll(/gcloud iam roles create (\w+)[^\n]*\\\n\s*--permissions=(\S+)/g)];
    expect(lists.length).toBeGreaterThanOrEqual(2);
    for (const [, name, perms] of lists)
      for (const p of (perms as string).split(',')) {
        expect(known.has(p), `${name}: ${p}`).toBe(true);
        if (name === 'cloudRunJobPreflight')
          expect(p, `${name} must only read`).not.toMatch(/\.set|\.create|\.update|\.delete/);
      }
    const fixer = lists
      .filter(([, n]) => n === 'cloudRunJobFixer')
      .flatMap(([, , p]) => (p as string).split(','));
    for (const kind of ['iam.serviceAccounts', 'artifactregistry.repositories', 'secretmanager.secrets'])
      expect(fixer).toContain(`${kind}.setIamPolicy`);
  });

  it('the workload identity provider admits one repository and the deployer is impersonated through it', () => {
    expect(setup).toContain('--attribute-condition="assertion.repository == \'$REPO\'"');
    expect(setup).toContain('--role=roles/iam.workloadIdentityUser');
    expect(setup).toContain('attribute.repository/$REPO');
  });
});
