// One builder per failure kind: who needs which role on which resource, the remedy in words
// and the exact gcloud command. Unknown facts become UPPER_CASE placeholders in the command
// rather than guesses. IAM binding commands come from src/iam/commands.ts, so diagnosis and the
// preflight print the same forms (ending in --condition=None).
import { grantCommand, orgPolicyCommand, shellQuote } from '../iam/commands.ts';
import type { Finding, Grant, Subject } from '../model.ts';
import type { RepoFacts, SecretFacts } from './facts.ts';

const AGENT_PLACEHOLDER = 'service-PROJECT_NUMBER@serverless-robot-prod.iam.gserviceaccount.com';

export function cmd(parts: Array<string | undefined>): string {
  return parts.filter((p): p is string => p !== undefined).join(' ');
}

export function flag(name: string, value: string): string {
  return `--${name}=${shellQuote(value)}`;
}

interface Base {
  evidence: string;
  subject?: Subject;
}

function finding(f: Finding, subject: Subject | undefined): Finding {
  if (subject) f.subject = subject;
  return f;
}

export function saResource(email: string, project: string | undefined): string {
  return `projects/${project ?? '-'}/serviceAccounts/${email}`;
}

/**
 * The binding that closes a gap and the command that adds it. grantCommand always prints
 * --project; a service account whose project is unknown (projects/-) is found by its email
 * alone, so the flag is left out there rather than printed as `-`.
 */
function binding(grant: Grant): { grant: Grant; command: string } {
  const command = grantCommand(grant);
  const anyProject = grant.kind === 'serviceAccount' && grant.resource.startsWith('projects/-/');
  return { grant, command: anyProject ? command.replace(' --project=- ', ' ') : command };
}

function saBinding(email: string, project: string | undefined, member: string, role: string) {
  return binding({ resource: saResource(email, project), kind: 'serviceAccount', role, member });
}

export function actAs(
  o: Base & { member: string | undefined; serviceAccount: string; saProject: string | undefined },
): Finding {
  const member = o.member ?? 'DEPLOYER_MEMBER';
  const role = 'roles/iam.serviceAccountUser';
  const b = saBinding(o.serviceAccount, o.saProject, member, role);
  const f: Finding = {
    check: 'deployer-actas',
    status: 'failed',
    title: "Deployer cannot act as the job's service account",
    permission: 'iam.serviceAccounts.actAs',
    role,
    resource: b.grant.resource,
    evidence: o.evidence,
    remedy: `Grant ${o.member ?? 'the identity the action deploys as'} ${role} on the service account ${o.serviceAccount} (not on the project).`,
    command: b.command,
  };
  if (o.member) {
    f.principal = o.member;
    f.grant = b.grant;
  }
  return finding(f, o.subject ?? 'service_account');
}

export function agentToken(
  o: Base & { agent: string | undefined; serviceAccount: string; saProject: string | undefined },
): Finding {
  const agent = o.agent ?? AGENT_PLACEHOLDER;
  const member = `serviceAccount:${agent}`;
  const role = 'roles/iam.serviceAccountTokenCreator';
  const b = saBinding(o.serviceAccount, o.saProject, member, role);
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
  return finding(f, o.subject ?? 'service_account');
}

export function wifUser(
  o: Base & { member: string | undefined; serviceAccount: string; saProject: string | undefined },
): Finding {
  const member =
    o.member ??
    'principalSet://iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/attribute.repository/OWNER/REPO';
  const role = 'roles/iam.workloadIdentityUser';
  const b = saBinding(o.serviceAccount, o.saProject, member, role);
  const f: Finding = {
    check: 'wif-user',
    status: 'failed',
    title: 'Workload identity cannot impersonate the deployer service account',
    permission: 'iam.serviceAccounts.getAccessToken',
    role,
    resource: b.grant.resource,
    evidence: o.evidence,
    remedy: `Grant the workload identity principal of this repository ${role} on the deployer service account ${o.serviceAccount}.`,
    command: b.command,
  };
  if (o.member) f.principal = o.member;
  return finding(f, o.subject ?? 'impersonate_service_account');
}

