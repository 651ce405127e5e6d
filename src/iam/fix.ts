// Mode `fix`: close missing bindings at the narrowest scope (service account, repository,
// secret) with an etag-guarded read-modify-write, then read the policy back to verify.
// dry_run computes the same change and shows it without writing.
import { attempt, isStatus, StepError, toApiError } from '../gcp/errors.ts';
import type { Policy } from '../gcp/iam.ts';
import { isTransient, type Sleep, withRetry } from '../gcp/retry.ts';
import { constraintsOf } from '../gcp/status.ts';
import type { Finding, Grant } from '../model.ts';
import type { IamBackend, PolicyResource } from './backend.ts';
import { diffPolicies } from './diff.ts';
import { addBinding, hasBinding } from './policy.ts';
import { describeResource, type Reader } from './reader.ts';

const PUBLIC_OR_BROAD = /^(allUsers|allAuthenticatedUsers|domain:)/;

/** The permission that changes the IAM policy of each kind of resource. */
export const SET_PERMISSION: Record<PolicyResource['kind'], string> = {
  serviceAccount: 'iam.serviceAccounts.setIamPolicy',
  repository: 'artifactregistry.repositories.setIamPolicy',
  secret: 'secretmanager.secrets.setIamPolicy',
  job: 'run.jobs.setIamPolicy',
  project: 'resourcemanager.projects.setIamPolicy',
  folder: 'resourcemanager.folders.setIamPolicy',
  organization: 'resourcemanager.organizations.setIamPolicy',
  subnetwork: 'compute.subnetworks.setIamPolicy',
  bucket: 'storage.buckets.setIamPolicy',
  cryptoKey: 'cloudkms.cryptoKeys.setIamPolicy',
};

/**
 * May the caller write the policy? Asked with testIamPermissions before any write, so a
 * refused grant is never attempted blindly (run after run) and a dry run tells the truth.
 * undefined when the test itself failed: the write then decides.
 */
async function mayWrite(t: Target, deps: FixDeps): Promise<{ ok: boolean | undefined; permission: string }> {
  const permission = SET_PERMISSION[t.resource.kind];
  const read = await deps.reader.testPermissions(t.resource, [permission]);
  return { ok: read.ok ? read.value.includes(permission) : undefined, permission };
}

function refused(t: Target, permission: string): string {
  return `the caller lacks ${permission} on ${describeResource(t.resource)} (testIamPermissions), so it cannot make this grant on any run until that changes: an administrator can run the command below`;
}

/** Only resource-level grants to a named principal: never the project, never a public member. */
export function isGrantable(grant: Grant): boolean {
  return (
    grant.kind !== 'project' && !PUBLIC_OR_BROAD.test(grant.member) && !grant.member.includes('PRINCIPAL')
  );
}

export interface FixDeps {
  backend: IamBackend;
  reader: Reader;
  dryRun: boolean;
  /**
   * The grants this step already made or planned (several targets, one plan): binding key ->
   * whether it was made. A target needing a binding another target of the step makes waits
   * for that write instead of racing it (no 409, no "someone else" credit for our own grant).
   */
  stepGrants?: Map<string, Promise<StepGrant>>;
  log: { info(msg: string): void; warning(msg: string): void; debug(msg: string): void };
  sleep?: Sleep;
}

interface Target {
  resource: PolicyResource;
  grants: Grant[];
  findings: Finding[];
}

function withGrants(policy: Policy, grants: readonly Grant[]): Policy {
  return grants.reduce((p, g) => addBinding(p, g.role, g.member), policy);
}

/**
 * A write is only ever built from a read that carried an etag, and sends that etag: without it
 * the API would not guard it (iam_v1_messages.py, Policy.etag: when it is
 * left out, the write replaces whatever the policy holds). The src/gcp decoders
 * refuse such reads already; this keeps any other backend to the same rule.
 */
export function guardedWrite(read: Policy, grants: readonly Grant[], resource: PolicyResource): Policy {
  if (typeof read.etag !== 'string' || read.etag === '')
    throw new Error(
      `the IAM policy read of ${describeResource(resource)} carried no etag; nothing is written from it`,
    );
  const desired = withGrants(read, grants);
  return desired === read ? read : { ...desired, etag: read.etag };
}

