// The caller's own requirements, answered by testIamPermissions: on a narrower scope first
// when one counts (an existing job's own policy), the rest on the resource. A gap fix could
// close is checked twice before fix may close it: no unconditional grant over a conditional
// (time-bound) one, and no actAs on an account holding basic roles unless the user opted in.
import type { Finding } from '../model.ts';
import { grantCommand, shellQuote } from './commands.ts';
import { type ConditionFacts, decideCondition } from './conditions.ts';
import { lapsedAdvice } from './expiry.ts';
import { openFinding } from './finding.ts';
import { missingRepository, repositoryNotFound } from './not-found.ts';
import { evaluatePermission, type PolicyOnResource, rolesConcerning } from './policy.ts';
import { describeResource, type Reader } from './reader.ts';
import type { CallerRequirement } from './requirements.ts';
import type { RoleBook } from './roles.ts';

export interface CallerDeps {
  reader: Reader;
  roles: RoleBook;
  /** The user's explicit opt-in to granting actAs on an account with basic roles. */
  allowPrivilegedRuntimeAccount?: boolean;
  /** Policies of a resource and its hierarchy (check.ts walks it once per resource). */
  policiesOf(
    resource: CallerRequirement['resource'],
    project: string,
  ): Promise<{ policies: PolicyOnResource[]; unreadable: string[] }>;
  facts(resource: CallerRequirement['resource']): ConditionFacts;
}

const BASIC_ROLES = new Set(['roles/owner', 'roles/editor']);

function projectOf(name: string): string | undefined {
  return /^projects\/([^/]+)/.exec(name)?.[1];
}

/** Which of `permissions` the caller holds, testing `scope` first; errors are reported, not thrown. */
async function held(req: CallerRequirement, reader: Reader) {
  const narrow = req.scope?.permissions ?? [];
  const rest = req.permissions.filter((p) => !narrow.includes(p));
  const [onScope, onResource] = await Promise.all([
    req.scope && narrow.length > 0 ? reader.testPermissions(req.scope.resource, narrow) : undefined,
    // `ask` (when set) is the superset a warmed-up read already asked for: the same cache entry.
    rest.length > 0 ? reader.testPermissions(req.resource, req.ask ?? rest) : undefined,
  ]);
  const out = new Set<string>();
  const where: string[] = [];
  let error: string | undefined;
  const failure = onResource && !onResource.ok ? onResource.error : undefined;
  if (failure) error = failure.message;
  const add = (perms: readonly string[]) => {
    for (const p of perms) out.add(p);
  };
  if (onResource?.ok) add(onResource.value);
  if (onScope?.ok) {
    add(onScope.value);
    where.push(describeResource(req.scope?.resource as CallerRequirement['resource']));
  } else if (onScope) {
    // The job's own test failed (e.g. it vanished): its permissions on the project still count.
    const fallback = await reader.testPermissions(req.resource, narrow);
    if (fallback.ok) add(fallback.value);
    else error ??= fallback.error.message;
  }
  if (rest.length > 0 || (onScope && !onScope.ok)) where.push(describeResource(req.resource));
  return { held: out, where, error, failure };
}

export async function checkCaller(req: CallerRequirement, deps: CallerDeps): Promise<Finding> {
  const finding: Finding = {
    ...openFinding(req),
    resource: (req.scope?.resource ?? req.resource).name,
    role: req.role,
    permission: req.permissions.join(', '),
  };
  if (req.principal) finding.principal = req.principal;
  const who = req.principal ?? 'the caller';
  const result = await held(req, deps.reader);
  if (result.error && result.held.size === 0) {
    const missing = result.failure
      ? await missingRepository(req.resource, result.failure, deps.reader)
      : undefined;
    if (missing !== undefined) return repositoryNotFound(finding, req.resource, missing);
    finding.status = 'unverified';
    finding.evidence = `Could not test ${who}'s permissions: ${result.error}`;
    return finding;
  }
  const short = req.permissions.filter((p) => !result.held.has(p));
  const other = new Map((req.optional ?? []).map((o) => [o.permission, o.instead]));
  const lacking = short.filter((p) => !other.has(p));
  const where = result.where.join(' and ');
  // A permission the action can do without is said, never counted as a gap.
  const without = short
    .filter((p) => other.has(p))
    .map((p) => ` ${who} lacks ${p}: ${other.get(p)}.`)
    .join('');
  if (lacking.length === 0) {
    const holds = req.permissions.filter((p) => result.held.has(p));
    finding.evidence = `${who} holds ${holds.join(', ')} on ${where}.${without}`;
    return finding;
  }
  if (result.error) {
    finding.status = 'unverified';
    finding.evidence = `Could not test all of ${who}'s permissions: ${result.error}`;
    return finding;
  }
  finding.status = 'missing';
  finding.permission = lacking.join(', ');
  const note = req.note ? ` Note: ${req.note}.` : '';
  finding.evidence = `testIamPermissions on ${where} shows ${who} lacks ${lacking.join(', ')}.${note}${without}`;
  const onScope = scopeGrant(req, lacking);
  const grant = onScope ?? req.grant ?? req.remedyGrant;
  const role = grant?.role ?? req.role;
  finding.role = role;
  const target = grant
    ? describeResource({ kind: grant.kind, name: grant.resource })
    : describeResource(req.resource);
  finding.remedy = `Grant ${role} on ${target} to ${req.principal ?? 'the deploying identity'}.`;
  finding.command = grantCommand(
    grant ?? {
      kind: req.resource.kind === 'project' ? 'project' : 'serviceAccount',
      resource: req.resource.name,
      role,
      member: 'PRINCIPAL',
    },
  );
  const fixable = onScope ? req.scopeFix === true : req.grant !== undefined;
  if (grant && fixable && (await mayGrant(req, lacking, finding, deps))) finding.grant = grant;
  return finding;
}

