// The refusals that name who lacks which permission: the service agent's token and image access,
// the deployer's actAs, image, run and project access, workload identity impersonation, and the
// runtime account's secret access. Called by classify.ts once structure (families.ts) and the
// connected resources (remedies-connected.ts) had nothing to say.
import type { ApiError } from '../gcp/errors.ts';
import type { Finding } from '../model.ts';
import {
  canonicalPermission,
  type DiagnoseContext,
  deployerMember,
  imageIn,
  jobImage,
  jobProject,
  jobRepository,
  mentionsServiceAgent,
  type Provider,
  permissionsIn,
  projectOfServiceAccount,
  repositoryIn,
  repositoryPrincipalSet,
  runtimeAccount,
  secretIn,
  secretOf,
} from './facts.ts';
import { runRefused } from './remedies-exec.ts';
import {
  actAs,
  agentToken,
  imageAccess,
  permissionDenied,
  runDenied,
  secretDenied,
  wifUser,
} from './remedies-iam.ts';

/** The permissions of starting an execution (plain or with overrides). */
const RUN_PERMISSIONS = /^run\.jobs\.run(WithOverrides)?$/;
// Cloud Run's rollout check names the role the runtime account lacks on a secret, not the permission.
const SECRET_ACCESSOR = /roles\/secretmanager\.secretAccessor|secret ?manager secret accessor/i;
/** "User must have permission to read the image, IMAGE." (Cloud Run, since January 2025). */
const DEPLOYER_IMAGE =
  /\b(?:user|caller|principal)\b[^.]*\bmust have permission to (?:read|access|pull) the (?:container )?image/i;

const DENIED_REASONS =
  /^(IAM_PERMISSION_DENIED|PERMISSION_DENIED|forbidden|insufficientPermissions|DENIED|ACCESS_DENIED)$/i;
const DENIED_TEXT =
  /permission\b[^.]*\bdenied|(?:does not have|must have|missing|lacks?) (?:the )?permission|cannot (?:obtain|get|read|access|pull|act)\b|is not allowed to|not authorized|forbidden/i;

/** What the error says about a refusal: the permissions it names, whether it is one, and who asked. */
export function deniedFacts(api: ApiError, status: string, text: string, ctx: DiagnoseContext) {
  const permissions = [
    ...new Set([
      ...(api.metadata.permission ? [canonicalPermission(api.metadata.permission)] : []),
      ...permissionsIn(text),
    ]),
  ];
  const denied =
    status === 'PERMISSION_DENIED' ||
    api.httpStatus === 403 ||
    DENIED_REASONS.test(api.reason ?? '') ||
    DENIED_TEXT.test(text);
  return {
    permissions,
    denied,
    agentSpeaks: mentionsServiceAgent(text),
    member: deployerMember(ctx),
    // auth's habit: the deployer in service_account and nothing impersonated.
    mixedUp: ctx.config?.impersonateServiceAccount ? undefined : ctx.config?.serviceAccount,
  };
}

export interface DeniedInput {
  ctx: DiagnoseContext;
  text: string;
  evidence: string;
  /** Permissions named by ErrorInfo metadata or, by their grammar, by the text. */
  permissions: string[];
  denied: boolean;
  /** Whether the Cloud Run service agent is the one refused (its email or its name in the text). */
  agentSpeaks: boolean;
  agentEmail: string | undefined;
  otherEmails: string[];
  /** The deployer in IAM member form, when known. */
  member: string | undefined;
  /** service_account given without impersonate_service_account (google-github-actions/auth's habit). */
  mixedUp: string | undefined;
  provider: Provider | undefined;
}

export function classifyDenied(d: DeniedInput): Finding | undefined {
  return imageOrAccountDenied(d) ?? runProjectOrSecretDenied(d);
}