/**
 * Group the findings to close by the policy they change: one write per policy. Missing ones,
 * and unverified ones that carry a grant (check.ts sets it only where adding the binding at
 * the resource is harmless).
 */
function targets(findings: Finding[]): Target[] {
  const byResource = new Map<string, Target>();
  for (const f of findings) {
    if ((f.status !== 'missing' && f.status !== 'unverified') || !f.grant || !isGrantable(f.grant)) continue;
    const g = f.grant;
    let t = byResource.get(g.resource);
    if (!t) {
      t = { resource: { kind: g.kind, name: g.resource }, grants: [], findings: [] };
      byResource.set(g.resource, t);
    }
    if (!t.grants.some((x) => x.role === g.role && x.member === g.member)) t.grants.push(g);
    t.findings.push(f);
  }
  return [...byResource.values()];
}

async function plan(t: Target, deps: FixDeps): Promise<void> {
  const [read, may] = await Promise.all([deps.reader.freshPolicy(t.resource), mayWrite(t, deps)]);
  for (const f of t.findings) {
    if (may.ok === false) {
      // Not "would add": this run could not make the grant, an administrator must.
      f.evidence += ` Dry run: ${refused(t, may.permission)}.`;
      deps.log.info(`[dry run] needs an administrator (${may.permission} missing): ${f.command ?? ''}`);
      continue;
    }
    if (!read.ok) {
      f.evidence += ` Dry run: could not read the policy to show the change (${read.error.message}).`;
      continue;
    }
    const diff = diffPolicies(read.value, addBinding(read.value, f.grant?.role ?? '', f.grant?.member ?? ''));
    f.plannedChange = diff;
    const unsure = may.ok === undefined ? ' (whether the caller may write it could not be tested)' : '';
    f.evidence += ` Dry run: would add ${f.grant?.member} to ${f.grant?.role} on ${describeResource(t.resource)}${unsure}.`;
    deps.log.info(`[dry run] ${f.command ?? ''}\n${diff}`);
  }
}

/**
 * Whether a policy write was refused because the policy changed since it was read: Google's IAM
 * APIs answer 409 ABORTED; Cloud Storage answers a bucket policy's stale etag with 412.
 */
function staleEtag(e: unknown, resource: PolicyResource): boolean {
  // Compute answers a subnetwork's stale etag with 412 conditionNotMet, as Cloud Storage does.
  return (
    isStatus(e, 'ABORTED') ||
    (['bucket', 'subnetwork'].includes(resource.kind) && toApiError(e).httpStatus === 412)
  );
}

/**
 * Read-modify-write with etag; a 409 ABORTED (someone else wrote) re-reads and tries again. A
 * write whose answer was lost (reset, no answer in time) may have applied: every retry starts
 * from a fresh read, so a binding our lost write added is seen and not written twice.
 * `seen.initial` is the policy before our first write, what "granted" is measured against.
 */
async function write(t: Target, deps: FixDeps, seen: Seen): Promise<{ before: Policy; after: Policy }> {
  const what = `add ${t.grants.map((g) => `${g.member} to ${g.role}`).join(', ')} on ${describeResource(t.resource)}`;
  // First attempt: the policy the check just read (its etag guards the write); after that, fresh.
  let cached = true;
  return attempt(what, () =>
    withRetry(
      async () => {
        const fromCheck = cached ? await deps.reader.policy(t.resource) : undefined;
        cached = false;
        const current = fromCheck?.ok ? fromCheck.value : await deps.backend.getIamPolicy(t.resource);
        seen.initial ??= current;
        seen.current = current;
        const desired = guardedWrite(current, t.grants, t.resource);
        if (desired === current) return { before: seen.initial, after: current };
        try {
          const after = await deps.backend.setIamPolicy(t.resource, desired);
          return { before: seen.initial, after };
        } catch (e) {
          // A refused (stale etag) write did not apply; any other failure may have.
          if (!staleEtag(e, t.resource)) seen.uncertain = true;
          throw e;
        }
      },
      {
        attempts: 5,
        retryable: (e) => staleEtag(e, t.resource) || isTransient(e),
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
        onRetry: (e, n) =>
          deps.log.debug(
            `Retrying policy write on ${t.resource.name} (attempt ${n}) from a fresh read: ${String(e)}`,
          ),
      },
    ),
  );
}

