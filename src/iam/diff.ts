// A readable line diff of two IAM policies, for dry-run output and for proving in tests that
// a write added only what was intended.
import { stringify } from 'yaml';
import type { Policy } from '../gcp/iam.ts';

/**
 * Policy as YAML lines (as gcloud prints policies; no trailing commas, so appending a member
 * changes one line only). The etag is left out: it changes on every write and says nothing.
 */
function render(policy: Policy): string[] {
  const { etag: _etag, ...rest } = policy;
  return stringify(rest, { lineWidth: 0 }).trimEnd().split('\n');
}

type Op = { kind: ' ' | '+' | '-'; line: string };

/** Longest-common-subsequence line diff; policies are small, so O(n*m) is fine. */
function lineDiff(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const row = lcs[i] as number[];
      row[j] =
        a[i] === b[j] ? (lcs[i + 1]?.[j + 1] ?? 0) + 1 : Math.max(lcs[i + 1]?.[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i] as string });
      i++;
      j++;
    } else if (j < m && (i >= n || (lcs[i]?.[j + 1] ?? 0) >= (lcs[i + 1]?.[j] ?? 0))) {
      ops.push({ kind: '+', line: b[j] as string });
      j++;
    } else {
      ops.push({ kind: '-', line: a[i] as string });
      i++;
    }
  }
  return ops;
}

/**
 * Unified-style diff of `before` -> `after` with `context` unchanged lines around each
 * change; '' when the policies are the same (ignoring etag).
 */
export function diffPolicies(before: Policy, after: Policy, context = 3): string {
  const ops = lineDiff(render(before), render(after));
  const changed = ops.map((op) => op.kind !== ' ');
  if (!changed.includes(true)) return '';
  const keep = ops.map((_, k) => {
    for (let d = -context; d <= context; d++) if (changed[k + d]) return true;
    return false;
  });
  const out: string[] = [];
  let skipped = false;
  ops.forEach((op, k) => {
    if (!keep[k]) {
      skipped = true;
      return;
    }
    if (skipped) out.push('  ...');
    skipped = false;
    out.push(`${op.kind} ${op.line}`);
  });
  if (skipped) out.push('  ...');
  return out.join('\n');
}

/** Members added per role (unconditioned and conditioned alike): what a write granted. */
export function addedMembers(
  before: Policy,
  after: Policy,
): Array<{ role: string; member: string; condition?: string }> {
  const key = (role: string, member: string, condition?: string) => `${role}\n${member}\n${condition ?? ''}`;
  const seen = new Set<string>();
  for (const b of before.bindings ?? [])
    for (const m of b.members) seen.add(key(b.role, m, b.condition?.expression));
  const added: Array<{ role: string; member: string; condition?: string }> = [];
  for (const b of after.bindings ?? []) {
    for (const m of b.members) {
      if (seen.has(key(b.role, m, b.condition?.expression))) continue;
      added.push(
        b.condition
          ? { role: b.role, member: m, condition: b.condition.expression }
          : { role: b.role, member: m },
      );
    }
  }
  return added;
}