/** The service agent's token or image pull, the deployer's image read, actAs, or WIF impersonation. */
function imageOrAccountDenied(d: DeniedInput): Finding | undefined {
  const { ctx, text, evidence, permissions, agentSpeaks, agentEmail, otherEmails, member, provider } = d;
  const plan = ctx.plan;
  const has = (p: string) => permissions.includes(p);
  const runtimeSa = (deployer?: string) => runtimeAccount(otherEmails, ctx, deployer);
  if (agentSpeaks && (has('iam.serviceAccounts.getAccessToken') || /access tokens?/i.test(text))) {
    const sa = runtimeSa() ?? 'SERVICE_ACCOUNT_EMAIL';
    return agentToken({
      evidence,
      agent: agentEmail ?? plan?.serviceAgent,
      serviceAccount: sa,
      saProject: projectOfServiceAccount(sa, plan),
      jobProject: plan?.project ?? ctx.config?.projectId,
    });
  }
  // Cloud Run's own check of the deployer's image access names no permission, only "User".
  if (!agentSpeaks && DEPLOYER_IMAGE.test(text)) {
    return imageAccess({
      evidence,
      agent: false,
      member,
      repo: jobRepository(ctx) ?? repositoryIn(text),
      image: jobImage(ctx) ?? imageIn(text),
    });
  }
  // Reading the repository (get) is part of reading the image: roles/artifactregistry.reader holds both.
  if (
    has('artifactregistry.repositories.downloadArtifacts') ||
    has('artifactregistry.repositories.get') ||
    (agentSpeaks && /\bimage\b/i.test(text))
  ) {
    const repo = repositoryIn(text) ?? jobRepository(ctx);
    const image = imageIn(text) ?? jobImage(ctx);
    // The service agent pulls the image when Cloud Run reconciles the job; the deployer when it writes it.
    const agent = agentEmail ?? plan?.serviceAgent;
    const puller = agentSpeaks ? agent && `serviceAccount:${agent}` : member;
    return imageAccess({ evidence, agent: agentSpeaks, member: puller, repo, image });
  }
  if (has('iam.serviceAccounts.actAs')) {
    const sa = runtimeSa(plan?.deployer) ?? 'SERVICE_ACCOUNT_EMAIL';
    return actAs({ evidence, member, serviceAccount: sa, saProject: projectOfServiceAccount(sa, plan) });
  }
  if (has('iam.serviceAccounts.getAccessToken')) {
    const sa =
      ctx.config?.impersonateServiceAccount ?? plan?.deployer ?? otherEmails[0] ?? 'DEPLOYER_SERVICE_ACCOUNT';
    const principal =
      provider && ctx.repository ? repositoryPrincipalSet(provider, ctx.repository) : undefined;
    return wifUser({
      evidence,
      member: principal,
      serviceAccount: sa,
      saProject: projectOfServiceAccount(sa, plan),
    });
  }
  return undefined;
}

/** Running or managing the job, reading its project, a secret, or any other refusal. */
function runProjectOrSecretDenied(d: DeniedInput): Finding | undefined {
  const { ctx, text, evidence, permissions, denied, otherEmails, member, mixedUp } = d;
  const plan = ctx.plan;
  const has = (p: string) => permissions.includes(p);
  const run = permissions.find((p) => p.startsWith('run.'));
  // Starting an existing job: the role belongs on the job (jobsExecutor, WithOverrides for overrides).
  if (run && RUN_PERMISSIONS.test(run) && (ctx.stage === 'execute' || run === 'run.jobs.runWithOverrides'))
    return runRefused({ evidence, member, permission: run, jobName: plan?.jobName });
  // Running the job is what `execute: true` asks for: that input is the line to point at.
  if (run)
    return runDenied({
      evidence,
      member,
      mixedUp,
      existingJob: plan?.jobExists === true ? plan.jobName : undefined,
      permission: run,
      project: jobProject(ctx),
      ...(RUN_PERMISSIONS.test(run) ? { subject: 'execute' as const } : {}),
    });
  // Reading the job's project is the first call a deployer makes: denied means the deployer
  // holds no role on the project at all, and the role it needs to deploy includes it.
  if (has('resourcemanager.projects.get') && ctx.stage === 'resolve') {
    const project = projectIn(text) ?? jobProject(ctx);
    return runDenied({
      evidence,
      member,
      mixedUp,
      permission: 'resourcemanager.projects.get',
      project,
      subject: 'project_id',
    });
  }
  if (
    has('secretmanager.versions.access') ||
    (secretIn(text) && (SECRET_ACCESSOR.test(text) || /Permission denied on secret/i.test(text)))
  )
    return secretFinding(evidence, text, ctx, runtimeAccount(otherEmails, ctx, plan?.deployer));
  // A refused :run names no permission when it comes back through a caller (Cloud Scheduler's
  // attempt log quotes only the 403 and the URL): starting the job is run.jobs.run.
  if (denied && !permissions.length && ctx.stage === 'execute' && /\/jobs\/[a-z][a-z0-9-]*:run\b/.test(text))
    return runRefused({ evidence, member, permission: 'run.jobs.run', jobName: plan?.jobName });
  if (denied) return permissionDenied({ evidence, member, permission: permissions[0] });
  return undefined;
}

/** The project of `//cloudresourcemanager.googleapis.com/projects/P` or `projects/P` in the text. */
function projectIn(text: string): string | undefined {
  return /(?:^|[\s'"/])projects\/([a-z][a-z0-9-]{4,28}[a-z0-9])(?=['"\s/]|$)/.exec(text)?.[1];
}

/** The runtime account (the one the message names, else the plan's) cannot read a secret. */
function secretFinding(
  evidence: string,
  text: string,
  ctx: DiagnoseContext,
  sa: string | undefined,
): Finding {
  const { secret, subject } = secretOf(text, ctx);
  return secretDenied({
    evidence,
    member: sa ? `serviceAccount:${sa}` : undefined,
    secret,
    ...(subject ? { subject } : {}),
  });
}
