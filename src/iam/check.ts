// Runs every requirement in parallel and turns each into a finding: satisfied, missing
// (proven: every relevant policy was read and none grants it) or unverified (with why).
import type { StepError } from '../gcp/errors.ts';
import type { Finding } from '../model.ts';
import { checkCaller } from './check-caller.ts';
import { checkOrgConstraints } from './check-org-constraints.ts';
import { checkPrincipal, factsFor, policiesOf } from './check-principal.ts';
import {
  createServiceAccountCommand,
  enableServiceAccountCommand,
  enableServiceCommand,
  orgPolicyCommand,
} from './commands.ts';
import { oneGapPerRepository } from './not-found.ts';
import type { Reader } from './reader.ts';
import type {
  LookupRequirement,
  OrgPolicyRequirement,
  Requirement,
  ServiceAccountRequirement,
} from './requirements.ts';
import type { RoleBook } from './roles.ts';

export interface CheckResult {
  requirement: Requirement;
  finding: Finding;
}

export interface CheckOptions {
  /** The user's explicit opt-in to granting actAs on an account with basic roles. */
  allowPrivilegedRuntimeAccount?: boolean;
  /** Project id -> number, for the resource names IAM conditions see. */
  projectNumbers?: Readonly<Record<string, string>>;
  /** A provisional run (warmPreflight): names containing this are not known yet, so not asked about. */
  unknown?: string;
  /** The strict view (fail_on: unverified): what cannot be read is unverified, not a caveat. */
  strict?: boolean;
  /** Said once per run: what could not be read but does not change a verdict. */
  caveat?: (text: string) => void;
}

interface Deps extends CheckOptions {
  reader: Reader;
  roles: RoleBook;
}

function base(req: Requirement, status: Finding['status'], evidence: string): Finding {
  return { check: req.check, status, title: req.title, evidence, subject: req.subject };
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

/**
 * A lookup its API refused because the API is not enabled where the caller's credential bills
 * (ErrorInfo SERVICE_DISABLED): nothing is known of the resource, and the fix is to enable it.
 */
function serviceDisabled(
  finding: Finding,
  req: LookupRequirement,
  error: StepError,
  projectNumbers: Readonly<Record<string, string>> | undefined,
): boolean {
  const service = error.api?.metadata.service;
  if (error.api?.reason !== 'SERVICE_DISABLED' || !service) return false;
  const number = /^projects\/(\d+)$/.exec(error.api.metadata.consumer ?? '')?.[1];
  const id = Object.entries(projectNumbers ?? {}).find(([, n]) => n === number)?.[0];
  const project = id ?? number;
  finding.status = 'unverified';
  finding.evidence = `Could not read ${req.name}: ${service} is not enabled in project ${project ?? 'of the credential'} (${error.message}).`;
  finding.remedy = `Enable ${service}${project ? ` in project ${project}` : ''}, then run again to verify ${req.name}.`;
  if (project) finding.command = enableServiceCommand(service, project);
  return true;
}

async function checkLookup(req: LookupRequirement, { reader, projectNumbers }: Deps): Promise<Finding> {
  const finding = base(req, 'satisfied', '');
  finding.resource = req.name;
  const read = await reader.lookup(req.kind, req.name);
  const gap = () => {
    finding.status = 'missing';
    finding.remedy = req.remedy;
    if (req.command) finding.command = req.command;
  };
  if (!read.ok) {
    if (serviceDisabled(finding, req, read.error, projectNumbers)) return finding;
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
      return [
        await checkCaller(req, {
          ...deps,
          policiesOf: (r, project) => policiesOf(r, project, deps),
          facts: (r) => factsFor(r, deps),
        }),
      ];
    case 'principal':
      return checkPrincipal(req, deps);
    case 'org-policy':
      return [await checkOrgPolicy(req, deps)];
    case 'org-constraints':
      return checkOrgConstraints(req, deps);
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
  return oneGapPerRepository(
    all.flatMap((findings, i) =>
      findings.map((finding) => ({ requirement: requirements[i] as Requirement, finding })),
    ),
  );
}
