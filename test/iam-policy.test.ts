import { describe, expect, it } from 'vitest';
import type { Policy } from '../src/gcp/iam.ts';
import { addedMembers, diffPolicies } from '../src/iam/diff.ts';
import {
  addBinding,
  evaluatePermission,
  hasBinding,
  matchMember,
  rolesConcerning,
} from '../src/iam/policy.ts';

const POOL = 'projects/123/locations/global/workloadIdentityPools/gh';
const SA = 'serviceAccount:agent@p.iam.gserviceaccount.com';
const ALICE = 'user:alice@example.com';
const WIF = `principal://iam.googleapis.com/${POOL}/subject/repo:o/r:ref:refs/heads/main`;

describe('matchMember', () => {
  it.each([
    ['exact service account', SA, SA, 'yes'],
    ['case-insensitive email', 'serviceAccount:Agent@P.iam.gserviceaccount.com', SA, 'yes'],
    ['other account', 'serviceAccount:other@p.iam.gserviceaccount.com', SA, 'no'],
    ['deleted member', `deleted:${SA}?uid=1`, SA, 'no'],
    ['allUsers', 'allUsers', SA, 'yes'],
    ['allAuthenticatedUsers', 'allAuthenticatedUsers', ALICE, 'yes'],
    ['group cannot be expanded', 'group:devs@example.com', ALICE, 'unknown'],
    ['domain matches email domain', 'domain:example.com', ALICE, 'yes'],
    ['domain of another org', 'domain:other.com', ALICE, 'no'],
    ['domain vs subdomain', 'domain:ample.com', ALICE, 'no'],
    ['principal exact', WIF, WIF, 'yes'],
    ['pool wildcard set', `principalSet://iam.googleapis.com/${POOL}/*`, WIF, 'yes'],
    [
      'pool attribute set is unprovable',
      `principalSet://iam.googleapis.com/${POOL}/attribute.repository/o/r`,
      WIF,
      'unknown',
    ],
    ['pool set never holds a service account', `principalSet://iam.googleapis.com/${POOL}/*`, SA, 'no'],
    [
      'another pool',
      'principalSet://iam.googleapis.com/projects/9/locations/global/workloadIdentityPools/x/*',
      WIF,
      'no',
    ],
    [
      'non-pool principal set',
      'principalSet://cloudresourcemanager.googleapis.com/projects/1/type/ServiceAccount',
      SA,
      'unknown',
    ],
  ])('%s', (_name, bound, member, expected) => {
    expect(matchMember(bound, member)).toBe(expected);
  });
});

const roles = new Map<string, Set<string>>([
  ['roles/iam.serviceAccountTokenCreator', new Set(['iam.serviceAccounts.getAccessToken'])],
  ['roles/viewer', new Set(['iam.serviceAccounts.get'])],
  ['projects/p/roles/tokens', new Set(['iam.serviceAccounts.getAccessToken'])],
]);
const lookup = (r: string) => roles.get(r);
const PERM = 'iam.serviceAccounts.getAccessToken';

