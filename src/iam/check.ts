// Runs every requirement in parallel and turns each into a finding: satisfied, missing
// (proven: every relevant policy was read and none grants it) or unverified (with why).
import type { Finding } from '../model.ts';
import type { PolicyResource } from './backend.ts';
import {
  createServiceAccountCommand,
  enableServiceAccountCommand,
  grantCommand,
  orgPolicyCommand,
} from './commands.ts';
import { missingRepository, repositoryNotFound } from './not-found.ts';
import { evaluatePermission, type PolicyOnResource, rolesConcerning } from './policy.ts';
import type { Reader } from './reader.ts';
import { describeResource } from './reader.ts';
import type {
  CallerRequirement,
  LookupRequirement,
  OrgPolicyRequirement,
  PrincipalRequirement,
  Requirement,
  ServiceAccountRequirement,
} from './requirements.ts';
import type { RoleBook } from './roles.ts';

export interface CheckResult {
  requirement: Requirement;
  finding: Finding;
}

interface Deps {
  reader: Reader;
  roles: RoleBook;
}

function base(req: Requirement, status: Finding['status'], evidence: string): Finding {
  return { check: req.check, status, title: req.title, evidence, subject: req.subject };
}

async function checkCaller(req: CallerRequirement, { reader }: Deps): Promise<Finding> {
  const finding = base(req, 'satisfied', '');
  finding.resource = req.resource.name;
  finding.role = req.role;
  finding.permission = req.permissions.join(', ');
  if (req.principal) finding.principal = req.principal;
  const who = req.principal ?? 'the caller';
  const read = await reader.testPermissions(req.resource, req.ask ?? req.permissions);
  if (!read.ok) {
    const missing = await missingRepository(req.resource, read.error, reader);
    if (missing !== undefined) return repositoryNotFound(finding, req.resource, missing);
    finding.status = 'unverified';
    finding.evidence = `Could not test ${who}'s permissions: ${read.error.message}`;
    return finding;
  }
  const held = new Set(read.value);
  const lacking = req.permissions.filter((p) => !held.has(p));
  if (lacking.length === 0) {
    finding.evidence = `${who} holds ${req.permissions.join(', ')} on ${describeResource(req.resource)}.`;
    return finding;
  }
  finding.status = 'missing';
  finding.permission = lacking.join(', ');
  finding.evidence = `testIamPermissions on ${describeResource(req.resource)} shows ${who} lacks ${lacking.join(', ')}.`;
  const grant = req.grant ?? req.remedyGrant;
  finding.remedy = `Grant ${req.role} on ${describeResource(req.resource)} to ${req.principal ?? 'the deploying identity'}.`;
  finding.command = grantCommand(
    grant ?? {
      kind: req.resource.kind === 'project' ? 'project' : 'serviceAccount',
      resource: req.resource.name,
      role: req.role,
      member: 'PRINCIPAL',
    },
  );
  if (req.grant) finding.grant = req.grant;
  return finding;
}

/** The resource, its project and the folders/organization above it, as far as they can be read. */
async function policiesOf(
  resource: PolicyResource,
  project: string | undefined,
  { reader }: Deps,
): Promise<{ policies: PolicyOnResource[]; unreadable: string[]; missing?: string }> {
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
        };
      return {
        policies: [],
        unreadable: [
          `no permission to read the IAM policy of ${describeResource(resource)} (${read.error.message})`,
        ],
      };
    }
    projectName = parent.value;
  }
  if (resource.name !== projectName) chain.push({ kind: 'project', name: projectName });
  // The resource's and the project's policies do not depend on the hierarchy: read them while
  // walking up it, and read each ancestor's policy as soon as the walk finds it.
  const reads = chain.map((r) => reader.policy(r));
  let current = projectName;
  for (let depth = 0; depth < 12; depth++) {
    const parent = await reader.parent(current);
    if (!parent.ok) {
      unreadable.push(`could not find what contains ${current} (${parent.error.message})`);
      break;
    }
    if (!parent.value) break;
    const ancestor: PolicyResource = {
      kind: parent.value.startsWith('folders/') ? 'folder' : 'organization',
      name: parent.value,
    };
    chain.push(ancestor);
    reads.push(reader.policy(ancestor));
    current = parent.value;
  }
  const settled = await Promise.all(reads);
  const policies: PolicyOnResource[] = [];
  const own = settled[0];
  const missing = own && !own.ok ? await missingRepository(resource, own.error, reader) : undefined;
  if (missing !== undefined) return { policies, unreadable, missing };
  settled.forEach((read, i) => {
    const r = chain[i] as PolicyResource;
    if (read.ok) policies.push({ resource: r.name, policy: read.value });
    else
      unreadable.push(
        `no permission to read the IAM policy of ${describeResource(r)} (${read.error.message})`,
      );
  });
  return { policies, unreadable };
}

