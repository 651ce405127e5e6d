// Who can close a gap: the deployer's own *.setIamPolicy on each resource a grant would change,
// asked with testIamPermissions beside the checks (no round trip is added): folded into the
// caller check that already tests that resource (one call answers both), else its own test.
// Every finding that carries a grant then says whether the deployer may make it, so the report
// says "the deployer can close this with iam: fix" or "an administrator must", not "if".
import type { Finding } from '../model.ts';
import type { PolicyResource } from './backend.ts';
import { SET_PERMISSION } from './fix.ts';
import type { Reader } from './reader.ts';
import type { CallerRequirement, Requirement } from './requirements.ts';

/** Resource name -> the exact permission list its test asks (so later reads hit the cache). */
export type WhoActsAsks = Map<string, { resource: PolicyResource; permissions: string[] }>;

/**
 * Adds each grant's setIamPolicy to the caller test of the same resource (mutating its `ask`,
 * or its job scope), and starts a test of its own for a resource no caller check tests.
 */
export function prefetchWhoActs(requirements: readonly Requirement[], reader: Reader): WhoActsAsks {
  const callers = requirements.filter((r): r is CallerRequirement => r.type === 'caller');
  const asks: WhoActsAsks = new Map();
  const targets: PolicyResource[] = [];
  for (const r of requirements) {
    if (r.type === 'principal') targets.push({ kind: r.grant.kind, name: r.grant.resource });
    if (r.type === 'caller') {
      if (r.grant) targets.push({ kind: r.grant.kind, name: r.grant.resource });
      if (r.scopeFix && r.scope) targets.push(r.scope.resource);
    }
  }
  for (const t of targets) {
    if (t.kind === 'project' || asks.has(t.name)) continue;
    const set = SET_PERMISSION[t.kind];
    const onResource = callers.find((c) => c.resource.name === t.name && !c.scope);
    const onScope = callers.find((c) => c.scope?.resource.name === t.name);
    if (onScope?.scope) {
      // The job scope's test (check-caller.ts) asks exactly scope.permissions.
      if (!onScope.scope.permissions.includes(set))
        onScope.scope.permissions = [...onScope.scope.permissions, set];
      asks.set(t.name, { resource: t, permissions: onScope.scope.permissions });
    } else if (onResource) {
      const ask = onResource.ask ?? onResource.permissions;
      onResource.ask = ask.includes(set) ? ask : [...ask, set];
      asks.set(t.name, { resource: t, permissions: onResource.ask });
    } else {
      asks.set(t.name, { resource: t, permissions: [set] });
      void reader.testPermissions(t, [set]);
    }
  }
  return asks;
}

/** Write, on every open finding with a grant, whether the deployer may make it. */
export async function markWhoActs(
  findings: readonly Finding[],
  reader: Reader,
  asks: WhoActsAsks,
): Promise<void> {
  await Promise.all(
    findings.map(async (f) => {
      const g = f.grant;
      // fix never grants on a project (fix.ts isGrantable): no test says otherwise.
      if (!g || g.kind === 'project' || (f.status !== 'missing' && f.status !== 'unverified')) return;
      const permission = SET_PERMISSION[g.kind];
      const ask = asks.get(g.resource) ?? {
        resource: { kind: g.kind, name: g.resource },
        permissions: [permission],
      };
      const read = await reader.testPermissions(ask.resource, ask.permissions);
      if (read.ok) f.deployerMayGrant = read.value.includes(permission);
    }),
  );
}
