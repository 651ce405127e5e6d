// The requirement model (DESIGN.md) as data: from a deploy plan, every check the job needs,
// who needs what on which resource, and the narrowest grant that closes it. Pure.
import type { CheckId, DeployPlan, Grant, Subject } from '../model.ts';
import type { LookupKind, PolicyResource } from './backend.ts';
import { memberOf } from './deploy-permissions.ts';
import { RESOURCE_ROWS } from './requirements-resources.ts';
import { SCHEDULE_ROWS } from './requirements-schedule.ts';
import { factsOf, type RequirementRow, type RowContext, type RowFacts } from './rows.ts';
import { CORE_ROWS } from './rows-core.ts';
import { ORG_POLICY_ROWS } from './rows-orgpolicy.ts';

export {
  CROSS_PROJECT_SA_CONSTRAINT,
  deployAsk,
  deployPermissions,
  memberOf,
} from './deploy-permissions.ts';

interface Base {
  check: CheckId;
  /** The gap, in words: the finding's title when the requirement does not hold. */
  title: string;
  /** The requirement, in words: the finding's title when it holds. */
  holds: string;
  subject: Subject;
  /** The declared facts of the row this requirement comes from (set by requirementsFor). */
  row?: RowFacts;
}

/** The caller's own permissions: answered by testIamPermissions. */
export interface CallerRequirement extends Base {
  type: 'caller';
  /** IAM member of the caller when known (needed to build a grant). */
  principal?: string;
  permissions: string[];
  /**
   * What testIamPermissions asks for when it is more than `permissions`: a superset that does
   * not depend on facts read in parallel (whether the job exists), so the test starts at once
   * and is interpreted afterwards.
   */
  ask?: string[];
  role: string;
  resource: PolicyResource;
  /** Resource-level grant fix may make; absent for project-level roles and unknown callers. */
  grant?: Grant;
  /** The binding an administrator would add (project-level ones included). */
  remedyGrant?: Grant;
  /**
   * A narrower resource on which some of the permissions may be held instead (an existing
   * job: roles granted on the job itself count; its testIamPermissions includes what the
   * project grants). The rest are tested on `resource`.
   */
  scope?: { resource: PolicyResource; permissions: string[] };
  /**
   * Permissions whose lack is no gap because the action has another way, said in the evidence
   * (no run.operations.get: the write is followed by reading the job).
   */
  optional?: Array<{ permission: string; instead: string }>;
  /**
   * Roles that close a gap on `scope` alone, narrowest first, with the permissions each carries:
   * the first covering what is lacking is the remedy, and fix grants it there when `scopeFix`.
   */
  scopeRoles?: Array<{ role: string; permissions: string[] }>;
  scopeFix?: boolean;
  /** Said in the evidence when a permission is lacking (e.g. why the project is needed). */
  note?: string;
  /**
   * Granting this lets the caller act as `member`: fix refuses while `member` holds a basic
   * role (roles/owner, roles/editor) in `project`'s hierarchy, unless the user opted in.
   */
  actsAs?: { member: string; project: string };
}

/** Another principal's permission: answered by reading policies of the resource and its ancestors. */
export interface PrincipalRequirement extends Base {
  type: 'principal';
  principal: string;
  permission: string;
  role: string;
  resource: PolicyResource;
  /**
   * Project whose hierarchy (project, folders, organization) also grants on the resource;
   * absent when the resource's name does not say (a bucket): its parent is read first.
   */
  project?: string;
  grant: Grant;
  /** Extra context for the evidence (e.g. where the permission usually comes from). */
  note?: string;
}

export interface OrgPolicyRequirement extends Base {
  type: 'org-policy';
  constraint: string;
  project: string;
}

/** One org policy constraint on a job setting (see rows-orgpolicy.ts). */
export interface ConstraintCheck {
  constraint: string;
  /** The job's value in the constraint's own words; absent: the job sets none. */
  value?: string;
  /** The job setting in words, e.g. "VPC egress". */
  setting: string;
  subject: Subject;
  /** How a policy value covers the job's: equal, a location group, a resource subtree. */
  match: 'exact' | 'location' | 'under';
  remedy: string;
}

/** The organization's list constraints on the job's settings, read before any write. */
export interface OrgConstraintsRequirement extends Base {
  type: 'org-constraints';
  project: string;
  constraints: ConstraintCheck[];
}

export interface ServiceAccountRequirement extends Base {
  type: 'service-account';
  email: string;
  project: string;
  isDefault: boolean;
}

/** Something the job connects to exists (and, with `expect`, is in the stated state). */
export interface LookupRequirement extends Base {
  type: 'lookup';
  kind: LookupKind;
  /** Full resource name, e.g. projects/P/instances/I or projects/P/services/S. */
  name: string;
  /** A top-level field the resource must hold with this value (a service's state, an instance's region). */
  expect?: { field: string; value: string };
  remedy: string;
  command?: string;
}

export type Requirement =
  | CallerRequirement
  | PrincipalRequirement
  | OrgPolicyRequirement
  | OrgConstraintsRequirement
  | ServiceAccountRequirement
  | LookupRequirement;

/**
 * Every row that can apply to a job, in report order. Rows of another area live in their own
 * file and are added here in one line.
 */
export const ROWS: readonly RequirementRow[] = [
  ...CORE_ROWS,
  ...RESOURCE_ROWS,
  ...ORG_POLICY_ROWS,
  ...SCHEDULE_ROWS,
];

/** The row that declares a check, for readers that start from a finding (report, diagnosis). */
export function rowOf(check: CheckId): RowFacts | undefined {
  const row = ROWS.find((r) => r.check === check);
  return row ? factsOf(row) : undefined;
}

/** The plan's requirements: every row expanded, each carrying its row's declared facts. */
export function requirementsFor(plan: DeployPlan): Requirement[] {
  const ctx: RowContext = {
    agent: `serviceAccount:${plan.serviceAgent}`,
    runtime: `serviceAccount:${plan.serviceAccount}`,
    ...(plan.deployer ? { deployer: memberOf(plan.deployer) } : {}),
  };
  return ROWS.flatMap((row) => {
    const facts = factsOf(row);
    return row.expand(plan, ctx).map((r) => ({ ...r, row: facts }));
  });
}