async function checkPrincipal(req: PrincipalRequirement, deps: Deps): Promise<Finding> {
  const finding = base(req, 'satisfied', '');
  Object.assign(finding, {
    principal: req.principal,
    permission: req.permission,
    role: req.role,
    resource: req.resource.name,
  });
  const { policies, unreadable, missing } = await policiesOf(req.resource, req.project, deps);
  if (missing !== undefined) return repositoryNotFound(finding, req.resource, missing);
  await deps.roles.load(rolesConcerning(req.principal, policies));
  const result = evaluatePermission(req.principal, req.permission, policies, (role) =>
    deps.roles.permissions(role),
  );
  if (result.outcome === 'granted') {
    finding.evidence = `${req.principal} holds ${req.permission} through ${result.role} on ${result.resource} (bound to ${result.via}).`;
    return finding;
  }
  const note = req.note ? ` Note: ${req.note}.` : '';
  const reasons = [...unreadable, ...(result.outcome === 'unverified' ? result.reasons : [])];
  finding.remedy = `Grant ${req.role} on ${describeResource(req.resource)} to ${req.principal}.`;
  finding.command = grantCommand(req.grant);
  // `fix` may add the binding on the resource itself when all that is unknown is what an
  // unreadable ancestor grants: the narrow binding is harmless even if one does. Not when a
  // conditional binding (or a group) is in play: that may be a deliberate restriction, and an
  // unconditional grant would undo it, so only the command is offered.
  if (result.outcome !== 'unverified') finding.grant = req.grant;
  if (reasons.length > 0) {
    finding.status = 'unverified';
    finding.evidence = `Could not prove ${req.principal} holds ${req.permission}: ${reasons.join('; ')}.${note}`;
    return finding;
  }
  finding.status = 'missing';
  const read = policies.map((p) => p.resource).join(', ');
  finding.evidence = `No binding in the IAM policies of ${read} grants ${req.permission} to ${req.principal}.${note}`;
  return finding;
}

async function checkOrgPolicy(req: OrgPolicyRequirement, { reader }: Deps): Promise<Finding> {
  const finding = base(req, 'satisfied', '');
  finding.resource = `projects/${req.project}`;
  finding.command = orgPolicyCommand(req.constraint, req.project);
  finding.remedy = `Stop enforcing ${req.constraint} on project ${req.project} (an organization policy administrator must do this).`;
  const read = await reader.orgPolicy(req.project, req.constraint);
  if (!read.ok) {
    finding.status = 'unverified';
    finding.evidence = `Could not read the effective org policy ${req.constraint}: ${read.error.message}`;
    return finding;
  }
  const rules = read.value.spec?.rules ?? [];
  if (rules.some((r) => r.enforce === true && !r.condition)) {
    finding.status = 'missing';
    finding.evidence = `The effective org policy ${req.constraint} on project ${req.project} is enforced.`;
    return finding;
  }
  const conditional = rules.find((r) => r.enforce === true && r.condition);
  if (conditional) {
    finding.status = 'unverified';
    finding.evidence = `${req.constraint} is enforced on project ${req.project} under condition '${conditional.condition?.title ?? conditional.condition?.expression ?? ''}'.`;
    return finding;
  }
  finding.evidence = `The effective org policy ${req.constraint} on project ${req.project} is not enforced.`;
  return finding;
}

