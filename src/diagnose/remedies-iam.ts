// Remedies for access gaps: who needs which role on which resource, the remedy in words and
// the exact gcloud command. Unknown facts become UPPER_CASE placeholders in the command rather
// than guesses. IAM binding commands come from src/iam/commands.ts, so diagnosis and the
// preflight print the same forms (ending in --condition=None).
import { grantCommand, orgPolicyCommand } from '../iam/commands.ts';
import type { Finding, Grant } from '../model.ts';
import type { RepoFacts, SecretFacts } from './facts.ts';
import { FEDERATED_SET, federatedDeployer } from './remedies-identity.ts';
import { type Base, saResource, withSubject } from './remedy-parts.ts';

const AGENT_PLACEHOLDER = 'service-PROJECT_NUMBER@serverless-robot-prod.iam.gserviceaccount.com';

type Binding = { grant: Grant; command: string };

/**
 * The binding that closes a gap and the command that adds it. grantCommand always prints
 * --project; a service account whose project is unknown (projects/-) is found by its email
 * alone, so the flag is left out there rather than printed as `-`.
 */
function binding(grant: Grant): Binding {
  const command = grantCommand(grant);
  const anyProject = grant.kind === 'serviceAccount' && grant.resource.startsWith('projects/-/');
  return { grant, command: anyProject ? command.replace(' --project=- ', ' ') : command };
}

function saBinding(email: string, project: string | undefined, member: string, role: string): Binding {
  return binding({ resource: saResource(email, project), kind: 'serviceAccount', role, member });
}

/**
 * A failed finding for a missing binding. The principal is shown only when the error named it,
 * and the grant (what iam=fix would apply) only when, besides, every part of it is known.
 */
function gap(
  o: Base & { check: string; title: string; permission: string; remedy: string },
  b: Binding,
  known: { principal: string | undefined; grantable: boolean },
): Finding {
  const f: Finding = {
    check: o.check,
    status: 'failed',
    title: o.title,
    permission: o.permission,
    role: b.grant.role,
    resource: b.grant.resource,
    evidence: o.evidence,
    remedy: o.remedy,
    command: b.command,
  };
  if (known.principal) {
    f.principal = known.principal;
    if (known.grantable) f.grant = b.grant;
  }
  return f;
}

export function actAs(
  o: Base & { member: string | undefined; serviceAccount: string; saProject: string | undefined },
): Finding {
  const role = 'roles/iam.serviceAccountUser';
  const b = saBinding(o.serviceAccount, o.saProject, o.member ?? 'DEPLOYER_MEMBER', role);
  const f = gap(
    {
      check: 'deployer-actas',
      title: "Deployer cannot act as the job's service account",
      permission: 'iam.serviceAccounts.actAs',
      evidence: o.evidence,
      remedy: `Grant ${o.member ?? 'the identity the action deploys as'} ${role} on the service account ${o.serviceAccount} (not on the project).`,
    },
    b,
    { principal: o.member, grantable: true },
  );
  return withSubject(f, o.subject ?? 'service_account');
}

export function agentToken(
  o: Base & {
    agent: string | undefined;
    serviceAccount: string;
    saProject: string | undefined;
    /** The job's project: an account of that project needs the agent's own role, not a grant on it. */
    jobProject?: string | undefined;
  },
): Finding {
  const agent = o.agent ?? AGENT_PLACEHOLDER;
  const member = `serviceAccount:${agent}`;
  if (o.saProject && o.saProject === o.jobProject) return agentRole({ ...o, agent, project: o.saProject });
  const role = 'roles/iam.serviceAccountTokenCreator';
  const b = saBinding(o.serviceAccount, o.saProject, member, role);
  // The agent is always named (a placeholder at worst), so the principal stands near the top.
  const f: Finding = {
    check: 'agent-token',
    status: 'failed',
    title: 'Cloud Run service agent cannot mint tokens for the runtime service account',
    principal: member,
    permission: 'iam.serviceAccounts.getAccessToken',
    role,
    resource: b.grant.resource,
    evidence: o.evidence,
    remedy: `Grant the Cloud Run service agent ${agent} ${role} on ${o.serviceAccount}. A service account from another project also needs the org policy iam.disableCrossProjectServiceAccountUsage unenforced on its project.`,
    command: b.command,
  };
  if (o.agent) f.grant = b.grant;
  return withSubject(f, o.subject ?? 'service_account');
}