async function apply(t: Target, deps: FixDeps): Promise<Grant[]> {
  const may = await mayWrite(t, deps);
  if (may.ok === false) {
    for (const f of t.findings) f.evidence += ` Not granted: ${refused(t, may.permission)}.`;
    deps.log.warning(
      `Not attempting to change the IAM policy of ${t.resource.name}: the caller lacks ${may.permission}.`,
    );
    return [];
  }
  let before: Policy;
  const seen: Seen = {};
  try {
    ({ before } = await write(t, deps, seen));
  } catch (e) {
    const err = e instanceof StepError ? e : new StepError('change the IAM policy', e);
    const denied = err.api?.status === 'PERMISSION_DENIED';
    // The last answer may be the one that was lost: what the policy holds now says whether the
    // grant is in place, not the error.
    const now = !denied && seen.initial ? await deps.reader.freshPolicy(t.resource) : undefined;
    const holds = now?.ok && t.grants.every((g) => hasBinding(now.value, g.role, g.member));
    if (!holds || !seen.initial) {
      const blocked = blockedBy(err);
      for (const f of t.findings) {
        f.evidence += denied
          ? ` The caller may not change the IAM policy of ${describeResource(t.resource)}: an administrator can run the command below.`
          : blocked
            ? ` Not granted: org policy constraint ${blocked} refused the binding (${err.api?.message ?? err.message}); iam: fix cannot close this gap, so re-running it is refused again.`
            : ` Granting failed: ${err.message}`;
      }
      deps.log.warning(err.message);
      return [];
    }
    deps.log.info(`${err.message}; the policy read afterwards holds the binding(s)`);
    before = seen.initial;
  }
  // Verify from a fresh read: the write may have been merged with, or lost to, another writer.
  const check = await deps.reader.freshPolicy(t.resource);
  const granted: Grant[] = [];
  for (const f of t.findings) {
    const g = f.grant as Grant;
    if (await addedMeanwhile(f, g, seen, t, deps)) {
      f.status = 'satisfied';
      f.evidence += ` Someone else added ${g.member} to ${g.role} on ${describeResource(t.resource)} while fix ran: nothing to grant.`;
      delete f.grant;
      continue;
    }
    if (hasBinding(before, g.role, g.member)) {
      // Nothing to write: the binding exists, yet the check failed (a grant still propagating,
      // or a deny policy). Claiming a grant would be false; so would calling it satisfied.
      f.status = 'unverified';
      f.evidence += ` The policy of ${describeResource(t.resource)} already binds ${g.member} to ${g.role}: the permission may still be propagating (IAM changes can take minutes) or be blocked by a deny policy.`;
      continue;
    }
    if (check.ok && hasBinding(check.value, g.role, g.member)) {
      f.status = 'granted';
      f.evidence += ` Granted: ${g.member} now holds ${g.role} on ${describeResource(t.resource)} (verified by reading the policy back).`;
      if (!granted.some((x) => x.role === g.role && x.member === g.member)) granted.push(g);
    } else {
      f.evidence += check.ok
        ? ' The policy write returned, but reading the policy back does not show the binding.'
        : ` Could not read the policy back to verify the grant: ${check.error.message}`;
    }
  }
  for (const g of granted) deps.log.info(`Granted ${g.role} to ${g.member} on ${g.resource}`);
  return granted;
}

/** The org policy constraint that refused a policy write (PreconditionFailure, else its words). */
function blockedBy(err: StepError): string | undefined {
  const d = err.api?.details;
  const named = d ? constraintsOf(d)[0] : undefined;
  if (named) return named;
  const text = err.api?.message ?? '';
  // setIamPolicy under the domain restriction: "... do not belong to a permitted customer".
  return (
    /constraints\/([\w.]+)/.exec(text)?.[1] ??
    (/permitted customer/i.test(text) ? 'iam.allowedPolicyMemberDomains' : undefined)
  );
}