/**
 * The narrowest role on the scope (an existing job) that covers every lacking permission, as a
 * grant to the caller; undefined when some lacking permission counts only on `resource`.
 */
function scopeGrant(req: CallerRequirement, lacking: readonly string[]) {
  const scope = req.scope;
  if (scope?.resource.kind !== 'job' || !req.principal || !req.scopeRoles) return undefined;
  const on = scope.permissions;
  if (!lacking.every((p) => on.includes(p))) return undefined;
  const fit = req.scopeRoles.find((r) => lacking.every((p) => r.permissions.includes(p)));
  if (!fit) return undefined;
  return { kind: 'job' as const, resource: scope.resource.name, role: fit.role, member: req.principal };
}

/**
 * Whether fix may add req.grant: not over a conditional binding of the caller (a time-bound
 * grant that lapsed stays time-bound: the administrator decides), and not when the grant
 * would hand the caller a basic role through the account it acts as.
 */
async function mayGrant(
  req: CallerRequirement,
  lacking: string[],
  finding: Finding,
  deps: CallerDeps,
): Promise<boolean> {
  const project = projectOf(req.resource.name);
  if (!project || !req.principal) return true;
  const principal = req.principal;
  const [own, runtime] = await Promise.all([
    deps.policiesOf(req.resource, project),
    req.actsAs
      ? deps.policiesOf({ kind: 'project', name: `projects/${req.actsAs.project}` }, req.actsAs.project)
      : undefined,
  ]);
  await deps.roles.load(rolesConcerning(principal, own.policies));
  const facts = deps.facts(req.resource);
  const evaluations = lacking.map((perm) =>
    evaluatePermission(
      principal,
      perm,
      own.policies,
      (r) => deps.roles.permissions(r),
      (c) => decideCondition(c.expression, facts),
    ),
  );
  const conditional = evaluations.flatMap((e) => e.conditional);
  if (conditional.length > 0) {
    finding.evidence += ` ${principal} has a conditional grant: ${[...new Set(conditional)].join('; ')}. fix does not replace it with an unconditional binding; an administrator may renew the condition or run the command below.`;
    // A lapsed time-bound grant: when it ended, and the two ways to restore it.
    const lapsed = lapsedAdvice(
      evaluations.flatMap((e) => e.conditionalBindings),
      req.grant ?? req.remedyGrant,
      deps.reader.now(),
    );
    if (lapsed) {
      finding.evidence += lapsed.evidence;
      finding.remedy = lapsed.remedy;
      finding.command = lapsed.command;
    }
    return false;
  }
  if (req.actsAs && runtime) {
    const basic = runtime.policies.flatMap(({ resource, policy }) =>
      (policy.bindings ?? [])
        .filter(
          (b) =>
            BASIC_ROLES.has(b.role) &&
            !b.condition &&
            b.members.some((m) => m.toLowerCase() === req.actsAs?.member.toLowerCase()),
        )
        .map((b) => `${b.role} on ${resource}`),
    );
    if (basic.length > 0 && !deps.allowPrivilegedRuntimeAccount) {
      const email = req.actsAs.member.replace(/^serviceAccount:/, '');
      const p = req.actsAs.project;
      finding.evidence += ` ${email} holds ${basic.join(', ')}: acting as it would give ${principal} those powers through the job, so fix does not grant this unless allow_privileged_runtime_account is true.`;
      finding.remedy = `Run the job as a dedicated service account holding only the roles it needs (set the service_account input), or, if ${email} is really meant, grant ${req.role} on it by hand or set allow_privileged_runtime_account: true.`;
      finding.command = [
        `gcloud iam service-accounts create job-runtime --project=${shellQuote(p)}`,
        grantCommand({
          kind: 'serviceAccount',
          resource: `projects/${p}/serviceAccounts/job-runtime@${p}.iam.gserviceaccount.com`,
          role: req.role,
          member: principal,
        }),
      ].join('\n');
      return false;
    }
  }
  return true;
}
