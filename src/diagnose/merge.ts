// A deploy failure that diagnosis ties to a preflight check is the proof that check lacked:
// the two become one finding (status failed), so reports show one gap, not a suspicion
// beside its confirmation.
import type { Finding } from '../model.ts';

function member(value: string | undefined): string | undefined {
  return value?.replace(/^[a-zA-Z]+:/, '').toLowerCase();
}

function sameGap(check: Finding, failure: Finding): boolean {
  if (check.check !== failure.check) return false;
  // When both name who needs the permission, it must be the same principal.
  const a = member(check.principal);
  const b = member(failure.principal);
  if (a !== undefined && b !== undefined && a !== b) return false;
  // A job may reference several secrets, one check each: the failure proves the one it names.
  const secret = check.check === 'runtime-secret' && check.resource && failure.resource;
  return !secret || check.resource === failure.resource;
}

/** Returns the findings with `failure` folded into its check (or appended), and the finding to report as the failure. */
export function mergeFailure(
  findings: readonly Finding[],
  failure: Finding,
): { findings: Finding[]; failure: Finding } {
  const index = findings.findIndex((f) => sameGap(f, failure));
  const check = findings[index];
  if (!check) return { findings: [...findings, failure], failure };
  const merged: Finding = {
    ...failure,
    ...(check.principal ? { principal: check.principal } : {}),
    ...(check.resource ? { resource: check.resource } : {}),
    ...(check.grant ? { grant: check.grant } : {}),
    ...(check.command ? { command: check.command } : {}),
    ...(check.subject ? { subject: check.subject } : {}),
    ...(check.location ? { location: check.location } : {}),
    status: 'failed',
    evidence: `${failure.evidence}\nPreflight (${check.status}): ${check.evidence}`,
  };
  const next = [...findings];
  next[index] = merged;
  return { findings: next, failure: merged };
}