function repoBinding(repo: RepoFacts, member: string) {
  const role = 'roles/artifactregistry.reader';
  const resource = `projects/${repo.project}/locations/${repo.location}/repositories/${repo.repository}`;
  return { role, resource, ...binding({ resource, kind: 'repository', role, member }) };
}

type Repo = RepoFacts | undefined;
const UNKNOWN_REPO: RepoFacts = { project: 'IMAGE_PROJECT', location: 'LOCATION', repository: 'REPOSITORY' };

export function imageAccess(
  o: Base & { agent: boolean; member: string | undefined; repo: Repo; image: string | undefined },
): Finding {
  const member = o.member ?? (o.agent ? `serviceAccount:${AGENT_PLACEHOLDER}` : 'DEPLOYER_MEMBER');
  const b = repoBinding(o.repo ?? UNKNOWN_REPO, member);
  const who = o.agent
    ? `the Cloud Run service agent ${o.member?.replace(/^serviceAccount:/, '') ?? ''}`.trim()
    : (o.member ?? 'the identity the action deploys as');
  const f: Finding = {
    check: o.agent ? 'agent-image' : 'deployer-image',
    status: 'failed',
    title: o.agent ? 'Cloud Run service agent cannot pull the image' : 'Deployer cannot read the image',
    permission: 'artifactregistry.repositories.downloadArtifacts',
    role: b.role,
    resource: b.resource,
    evidence: o.evidence,
    remedy: `Grant ${who} ${b.role} on the repository ${o.repo ? b.resource : 'that holds the image'}${o.image ? ` (image ${o.image})` : ''}.`,
    command: b.command,
  };
  if (o.member) f.principal = o.member;
  if (o.member && o.repo) f.grant = b.grant;
  return finding(f, o.subject ?? 'image');
}