describe('evaluatePermission', () => {
  const cases: Array<{
    name: string;
    policies: Array<{ resource: string; policy: Policy }>;
    outcome: string;
    reason?: RegExp;
  }> = [
    { name: 'no policies', policies: [], outcome: 'not-granted' },
    {
      name: 'direct binding on the resource',
      policies: [
        {
          resource: 'sa',
          policy: { bindings: [{ role: 'roles/iam.serviceAccountTokenCreator', members: [SA] }] },
        },
      ],
      outcome: 'granted',
    },
    {
      name: 'role without the permission',
      policies: [{ resource: 'sa', policy: { bindings: [{ role: 'roles/viewer', members: [SA] }] } }],
      outcome: 'not-granted',
    },
    {
      name: 'custom role inherited from a folder',
      policies: [
        { resource: 'sa', policy: {} },
        { resource: 'folders/1', policy: { bindings: [{ role: 'projects/p/roles/tokens', members: [SA] }] } },
      ],
      outcome: 'granted',
    },
    {
      name: 'conditional binding is unverified',
      policies: [
        {
          resource: 'sa',
          policy: {
            bindings: [
              {
                role: 'roles/iam.serviceAccountTokenCreator',
                members: [SA],
                condition: { title: 'weekdays', expression: 'request.time.getDayOfWeek() < 5' },
              },
            ],
          },
        },
      ],
      outcome: 'unverified',
      reason: /only under condition 'weekdays'/,
    },
    {
      name: 'group binding is unverified',
      policies: [
        {
          resource: 'sa',
          policy: {
            bindings: [{ role: 'roles/iam.serviceAccountTokenCreator', members: ['group:g@x.com'] }],
          },
        },
      ],
      outcome: 'unverified',
      reason: /group:g@x\.com/,
    },
    {
      name: 'group binding plus a direct grant elsewhere is granted',
      policies: [
        {
          resource: 'sa',
          policy: {
            bindings: [{ role: 'roles/iam.serviceAccountTokenCreator', members: ['group:g@x.com'] }],
          },
        },
        {
          resource: 'projects/p',
          policy: { bindings: [{ role: 'roles/iam.serviceAccountTokenCreator', members: [SA] }] },
        },
      ],
      outcome: 'granted',
    },
    {
      name: 'unknown role is unverified',
      policies: [{ resource: 'sa', policy: { bindings: [{ role: 'roles/mystery', members: [SA] }] } }],
      outcome: 'unverified',
      reason: /could not expand role roles\/mystery/,
    },
    {
      name: 'unknown role bound to someone else does not matter',
      policies: [{ resource: 'sa', policy: { bindings: [{ role: 'roles/mystery', members: [ALICE] }] } }],
      outcome: 'not-granted',
    },
    {
      name: 'deleted member ignored',
      policies: [
        {
          resource: 'sa',
          policy: {
            bindings: [{ role: 'roles/iam.serviceAccountTokenCreator', members: [`deleted:${SA}?uid=7`] }],
          },
        },
      ],
      outcome: 'not-granted',
    },
  ];
  it.each(cases)('$name', ({ policies, outcome, reason }) => {
    const result = evaluatePermission(SA, PERM, policies, lookup);
    expect(result.outcome).toBe(outcome);
    if (reason && result.outcome === 'unverified') expect(result.reasons.join('\n')).toMatch(reason);
  });

  it('says which role and resource granted it', () => {
    const result = evaluatePermission(
      SA,
      PERM,
      [
        {
          resource: 'folders/1',
          policy: { bindings: [{ role: 'projects/p/roles/tokens', members: ['allAuthenticatedUsers'] }] },
        },
      ],
      lookup,
    );
    expect(result).toEqual({
      outcome: 'granted',
      resource: 'folders/1',
      role: 'projects/p/roles/tokens',
      via: 'allAuthenticatedUsers',
      conditional: [],
      conditionalBindings: [],
    });
  });

  it('lists only roles that could concern the member', () => {
    const policy: Policy = {
      bindings: [
        { role: 'roles/a', members: [ALICE] },
        { role: 'roles/b', members: [SA] },
        { role: 'roles/c', members: ['group:g@x.com'] },
      ],
    };
    expect(rolesConcerning(SA, [{ resource: 'x', policy }])).toEqual(['roles/b', 'roles/c']);
  });
});