/**
 * The service agent cannot get tokens for an account of the job's own project: it has lost
 * roles/run.serviceAgent on the project (which carries iam.serviceAccounts.getAccessToken
 * there). The remedy is that role back, on the project; no cross-project concerns apply.
 */
function agentRole(o: Base & { agent: string; serviceAccount: string; project: string }): Finding {
  const member = `serviceAccount:${o.agent}`;
  const role = 'roles/run.serviceAgent';
  const grant: Grant = { kind: 'project', resource: `projects/${o.project}`, role, member };
  const f: Finding = {
    check: 'agent-role',
    status: 'failed',
    title: `Cloud Run service agent lacks its role ${role} on project ${o.project}`,
    principal: member,
    permission: 'iam.serviceAccounts.getAccessToken',
    role,
    resource: grant.resource,
    evidence: o.evidence,
    remedy: `Grant the Cloud Run service agent ${o.agent} its role ${role} on project ${o.project} again (a project IAM administrator must do this): it needs it to get tokens for ${o.serviceAccount}, an account of the job's own project.`,
    command: grantCommand(grant),
  };
  return withSubject(f, o.subject ?? 'service_account');
}

export function wifUser(
  o: Base & { member: string | undefined; serviceAccount: string; saProject: string | undefined },
): Finding {
  const member =
    o.member ??
    'principalSet://iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/attribute.repository/OWNER/REPO';
  const role = 'roles/iam.workloadIdentityUser';
  const f = gap(
    {
      check: 'wif-user',
      title: 'Workload identity cannot impersonate the deployer service account',
      permission: 'iam.serviceAccounts.getAccessToken',
      evidence: o.evidence,
      remedy: `Grant the workload identity principal of this repository ${role} on the deployer service account ${o.serviceAccount}.`,
    },
    saBinding(o.serviceAccount, o.saProject, member, role),
    { principal: o.member, grantable: false },
  );
  return withSubject(f, o.subject ?? 'impersonate_service_account');
}

const UNKNOWN_REPO: RepoFacts = { project: 'IMAGE_PROJECT', location: 'LOCATION', repository: 'REPOSITORY' };

export function imageAccess(
  o: Base & {
    agent: boolean;
    member: string | undefined;
    repo: RepoFacts | undefined;
    image: string | undefined;
  },
): Finding {
  const member = o.member ?? (o.agent ? `serviceAccount:${AGENT_PLACEHOLDER}` : 'DEPLOYER_MEMBER');
  const role = 'roles/artifactregistry.reader';
  const repo = o.repo ?? UNKNOWN_REPO;
  const resource = `projects/${repo.project}/locations/${repo.location}/repositories/${repo.repository}`;
  const who = o.agent
    ? `the Cloud Run service agent ${o.member?.replace(/^serviceAccount:/, '') ?? ''}`.trim()
    : (o.member ?? 'the identity the action deploys as');
  const f = gap(
    {
      check: o.agent ? 'agent-image' : 'deployer-image',
      title: o.agent ? 'Cloud Run service agent cannot pull the image' : 'Deployer cannot read the image',
      permission: 'artifactregistry.repositories.downloadArtifacts',
      evidence: o.evidence,
      remedy: `Grant ${who} ${role} on the repository ${o.repo ? resource : 'that holds the image'}${o.image ? ` (image ${o.image})` : ''}.`,
    },
    binding({ resource, kind: 'repository', role, member }),
    { principal: o.member, grantable: o.repo !== undefined },
  );
  return withSubject(f, o.subject ?? 'image');
}

