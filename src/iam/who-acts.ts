// Who can close a gap: the deployer's own *.setIamPolicy on each resource a grant would change,
// tested with testIamPermissions as soon as the requirements are known (beside the checks, so
// no round trip is added), then written on every finding that carries a grant: the report says
// "the deployer can close this with iam: fix" or "an administrator must", not "if".
import type { Finding } from '../model.ts';
import { SET_PERMISSION } from './fix.ts';
import type { Reader } from './reader.ts';
import type { Requirement } from './requirements.ts';

/** Start the setIamPolicy tests for every grant a requirement could lead to. */
export function prefetchWhoActs(requirements: readonly Requirement[], reader: Reader): void {
  for (const r of requirements) {
    const grants =
      r.type === 'principal'
        ? [r.grant]
        : r.type === 'caller'
          ? [
              r.grant,
              r.scopeFix && r.scope
                ? { kind: r.scope.resource.kind, resource: r.scope.resource.name }
                : undefined,
            ]
          : [];
    for (const g of grants) {
      if (!g || g.kind === 'project') continue;
      void reader.testPermissions({ kind: g.kind, name: g.resource }, [SET_PERMISSION[g.kind]]);
    }
  }
}

/** Write, on every open finding with a grant, whether the deployer may make it. */
export async function markWhoActs(findings: readonly Finding[], reader: Reader): Promise<void> {
  await Promise.all(
    findings.map(async (f) => {
      const g = f.grant;
      // fix never grants on a project (fix.ts isGrantable): no test says otherwise.
      if (!g || g.kind === 'project' || (f.status !== 'missing' && f.status !== 'unverified')) return;
      const permission = SET_PERMISSION[g.kind];
      const read = await reader.testPermissions({ kind: g.kind, name: g.resource }, [permission]);
      if (read.ok) f.deployerMayGrant = read.value.includes(permission);
    }),
  );
}
