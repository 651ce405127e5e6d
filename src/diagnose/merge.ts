// A deploy failure that diagnosis ties to a preflight check is one gap, one verdict: the two
// become one finding (status failed), so reports show one gap, not a suspicion beside its
// confirmation. When the preflight had proven the permission held (or this run granted it), the
// failure is not a missing binding: the finding says what was proven and what else refuses it
// (a deny policy, an org constraint, the scope, propagation), and recommends no grant.
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

const PROVEN = new Set(['satisfied', 'granted']);

/** A deny policy the preflight read that denies this principal (its evidence names it), if any. */
function denyNamed(findings: readonly Finding[], check: Finding): string | undefined {
  const who = member(check.principal);
  const hit = findings.find(
    (f) =>
      /deny policy \S+.* denies it/.test(f.evidence) && (who === undefined || member(f.principal) === who),
  );
  return hit ? /deny policy (\S+)[^.]*? denies it/.exec(hit.evidence)?.[0] : undefined;
}

/** The full resource name (//SERVICE/NAME) of a resource the preflight checked. */
function fullName(name: string): string {
  const service = /\/serviceAccounts\//.test(name)
    ? 'iam.googleapis.com'
    : /\/repositories\//.test(name)
      ? 'artifactregistry.googleapis.com'
      : /\/secrets\//.test(name)
        ? 'secretmanager.googleapis.com'
        : /\/jobs\//.test(name)
          ? 'run.googleapis.com'
          : /^projects\/_\/buckets\//.test(name)
            ? 'storage.googleapis.com'
            : 'cloudresourcemanager.googleapis.com';
  return `//${service}/${name}`;
}

/** The remedy of a refusal the preflight had proven should not happen. */
function provenHeld(check: Finding, failure: Finding, findings: readonly Finding[]): Finding {
  const who = check.principal ?? failure.principal ?? 'the principal';
  const what = check.permission ?? failure.permission ?? 'the permission';
  const where = check.resource ?? failure.resource ?? 'the resource';
  const granted = check.status === 'granted';
  const deny = denyNamed(findings, check);
  const causes = [
    granted
      ? `propagation: this run granted it moments ago and IAM changes can take minutes, so re-run later (the deploy was already retried while it propagated)`
      : undefined,
    deny
      ? `a deny policy: ${deny}`
      : 'a deny policy on the resource or an ancestor (not readable, or added since)',
    'an organization policy constraint on the setting the request uses',
    `the scope: the preflight proved it on ${where}, while the request may target another resource (another project, the job itself)`,
  ].filter((c): c is string => c !== undefined);
  const f: Finding = {
    ...failure,
    check: failure.check,
    status: 'failed',
    title: `${failure.title} (although the preflight proved ${who} holds ${what})`,
    evidence: `${failure.evidence}\nPreflight (${check.status}): ${check.evidence}`,
    remedy: `The preflight proved ${who} holds ${what} on ${where}, so a grant will not help. Google refused it anyway; look for: ${causes.join('; ')}.`,
    ...(check.subject ? { subject: check.subject } : {}),
    ...(check.location ? { location: check.location } : {}),
  };
  delete f.grant;
  if (f.command?.includes('add-iam-policy-binding')) {
    const email = who.replace(/^[a-zA-Z]+:/, '');
    // The Policy Troubleshooter explains which allow and deny policies decide the access.
    // (gcloud policy-intelligence troubleshoot-policy iam --help: RESOURCE is a full resource name.)
    f.command = `gcloud policy-intelligence troubleshoot-policy iam ${fullName(where)} --principal-email=${email} --permission=${what.split(',')[0]}`;
  }
  return f;
}

// The preflight's verdict when a deny policy takes the permission away (src/iam/deny.ts wording).
const DENIED = /deny policy \S+.* denies it|Policy Troubleshooter reports a deny policy denies it/;

/** The refusal is the deny policy the preflight found: an allow binding cannot help, so none is offered. */
function deniedByPolicy(check: Finding, failure: Finding): Finding {
  const f: Finding = {
    ...failure,
    status: 'failed',
    title: `${failure.title}: a deny policy blocks it`,
    evidence: `${failure.evidence}\nPreflight (${check.status}): ${check.evidence}`,
    remedy:
      check.remedy ??
      'A deny policy blocks the permission: its administrator must exempt the principal or narrow the rule; no allow binding overrides a deny.',
    ...(check.subject ? { subject: check.subject } : {}),
    ...(check.location ? { location: check.location } : {}),
  };
  delete f.grant;
  if (f.command?.includes('add-iam-policy-binding')) delete f.command;
  return f;
}

/** Returns the findings with `failure` folded into its check (or appended), and the finding to report as the failure. */
export function mergeFailure(
  findings: readonly Finding[],
  failure: Finding,
): { findings: Finding[]; failure: Finding } {
  const index = findings.findIndex((f) => sameGap(f, failure));
  const check = findings[index];
  if (!check) return { findings: [...findings, failure], failure };
  const merged: Finding = PROVEN.has(check.status)
    ? provenHeld(check, failure, findings)
    : DENIED.test(check.evidence)
      ? deniedByPolicy(check, failure)
      : {
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
