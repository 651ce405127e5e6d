// The requirement model (DESIGN.md) as data: from a deploy plan, every check the job needs,
// who needs what on which resource, and the narrowest grant that closes it. Pure.
import type { CheckId, DeployPlan, Grant, Subject } from '../model.ts';
import type { LookupKind, PolicyResource } from './backend.ts';
import { resourceRequirements } from './requirements-resources.ts';
import { scheduleRequirements } from './requirements-schedule.ts';

export const CROSS_PROJECT_SA_CONSTRAINT = 'iam.disableCrossProjectServiceAccountUsage';

interface Base {
  check: CheckId;
  /** The gap, in words: the finding's title when the requirement does not hold. */
  title: string;
  /** The requirement, in words: the finding's title when it holds. */
  holds: string;
  subject: Subject;
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
  | ServiceAccountRequirement
  | LookupRequirement;

/** IAM member form of an identity: emails become serviceAccount:/user:, member strings pass through. */
export function memberOf(identity: string): string {
  if (
    identity.includes('://') ||
    /^(user|serviceAccount|group|domain|principal|principalSet):/.test(identity)
  ) {
    return identity;
  }
  return identity.endsWith('.gserviceaccount.com') ? `serviceAccount:${identity}` : `user:${identity}`;
}

/**
 * What deploying the job asks of the deployer: create when it does not exist yet, update
 * (after a get) when it does, both when it is unknown (its read was refused). The same for
 * replace from a job.yaml, which creates a missing job and replaces an existing one.
 */
export function deployPermissions(jobExists: boolean | undefined, execute: boolean): string[] {
  const write =
    jobExists === true
      ? ['run.jobs.update']
      : jobExists === false
        ? ['run.jobs.create']
        : ['run.jobs.create', 'run.jobs.update'];
  return [...write, 'run.jobs.get', 'run.operations.get', ...(execute ? ['run.jobs.run'] : [])];
}

/** Every permission a deploy may need, whether or not the job exists: one test answers both cases. */
export function deployAsk(execute: boolean): string[] {
  return deployPermissions(undefined, execute);
}

export function requirementsFor(plan: DeployPlan): Requirement[] {
  const deployer = plan.deployer ? memberOf(plan.deployer) : undefined;
  const agent = `serviceAccount:${plan.serviceAgent}`;
  const runtime = `serviceAccount:${plan.serviceAccount}`;
  const saName = `projects/${plan.serviceAccountProject}/serviceAccounts/${plan.serviceAccount}`;
  const sa: PolicyResource = { kind: 'serviceAccount', name: saName };
  const out: Requirement[] = [];

  out.push({
    type: 'service-account',
    check: 'runtime-sa',
    title: `The job's service account ${plan.serviceAccount} is missing or disabled`,
    holds: `The job's service account ${plan.serviceAccount} exists and is enabled`,
    subject: 'service_account',
    email: plan.serviceAccount,
    project: plan.serviceAccountProject,
    isDefault: plan.serviceAccountIsDefault,
  });

  const actAs: CallerRequirement = {
    type: 'caller',
    check: 'deployer-actas',
    title: `Deployer cannot act as the job's service account ${plan.serviceAccount}`,
    holds: `Deployer can act as the job's service account ${plan.serviceAccount}`,
    subject: 'service_account',
    permissions: ['iam.serviceAccounts.actAs'],
    role: 'roles/iam.serviceAccountUser',
    resource: sa,
  };
  if (deployer) {
    actAs.principal = deployer;
    actAs.grant = { kind: 'serviceAccount', resource: saName, role: actAs.role, member: deployer };
    actAs.actsAs = { member: runtime, project: plan.serviceAccountProject };
  }
  out.push(actAs);

  const permissions = deployPermissions(plan.jobExists, plan.execute);
  const run: CallerRequirement = {
    type: 'caller',
    check: 'deployer-run',
    title: `Deployer cannot ${plan.execute ? 'deploy and run' : 'deploy'} Cloud Run jobs in project ${plan.project}`,
    holds: `Deployer can ${plan.execute ? 'deploy and run' : 'deploy'} Cloud Run jobs in project ${plan.project}`,
    subject: plan.execute ? 'execute' : 'job',
    permissions,
    ask: deployAsk(plan.execute),
    role: 'roles/run.developer',
    resource: { kind: 'project', name: `projects/${plan.project}` },
  };
  // An existing job honours roles granted on it (least-privilege teams grant run.developer or
  // run.jobsExecutor on one job); a job about to be created has no policy yet, so creating
  // (and running) it needs the role on the project.
  if (plan.jobExists === true) {
    run.scope = {
      resource: { kind: 'job', name: plan.jobName },
      permissions: permissions.filter((p) => p.startsWith('run.jobs.')),
    };
  } else if (plan.jobExists === false) {
    run.note = `job ${plan.job} does not exist yet, so only roles on project ${plan.project} (or above) count: a role granted on the job applies once it exists`;
  }
  if (deployer) {
    run.principal = deployer;
    // fix never grants the deployer its own deploy rights; an administrator may, on the job
    // when it exists (the narrowest scope), else on the project.
    run.remedyGrant =
      plan.jobExists === true
        ? { kind: 'job', resource: plan.jobName, role: run.role, member: deployer }
        : { kind: 'project', resource: `projects/${plan.project}`, role: run.role, member: deployer };
  }
  out.push(run);

  const { image } = plan;
  if (image.repositoryName && image.project) {
    const repo: PolicyResource = { kind: 'repository', name: image.repositoryName };
    const reader = 'roles/artifactregistry.reader';
    const download = 'artifactregistry.repositories.downloadArtifacts';
    const deployerImage: CallerRequirement = {
      type: 'caller',
      check: 'deployer-image',
      title: `Deployer cannot read the image's repository ${image.repositoryName}`,
      holds: `Deployer can read the image's repository ${image.repositoryName}`,
      subject: 'image',
      permissions: [download],
      role: reader,
      resource: repo,
    };
    if (deployer) {
      deployerImage.principal = deployer;
      deployerImage.grant = {
        kind: 'repository',
        resource: image.repositoryName,
        role: reader,
        member: deployer,
      };
    }
    out.push(deployerImage);
    const agentImage: PrincipalRequirement = {
      type: 'principal',
      check: 'agent-image',
      title: `The Cloud Run service agent cannot pull the image from ${image.repositoryName}`,
      holds: `The Cloud Run service agent can pull the image from ${image.repositoryName}`,
      subject: 'image',
      principal: agent,
      permission: download,
      role: reader,
      resource: repo,
      project: image.project,
      grant: { kind: 'repository', resource: image.repositoryName, role: reader, member: agent },
    };
    if (image.project === plan.project) {
      agentImage.note = `in the job's own project the service agent normally holds this through roles/run.serviceAgent on project ${plan.project}`;
    }
    out.push(agentImage);
  }

  if (plan.serviceAccountProject === plan.project) {
    // The service agent gets the runtime account's tokens through its own role on the
    // project; a project that lost that binding fails every deploy, whatever else holds.
    const agentRole = 'roles/run.serviceAgent';
    out.push({
      type: 'principal',
      check: 'agent-role',
      title: `The Cloud Run service agent cannot get tokens for ${plan.serviceAccount}: it lacks ${agentRole} on project ${plan.project}`,
      holds: `The Cloud Run service agent can get tokens for the job's service account ${plan.serviceAccount}`,
      subject: 'service_account',
      principal: agent,
      permission: 'iam.serviceAccounts.getAccessToken',
      role: agentRole,
      resource: sa,
      project: plan.project,
      grant: { kind: 'project', resource: `projects/${plan.project}`, role: agentRole, member: agent },
      note: `the service agent holds this through its role ${agentRole} on project ${plan.project}; only a project IAM administrator can restore it`,
    });
  }

  if (plan.serviceAccountProject !== plan.project) {
    out.push({
      type: 'principal',
      check: 'agent-token',
      title: `The Cloud Run service agent cannot get tokens for the cross-project service account ${plan.serviceAccount}`,
      holds: `The Cloud Run service agent can get tokens for the cross-project service account ${plan.serviceAccount}`,
      subject: 'service_account',
      principal: agent,
      permission: 'iam.serviceAccounts.getAccessToken',
      role: 'roles/iam.serviceAccountTokenCreator',
      resource: sa,
      project: plan.serviceAccountProject,
      grant: {
        kind: 'serviceAccount',
        resource: saName,
        role: 'roles/iam.serviceAccountTokenCreator',
        member: agent,
      },
    });
    out.push({
      type: 'org-policy',
      check: 'orgpolicy-xproject',
      title: `Project ${plan.serviceAccountProject} forbids using its service accounts in other projects`,
      holds: `Project ${plan.serviceAccountProject} allows using its service accounts in other projects`,
      subject: 'service_account',
      constraint: CROSS_PROJECT_SA_CONSTRAINT,
      project: plan.serviceAccountProject,
    });
  }

  for (const secret of plan.secrets) {
    const name = `projects/${secret.project}/secrets/${secret.secret}`;
    out.push({
      type: 'principal',
      check: 'runtime-secret',
      title: `The job's service account cannot read secret ${secret.secret} (used by ${secret.name})`,
      holds: `The job's service account can read secret ${secret.secret} (used by ${secret.name})`,
      subject: `secret:${secret.name}`,
      principal: runtime,
      permission: 'secretmanager.versions.access',
      role: 'roles/secretmanager.secretAccessor',
      resource: { kind: 'secret', name },
      project: secret.project,
      grant: { kind: 'secret', resource: name, role: 'roles/secretmanager.secretAccessor', member: runtime },
    });
  }
  out.push(...resourceRequirements(plan, deployer));
  out.push(...scheduleRequirements(plan, deployer));
  return out;
}
