// Another principal's permission (the service agent, the runtime account): read the policies of
// the resource and its hierarchy, evaluate them (conditions decided where the action knows the
// values), then settle deny policies (Policy Troubleshooter, else IAM v2) before "satisfied".
import type { Finding } from '../model.ts';
import type { PolicyResource } from './backend.ts';
import { grantCommand } from './commands.ts';
import { type ConditionFacts, conditionResource, decideCondition } from './conditions.ts';
import { denyVerdict } from './deny.ts';
import { DENY_SUPPORT_PAGE, DENY_SUPPORT_READ, denyCanName } from './deny-supported.ts';
import { type BoundCondition, expiringWarning, expiryOf, lapsedAdvice } from './expiry.ts';
import { openFinding } from './finding.ts';
import { missingRepository, missingSecret, repositoryNotFound, secretNotFound } from './not-found.ts';
import { evaluatePermission, type PolicyOnResource, rolesConcerning } from './policy.ts';
import { describeResource, type Reader } from './reader.ts';
import type { PrincipalRequirement } from './requirements.ts';
import type { RoleBook } from './roles.ts';

export interface PrincipalDeps {
  reader: Reader;
  roles: RoleBook;
  projectNumbers?: Readonly<Record<string, string>>;
  /** A provisional run: principals containing this are not known yet, so not asked about. */
  unknown?: string;
  /** fail_on: unverified: deny policies that cannot be read leave a check unverified. */
  strict?: boolean;
  /** Said once per run: deny policies that could apply but cannot be read. */
  caveat?: (text: string) => void;
}

/** The resource, its project and the folders/organization above it, as far as they can be read. */
export async function policiesOf(
  resource: PolicyResource,
  project: string | undefined,
  { reader }: PrincipalDeps,
): Promise<{
  policies: PolicyOnResource[];
  unreadable: string[];
  hierarchy: string[];
  /** The walk reached the top: `hierarchy` names every project, folder and organization above. */
  complete?: boolean;
  missing?: string;
}> {
  const chain: PolicyResource[] = [resource];
  const unreadable: string[] = [];
  // A bucket's name does not say its project: ask for the resource's parent first.
  let projectName = project ? `projects/${project}` : undefined;
  if (!projectName) {
    void reader.policy(resource); // read while the parent is looked up (the reader caches it)
    const parent = await reader.parent(resource.name);
    if (!parent.ok || !parent.value) {
      const read = await reader.policy(resource);
      if (read.ok)
        return {
          policies: [{ resource: resource.name, policy: read.value }],
          unreadable: [
            `could not find the project of ${describeResource(resource)} (${parent.ok ? 'none returned' : parent.error.message})`,
          ],
          hierarchy: [],
        };
      return {
        policies: [],
        unreadable: [
          `no permission to read the IAM policy of ${describeResource(resource)} (${read.error.message})`,
        ],
        hierarchy: [],
      };
    }
    projectName = parent.value;
  }
  if (resource.name !== projectName) chain.push({ kind: 'project', name: projectName });
  // The resource's and the project's policies do not depend on the hierarchy: read them while
  // walking up it, and read each ancestor's policy as soon as the walk finds it.
  const reads = chain.map((r) => reader.policy(r));
  let current = projectName;
  let complete = false;
  for (let depth = 0; depth < 12; depth++) {
    const parent = await reader.parent(current);
    if (!parent.ok) {
      unreadable.push(`could not find what contains ${current} (${parent.error.message})`);
      break;
    }
    if (!parent.value) {
      complete = true;
      break;
    }
    const ancestor: PolicyResource = {
      kind: parent.value.startsWith('folders/') ? 'folder' : 'organization',
      name: parent.value,
    };
    chain.push(ancestor);
    reads.push(reader.policy(ancestor));
    current = parent.value;
  }
  const settled = await Promise.all(reads);
  const hierarchy = chain
    .filter((r) => r.kind === 'project' || r.kind === 'folder' || r.kind === 'organization')
    .map((r) => r.name);
  const policies: PolicyOnResource[] = [];
  const own = settled[0];
  const missing =
    own && !own.ok
      ? ((await missingRepository(resource, own.error, reader)) ?? missingSecret(resource, own.error))
      : undefined;
  if (missing !== undefined) return { policies, unreadable, hierarchy, missing };
  settled.forEach((read, i) => {
    const r = chain[i] as PolicyResource;
    if (read.ok) policies.push({ resource: r.name, policy: read.value });
    else
      unreadable.push(
        `no permission to read the IAM policy of ${describeResource(r)} (${read.error.message})`,
      );
  });
  return { policies, unreadable, hierarchy, complete };
}