export function orgPolicy(o: Base & { saProject: string | undefined }): Finding {
  const project = o.saProject ?? 'SERVICE_ACCOUNT_PROJECT';
  return withSubject(
    {
      check: 'orgpolicy-xproject',
      status: 'failed',
      title: 'Org policy blocks using a service account from another project',
      resource: `projects/${project}`,
      evidence: o.evidence,
      remedy: `Have an organization policy administrator stop enforcing iam.disableCrossProjectServiceAccountUsage on project ${project} (the project that owns the service account), or use a service account from the job's project.`,
      command: orgPolicyCommand('iam.disableCrossProjectServiceAccountUsage', project),
    },
    o.subject ?? 'service_account',
  );
}

export function runDenied(
  o: Base & {
    member: string | undefined;
    permission: string;
    project: string | undefined;
    /** service_account, when it was given without impersonate_service_account (auth's habit). */
    mixedUp?: string | undefined;
    /** The job's full name when it is known to exist: the role then belongs on the job. */
    existingJob?: string | undefined;
  },
): Finding {
  const project = o.project ?? 'PROJECT_ID';
  const role = 'roles/run.developer';
  // Never widen an identity: a project-wide role for every workflow of a repository is not the fix.
  if (o.member && FEDERATED_SET.test(o.member))
    return federatedDeployer({ ...o, member: o.member, project, role });
  const member = o.member ?? 'DEPLOYER_MEMBER';
  // An existing job honours a role on itself (the narrowest scope); creating one needs the project.
  const onJob = o.existingJob && /^run\.jobs\.(get|update|run|runWithOverrides)$/.test(o.permission);
  const f = gap(
    {
      check: 'deployer-run',
      title: 'Deployer may not manage Cloud Run jobs',
      permission: o.permission,
      evidence: o.evidence,
      remedy: onJob
        ? `Grant ${o.member ?? 'the identity the action deploys as'} ${role} on the job ${o.existingJob} (not on the project).`
        : `Grant ${o.member ?? 'the identity the action deploys as'} ${role} on project ${project} (or on the job once it exists).`,
    },
    onJob
      ? binding({ resource: o.existingJob as string, kind: 'job', role, member })
      : binding({ resource: `projects/${project}`, kind: 'project', role, member }),
    { principal: o.member, grantable: false },
  );
  return withSubject(f, o.subject ?? 'job');
}

export function secretDenied(
  o: Base & { member: string | undefined; secret: SecretFacts | undefined },
): Finding {
  const role = 'roles/secretmanager.secretAccessor';
  const secret = o.secret ?? { project: 'PROJECT_ID', secret: 'SECRET' };
  const member = o.member ?? 'serviceAccount:RUNTIME_SERVICE_ACCOUNT';
  const resource = `projects/${secret.project}/secrets/${secret.secret}`;
  const f = gap(
    {
      check: 'runtime-secret',
      title: "Job's service account cannot read a secret",
      permission: 'secretmanager.versions.access',
      evidence: o.evidence,
      remedy: `Grant the job's service account${o.member ? ` ${o.member.replace(/^serviceAccount:/, '')}` : ''} ${role} on the secret ${resource}.`,
    },
    binding({ resource, kind: 'secret', role, member }),
    { principal: o.member, grantable: o.secret !== undefined },
  );
  return withSubject(f, o.subject);
}

export function permissionDenied(
  o: Base & { member: string | undefined; permission: string | undefined },
): Finding {
  const f: Finding = {
    check: 'permission-denied',
    status: 'failed',
    title: o.permission ? `Permission ${o.permission} denied` : 'Permission denied',
    evidence: o.evidence,
    remedy: `Grant ${o.member ?? 'the calling identity'} a role that includes ${o.permission ?? 'the permission named in the error'} on the resource named in the error.`,
  };
  if (o.member) f.principal = o.member;
  if (o.permission) f.permission = o.permission;
  return withSubject(f, o.subject);
}