/** What the write saw: the policy before the first attempt, the last one read, and whether a write may have applied. */
interface Seen {
  initial?: Policy;
  current?: Policy;
  uncertain?: boolean;
}

/**
 * Did another writer add the binding since the check? Yes when the first read lacked it, a
 * re-read after a conflict shows it and none of our writes may have applied; or, for the
 * caller's own permission already bound before, when testing it again now shows it held (the
 * check ran just before the other writer's grant took effect).
 */
async function addedMeanwhile(f: Finding, g: Grant, seen: Seen, t: Target, deps: FixDeps): Promise<boolean> {
  const { initial, current } = seen;
  if (!initial) return false;
  if (!hasBinding(initial, g.role, g.member))
    return !seen.uncertain && current !== undefined && hasBinding(current, g.role, g.member);
  if (!f.permission || f.principal !== g.member || !/^deployer-/.test(f.check)) return false;
  const perms = f.permission.split(', ');
  try {
    const held = await deps.backend.testIamPermissions(t.resource, perms);
    return perms.every((p) => held.includes(p));
  } catch {
    return false;
  }
}

const grantKey = (g: Grant) => `${g.resource} ${g.role} ${g.member}`;

/** How one step's grant went: made (or, in a dry run, planned, with the diff shown). */
export interface StepGrant {
  ok: boolean;
  plannedChange?: string;
}

/**
 * Splits off the findings whose binding another target of this step already makes (or, in a
 * dry run, shows): they follow that one write. The rest are registered as this target's.
 */
function shareWithStep(findings: Finding[], deps: FixDeps) {
  const step = deps.stepGrants;
  const own: Finding[] = [];
  const followers: Array<{ f: Finding; made: Promise<StepGrant> }> = [];
  const registered: Array<{ key: string; f: Finding; done: (r: StepGrant) => void }> = [];
  for (const f of findings) {
    const g = f.grant;
    if (!step || !g || (f.status !== 'missing' && f.status !== 'unverified') || !isGrantable(g)) {
      own.push(f);
      continue;
    }
    const key = `${deps.dryRun ? 'plan ' : ''}${grantKey(g)}`;
    const made = step.get(key);
    if (made) {
      followers.push({ f, made });
      continue;
    }
    let done: (r: StepGrant) => void = () => undefined;
    step.set(key, new Promise<StepGrant>((resolve) => (done = resolve)));
    registered.push({ key, f, done });
    own.push(f);
  }
  return { own, followers, registered };
}

/** Close (or, in dry run, plan) every grantable finding; mutates findings in place. */
export async function applyFixes(findings: Finding[], deps: FixDeps): Promise<Grant[]> {
  const { own, followers, registered } = shareWithStep(findings, deps);
  const all = targets(own);
  let granted: Grant[] = [];
  try {
    if (deps.dryRun) await Promise.all(all.map((t) => plan(t, deps)));
    else granted = (await Promise.all(all.map((t) => apply(t, deps)))).flat();
  } finally {
    for (const { f, done } of registered)
      done(
        deps.dryRun
          ? {
              ok: f.plannedChange !== undefined,
              ...(f.plannedChange ? { plannedChange: f.plannedChange } : {}),
            }
          : { ok: f.status === 'granted' },
      );
  }
  await Promise.all(
    followers.map(async ({ f, made }) => {
      const { ok, plannedChange } = await made;
      // In a dry run the follower shows the same planned change (each region's rows stay whole).
      if (plannedChange) f.plannedChange = plannedChange;
      const what = `${f.grant?.member} on ${f.grant?.role}`;
      if (deps.dryRun) {
        f.evidence += ok
          ? ` Dry run: the same grant (${what}) is shown once for this step, for another of its targets.`
          : ` Dry run: the same grant (${what}) could not be planned for another target of this step.`;
      } else if (ok) {
        f.status = 'granted';
        f.evidence += ` Granted once for this step: another of its targets needed the same binding (${what}) and made it.`;
      } else {
        f.evidence += ` The same grant (${what}), made once for this step by another of its targets, did not succeed.`;
      }
    }),
  );
  return granted;
}