export function factsFor(resource: PolicyResource, deps: PrincipalDeps): ConditionFacts {
  const r = conditionResource(resource.kind, resource.name, deps.projectNumbers ?? {});
  return { now: deps.reader.now(), ...(r ? { resource: r } : {}) };
}

/**
 * The finding, and a warning when the grant that satisfies it is time-bound and ends within
 * 30 days (expiry.ts).
 */
export async function checkPrincipal(req: PrincipalRequirement, deps: PrincipalDeps): Promise<Finding[]> {
  let bound: { condition: BoundCondition; role: string } | undefined;
  const finding = await checkOne(req, deps, (b) => {
    bound = b;
  });
  const warning =
    bound && finding.status === 'satisfied'
      ? expiringWarning(finding, bound.condition, bound.role, req.grant, deps.reader.now())
      : undefined;
  return warning ? [finding, warning] : [finding];
}

async function checkOne(
  req: PrincipalRequirement,
  deps: PrincipalDeps,
  onBound: (b: { condition: BoundCondition; role: string }) => void,
): Promise<Finding> {
  const finding = openFinding(req);
  Object.assign(finding, {
    principal: req.principal,
    permission: req.permission,
    role: req.role,
    resource: req.resource.name,
  });
  // The project's deny policies do not depend on the walk up the hierarchy (nor on who the
  // principal is): read them with the allow policies, so a deny verdict waits for nothing new.
  // A permission no deny policy can name needs no deny read (deny-supported.ts).
  const deniable = denyCanName(req.permission);
  if (req.project && deniable) void deps.reader.denyPolicies(`projects/${req.project}`);
  const { policies, unreadable, hierarchy, complete, missing } = await policiesOf(
    req.resource,
    req.project,
    deps,
  );
  if (missing !== undefined)
    return req.resource.kind === 'secret'
      ? secretNotFound(finding, req.resource, missing)
      : repositoryNotFound(finding, req.resource, missing);
  await deps.roles.load(rolesConcerning(req.principal, policies));
  const facts = factsFor(req.resource, deps);
  const result = evaluatePermission(
    req.principal,
    req.permission,
    policies,
    (role) => deps.roles.permissions(role),
    (c) => decideCondition(c.expression, facts),
  );
  const note = req.note ? ` Note: ${req.note}.` : '';
  finding.remedy = `Grant ${req.role} on ${describeResource({ kind: req.grant.kind, name: req.grant.resource })} to ${req.principal}.`;
  finding.command = grantCommand(req.grant);
  // Deny policies can take away what allow policies grant: settle them before "satisfied".
  const provisional = deps.unknown !== undefined && req.principal.includes(deps.unknown);
  // Not asked yet, but its ancestors' deny policies are read now, for the preflight proper.
  if (provisional) for (const h of hierarchy) void deps.reader.denyPolicies(h);
  const { deny, allow } = !deniable
    ? {
        deny: {
          state: 'not-denied' as const,
          evidence: `no deny policy can name ${req.permission} (${DENY_SUPPORT_PAGE}, read ${DENY_SUPPORT_READ})`,
        },
        allow: undefined,
      }
    : provisional
      ? { deny: { state: 'unknown' as const, reasons: ['the principal is not known yet'] }, allow: undefined }
      : await denyVerdict(deps.reader, {
          member: req.principal,
          permission: req.permission,
          resource: req.resource,
          hierarchy,
          facts,
          // The troubleshooter's allow verdict only counts when the policies read here cannot tell.
          settled: complete === true && result.outcome !== 'unverified',
        });
  if (deny.state === 'denied') {
    finding.status = 'missing';
    finding.evidence = `${req.principal} cannot use ${req.permission}: ${deny.evidence}.${note}`;
    finding.remedy = `A deny policy blocks ${req.permission} for ${req.principal}: an administrator of the deny policy must exempt it (exceptionPrincipals) or narrow the rule; no allow binding can override a deny.`;
    delete finding.command;
    return finding;
  }
  const granted = result.outcome === 'granted' || (result.outcome === 'unverified' && allow === 'granted');
  if (granted) {
    const end = result.outcome === 'granted' && result.bound ? expiryOf(result.bound.expression) : undefined;
    if (result.outcome === 'granted' && result.bound) onBound({ condition: result.bound, role: result.role });
    const how =
      result.outcome === 'granted'
        ? `through ${result.role} on ${result.resource} (bound to ${result.via}${result.condition ? `, under condition ${result.condition}, which holds now${end ? ` and ends ${end.toISOString()}` : ''}` : ''})`
        : 'according to the Policy Troubleshooter';
    if (deny.state === 'not-denied') {
      finding.evidence = `${req.principal} holds ${req.permission} ${how}; ${deny.evidence}.`;
      return finding;
    }
    // Deny policies that could apply but cannot be read: a caveat said once per run, and the
    // verdict stays the allow side's, unless the strict view was asked for (fail_on: unverified)
    // or a deny policy that was read may deny it.
    if (!deps.strict && !deny.undecided && !provisional) {
      deps.caveat?.(
        'Some deny policies could not be read (the deployer lacks iam.denypolicies.list, which roles/viewer carries): checks proven through allow policies keep their verdict, but a deny rule there could still take a permission away. Failing on unverified checks (the strict view) makes such checks unverified instead.',
      );
      finding.evidence = `${req.principal} holds ${req.permission} ${how}; deny policies could not be read (${deny.reasons.join('; ')}), so that no deny rule takes it away is a caveat, not proven.`;
      return finding;
    }
    finding.status = 'unverified';
    finding.title = `Could not verify that ${req.holds.charAt(0).toLowerCase()}${req.holds.slice(1)} (deny policies not readable)`;
    finding.evidence = `${req.principal} holds ${req.permission} ${how}, but a deny policy could still take it away: ${deny.reasons.join('; ')}.`;
    return finding;
  }
  const reasons = [...unreadable, ...(result.outcome === 'unverified' ? result.reasons : [])];
  // `fix` may add the binding on the resource itself when all that is unknown is what an
  // unreadable ancestor grants: the narrow binding is harmless even if one does. Not when a
  // conditional binding (time-bound, per resource) or a group is in play: that may be a
  // deliberate restriction, and an unconditional grant would undo it, so only the command is
  // offered.
  const conditional = result.conditional.length > 0;
  if (result.outcome !== 'unverified' && !conditional) finding.grant = req.grant;
  const condNote = conditional
    ? ` ${req.principal} has a conditional grant (${result.conditional.join('; ')}): fix does not replace it with an unconditional binding; an administrator may renew the condition or run the command below.`
    : '';
  // A lapsed time-bound grant: when it ended, and the two ways to restore it.
  const lapsed = lapsedAdvice(result.conditionalBindings, req.grant, deps.reader.now());
  if (lapsed) {
    finding.remedy = lapsed.remedy;
    finding.command = lapsed.command;
  }
  const lapsedNote = lapsed?.evidence ?? '';
  if (reasons.length > 0) {
    finding.status = 'unverified';
    finding.evidence = `Could not prove ${req.principal} holds ${req.permission}: ${reasons.join('; ')}.${note}${condNote}${lapsedNote}`;
    return finding;
  }
  finding.status = 'missing';
  const read = policies.map((p) => p.resource).join(', ');
  finding.evidence = `No binding in the IAM policies of ${read} grants ${req.permission} to ${req.principal} now.${note}${condNote}${lapsedNote}`;
  return finding;
}