async function checkLookup(req: LookupRequirement, { reader }: Deps): Promise<Finding> {
  const finding = base(req, 'satisfied', '');
  finding.resource = req.name;
  const read = await reader.lookup(req.kind, req.name);
  const gap = () => {
    finding.status = 'missing';
    finding.remedy = req.remedy;
    if (req.command) finding.command = req.command;
  };
  if (!read.ok) {
    if (read.error.api?.status === 'NOT_FOUND') {
      gap();
      finding.evidence = `${req.name} does not exist (${read.error.message}).`;
      return finding;
    }
    finding.status = 'unverified';
    finding.evidence = `Could not read ${req.name}: ${read.error.message}`;
    return finding;
  }
  const got = req.expect ? read.value[req.expect.field] : undefined;
  if (req.expect && got !== req.expect.value) {
    gap();
    finding.evidence = `${req.name} has ${req.expect.field} ${JSON.stringify(got ?? null)}, not ${req.expect.value}.`;
    return finding;
  }
  finding.evidence = req.expect
    ? `${req.name} has ${req.expect.field} ${req.expect.value}.`
    : `${req.name} exists.`;
  return finding;
}

async function checkServiceAccount(req: ServiceAccountRequirement, { reader }: Deps): Promise<Finding[]> {
  const finding = base(req, 'satisfied', '');
  finding.resource = `projects/${req.project}/serviceAccounts/${req.email}`;
  const out = [finding];
  if (req.isDefault) {
    out.push({
      check: 'runtime-sa',
      status: 'warning',
      title: 'The job runs as the default compute service account',
      subject: 'service_account',
      resource: finding.resource,
      evidence: `${req.email} is the project's default compute service account, which usually holds roles/editor on the whole project.`,
      remedy:
        'Create a dedicated service account with only the roles the job needs and set the service_account input.',
    });
  }
  const read = await reader.serviceAccount(req.email);
  if (read.ok) {
    if (!read.value.disabled) {
      finding.evidence = `${req.email} exists and is enabled.`;
      return out;
    }
    finding.status = 'missing';
    finding.evidence = `${req.email} is disabled.`;
    finding.remedy = 'Enable the service account, or choose another one.';
    finding.command = enableServiceAccountCommand(req.email, req.project);
    return out;
  }
  if (read.error.api?.status === 'NOT_FOUND') {
    finding.status = 'missing';
    finding.evidence = `${req.email} does not exist (${read.error.message}).`;
    finding.remedy = 'Create the service account, or fix the service_account input.';
    finding.command = createServiceAccountCommand(req.email, req.project);
    return out;
  }
  finding.status = 'unverified';
  finding.evidence = `Could not read ${req.email}: ${read.error.message}`;
  return out;
}

/**
 * A satisfied finding reads as a fact, with nothing to do; an unverified one must not read as
 * a proven gap, so its title says what could not be verified.
 */
function settle(req: Requirement, findings: Finding[]): Finding[] {
  for (const f of findings) {
    if (f.status === 'unverified' && f.check === req.check && f.title === req.title)
      f.title = `Could not verify that ${req.holds.charAt(0).toLowerCase()}${req.holds.slice(1)}`;
    if (f.status !== 'satisfied') continue;
    f.title = req.holds;
    delete f.remedy;
    delete f.command;
    delete f.grant;
  }
  return findings;
}

export async function checkOne(req: Requirement, deps: Deps): Promise<Finding[]> {
  return settle(req, await checkAny(req, deps));
}

async function checkAny(req: Requirement, deps: Deps): Promise<Finding[]> {
  switch (req.type) {
    case 'caller':
      return [await checkCaller(req, deps)];
    case 'principal':
      return [await checkPrincipal(req, deps)];
    case 'org-policy':
      return [await checkOrgPolicy(req, deps)];
    case 'service-account':
      return checkServiceAccount(req, deps);
    case 'lookup':
      return [await checkLookup(req, deps)];
  }
}

/** Every requirement at once; reads shared between checks happen once (see reader.ts). */
export async function runChecks(requirements: readonly Requirement[], deps: Deps): Promise<CheckResult[]> {
  // Expand the roles that usually decide principal checks (the granting role of each, and
  // the service agent's own role) while the policies are being read: when a policy binds
  // only those, no roles.get round trip waits for the policy. Failures surface in the checks.
  const likely = requirements.flatMap((r) =>
    r.type === 'principal'
      ? [r.role, ...(r.principal.includes('@serverless-robot-prod.') ? ['roles/run.serviceAgent'] : [])]
      : [],
  );
  void deps.roles.load([...new Set(likely)]);
  const all = await Promise.all(requirements.map((r) => checkOne(r, deps)));
  return all.flatMap((findings, i) =>
    findings.map((finding) => ({ requirement: requirements[i] as Requirement, finding })),
  );
}
