// A requirement row is data: which check, who needs which permission, where a binding that
// grants it counts (the resource itself, an existing job, the project and above) and the
// narrowest scope a grant closes it at. check, fix, the report and diagnosis read rows; a row
// turns into the plan's concrete requirements (one per secret, per bucket, ...) with `expand`.
import type { CheckId, DeployPlan } from '../model.ts';
import type { Requirement } from './requirements.ts';

/** Where an IAM binding can sit and still grant the permission, narrowest first. */
export type Scope = 'resource' | 'job' | 'project' | 'folder' | 'organization';

/** The project and everything above it: where a project-level role can also be inherited from. */
export const PROJECT_AND_ABOVE: readonly Scope[] = ['project', 'folder', 'organization'];

/** The members a plan's rows speak of, computed once per plan. */
export interface RowContext {
  /** IAM member of the deployer, when known. */
  deployer?: string;
  /** serviceAccount:service-N@serverless-robot-prod... */
  agent: string;
  /** serviceAccount: the job's runtime account */
  runtime: string;
}

export interface RequirementRow {
  check: CheckId;
  type: Requirement['type'];
  /** Who must hold the permission. */
  who: 'deployer' | 'service agent' | 'runtime account' | 'trigger account' | 'organization';
  /** Every permission the row may test (which ones a plan needs can depend on the plan). */
  permissions: readonly string[];
  /** The role a grant closing it adds. */
  role?: string;
  /** Where a binding granting the permission counts. */
  grantableAt: readonly Scope[];
  /** The scope fix grants at (or the remedy names), when the row has a grant at all. */
  narrowest?: Scope;
  /** 'fix' may add the binding; 'admin': only an administrator can (the command is given). */
  closedBy: 'fix' | 'admin' | 'none';
  /** Where the facts of the row come from. */
  source: string;
  /** The plan's concrete requirements of this row; none when it does not apply. */
  expand(plan: DeployPlan, ctx: RowContext): Requirement[];
}

/** How a row's gap closes: where a binding counts, the scope a grant goes to, who may add it. */
export type Closure = Pick<RequirementRow, 'grantableAt' | 'narrowest' | 'closedBy'>;

/** fix grants the role on the resource itself; a binding there or on the project and above counts. */
export const FIX_ON_RESOURCE: Closure = {
  grantableAt: ['resource', ...PROJECT_AND_ABOVE],
  narrowest: 'resource',
  closedBy: 'fix',
};

/** fix grants the role on the job; a binding there or on the project and above counts. */
export const FIX_ON_JOB: Closure = {
  grantableAt: ['job', ...PROJECT_AND_ABOVE],
  narrowest: 'job',
  closedBy: 'fix',
};

/** Held through the project (or above) only, and fix never grants on a project: an administrator does. */
export const ADMIN_ON_PROJECT: Closure = {
  grantableAt: PROJECT_AND_ABOVE,
  narrowest: 'project',
  closedBy: 'admin',
};

/** A row's declared facts, without its expansion: what a requirement carries along. */
export type RowFacts = Omit<RequirementRow, 'expand'>;

export function factsOf(row: RequirementRow): RowFacts {
  const { expand: _, ...facts } = row;
  return facts;
}