export function orgPolicy(o: Base & { saProject: string | undefined }): Finding {
  const project = o.saProject ?? 'SERVICE_ACCOUNT_PROJECT';
  return finding(
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
  o: Base & { member: string | undefined; permission: string; project: string | undefined },
): Finding {
  const project = o.project ?? 'PROJECT_ID';
  const role = 'roles/run.developer';
  const member = o.member ?? 'DEPLOYER_MEMBER';
  const f: Finding = {
    check: 'deployer-run',
    status: 'failed',
    title: 'Deployer may not manage Cloud Run jobs',
    permission: o.permission,
    role,
    resource: `projects/${project}`,
    evidence: o.evidence,
    remedy: `Grant ${o.member ?? 'the identity the action deploys as'} ${role} on project ${project} (or on the job once it exists).`,
    command: binding({ resource: `projects/${project}`, kind: 'project', role, member }).command,
  };
  if (o.member) f.principal = o.member;
  return finding(f, o.subject ?? 'job');
}

export function secretDenied(
  o: Base & { member: string | undefined; secret: SecretFacts | undefined },
): Finding {
  const role = 'roles/secretmanager.secretAccessor';
  const secret = o.secret ?? { project: 'PROJECT_ID', secret: 'SECRET' };
  const member = o.member ?? 'serviceAccount:RUNTIME_SERVICE_ACCOUNT';
  const resource = `projects/${secret.project}/secrets/${secret.secret}`;
  const b = binding({ resource, kind: 'secret', role, member });
  const f: Finding = {
    check: 'runtime-secret',
    status: 'failed',
    title: "Job's service account cannot read a secret",
    permission: 'secretmanager.versions.access',
    role,
    resource,
    evidence: o.evidence,
    remedy: `Grant the job's service account${o.member ? ` ${o.member.replace(/^serviceAccount:/, '')}` : ''} ${role} on the secret ${resource}.`,
    command: b.command,
  };
  if (o.member) f.principal = o.member;
  if (o.member && o.secret) f.grant = b.grant;
  return finding(f, o.subject);
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
  return finding(f, o.subject);
}

export function apiDisabled(o: Base & { service: string; project: string | undefined }): Finding {
  const project = o.project ?? 'PROJECT_ID';
  return finding(
    {
      check: 'api-disabled',
      status: 'failed',
      title: `API ${o.service} is not enabled`,
      resource: `projects/${project}/services/${o.service}`,
      evidence: o.evidence,
      remedy: `Enable ${o.service} on project ${project}, wait a few minutes, then re-run.`,
      command: `gcloud services enable ${shellQuote(o.service)} ${flag('project', project)}`,
    },
    o.subject ?? 'project_id',
  );
}

export function quota(o: Base & { project: string | undefined }): Finding {
  const f: Finding = {
    check: 'quota',
    status: 'failed',
    title: 'Quota or rate limit exhausted',
    evidence: o.evidence,
    remedy: `Re-run later, lower the request rate (parallel deploys) or request more quota for project ${o.project ?? 'PROJECT_ID'}.`,
  };
  if (o.project) {
    f.resource = `projects/${o.project}`;
    f.command = `gcloud alpha services quota list --service=run.googleapis.com ${flag('consumer', `projects/${o.project}`)}`;
  }
  return finding(f, o.subject);
}

export function imageNotFound(o: Base & { image: string | undefined; repo: Repo }): Finding {
  const f: Finding = {
    check: 'image-not-found',
    status: 'failed',
    title: 'Container image not found',
    evidence: o.evidence,
    remedy: `Check the image URL${o.image ? ` ${o.image}` : ''}: push the image (or tag) before deploying, or fix the name.`,
  };
  if (o.repo) {
    const base = `${o.repo.location}-docker.pkg.dev/${o.repo.project}/${o.repo.repository}`;
    f.resource = `projects/${o.repo.project}/locations/${o.repo.location}/repositories/${o.repo.repository}`;
    f.command = `gcloud artifacts docker images list ${shellQuote(o.repo.repository.includes('gcr.io') ? (o.image ?? base) : base)} --include-tags`;
  }
  return finding(f, o.subject ?? 'image');
}

export function serviceAccountMissing(
  o: Base & { serviceAccount: string | undefined; saProject: string | undefined },
): Finding {
  const f: Finding = {
    check: 'runtime-sa',
    status: 'failed',
    title: "The job's service account does not exist or is disabled",
    evidence: o.evidence,
    remedy: `Check the service account email${o.serviceAccount ? ` ${o.serviceAccount}` : ''}; create or enable it, or pick an existing one.`,
  };
  if (o.serviceAccount) {
    f.resource = saResource(o.serviceAccount, o.saProject);
    f.command = cmd([
      'gcloud iam service-accounts describe',
      shellQuote(o.serviceAccount),
      o.saProject ? flag('project', o.saProject) : undefined,
    ]);
  }
  return finding(f, o.subject ?? 'service_account');
}

export function secretMissing(
  o: Base & { secret: SecretFacts | undefined; version: string | undefined },
): Finding {
  const f: Finding = {
    check: 'secret-not-found',
    status: 'failed',
    title: 'A secret the job references does not exist',
    evidence: o.evidence,
    remedy: o.secret
      ? `Create the secret projects/${o.secret.project}/secrets/${o.secret.secret}${o.version ? ` (version ${o.version})` : ''} or fix the reference: the version must exist and be enabled.`
      : 'Create the referenced secret version, or fix the reference: the version must exist and be enabled.',
  };
  if (o.secret) {
    f.resource = `projects/${o.secret.project}/secrets/${o.secret.secret}`;
    f.command = cmd([
      'gcloud secrets versions list',
      shellQuote(o.secret.secret),
      flag('project', o.secret.project),
    ]);
  }
  return finding(f, o.subject);
}