describe('addBinding', () => {
  const original: Policy = {
    version: 3,
    etag: 'BwYabc=',
    bindings: [
      { role: 'roles/viewer', members: [ALICE] },
      {
        role: 'roles/iam.serviceAccountUser',
        members: ['user:bob@example.com'],
        condition: { title: 'expires', expression: 'request.time < timestamp("2030-01-01T00:00:00Z")' },
      },
      { role: 'roles/iam.serviceAccountUser', members: ['user:carol@example.com'] },
    ],
    auditConfigs: [{ service: 'allServices', auditLogConfigs: [{ logType: 'DATA_READ' }] }],
  };
  const frozen = JSON.stringify(original);

  it('adds to the unconditioned binding of the role and keeps everything else byte-for-byte', () => {
    const after = addBinding(original, 'roles/iam.serviceAccountUser', SA);
    expect(JSON.stringify(original)).toBe(frozen); // input untouched
    const expected = JSON.parse(frozen) as Policy;
    expected.bindings?.[2]?.members.push(SA);
    expect(JSON.stringify(after)).toBe(JSON.stringify(expected));
    expect(addedMembers(original, after)).toEqual([{ role: 'roles/iam.serviceAccountUser', member: SA }]);
  });

  it('creates a new binding at the end when the role has none unconditioned', () => {
    const after = addBinding(original, 'roles/iam.serviceAccountTokenCreator', SA);
    expect(JSON.stringify(after.bindings?.slice(0, 3))).toBe(JSON.stringify(original.bindings));
    expect(after.bindings?.[3]).toEqual({ role: 'roles/iam.serviceAccountTokenCreator', members: [SA] });
    expect(after.etag).toBe('BwYabc=');
    expect(after.auditConfigs).toBe(original.auditConfigs);
  });

  it('never joins a conditional binding', () => {
    const onlyConditional: Policy = {
      bindings: [original.bindings?.[1] as NonNullable<Policy['bindings']>[number]],
    };
    const after = addBinding(onlyConditional, 'roles/iam.serviceAccountUser', SA);
    expect(after.bindings).toHaveLength(2);
    expect(after.bindings?.[0]).toBe(onlyConditional.bindings?.[0]);
    expect(after.version).toBe(3);
  });

  it('is idempotent: an existing member means the same policy object', () => {
    const once = addBinding(original, 'roles/viewer', ALICE.toUpperCase().replace('USER:', 'user:'));
    expect(once).toBe(original);
    expect(hasBinding(original, 'roles/viewer', ALICE)).toBe(true);
    expect(hasBinding(original, 'roles/iam.serviceAccountUser', 'user:bob@example.com')).toBe(false);
  });

  it('works on an empty policy', () => {
    expect(addBinding({ etag: 'ACAB' }, 'roles/x', SA)).toEqual({
      etag: 'ACAB',
      version: 3,
      bindings: [{ role: 'roles/x', members: [SA] }],
    });
  });
});

describe('diffPolicies', () => {
  it('is empty for equal policies, ignoring etag', () => {
    expect(diffPolicies({ etag: 'a', bindings: [] }, { etag: 'b', bindings: [] })).toBe('');
  });

  it('shows the added member as a + line with context', () => {
    const before: Policy = { version: 1, bindings: [{ role: 'roles/viewer', members: [ALICE] }] };
    const after = addBinding(before, 'roles/viewer', SA);
    const diff = diffPolicies(before, after);
    const plus = diff.split('\n').filter((l) => l.startsWith('+'));
    const minus = diff.split('\n').filter((l) => l.startsWith('-'));
    expect(plus.some((l) => l.includes(SA))).toBe(true);
    expect(plus.some((l) => l.includes('version: 3'))).toBe(true);
    expect(minus.some((l) => l.includes('version: 1'))).toBe(true);
    // The untouched member stays a context line: only the new one is added.
    expect(diff.split('\n').some((l) => l.startsWith('  ') && l.includes(ALICE))).toBe(true);
    expect(plus).toHaveLength(2);
    expect(minus).toHaveLength(1);
  });

  it('elides far-away unchanged lines', () => {
    const many: Policy = {
      bindings: Array.from({ length: 10 }, (_, i) => ({
        role: `roles/r${i}`,
        members: [`user:u${i}@x.com`],
      })),
    };
    const diff = diffPolicies(many, addBinding(many, 'roles/r9', SA), 1);
    expect(diff).toContain('  ...');
    expect(diff).not.toContain('roles/r0');
  });
});
