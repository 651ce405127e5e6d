// The rows every job has: its runtime account, the deployer's own rights (actAs, deploy and
// run, the image), the Cloud Run service agent's (image pull, tokens for the runtime account)
// and the runtime account's secrets. Roles and the permissions they carry: the repository's
// role data (test/emulator/data/roles.json, from `gcloud iam roles describe`).
import type { PolicyResource } from './backend.ts';
import { CROSS_PROJECT_SA_CONSTRAINT, deployAsk, deployPermissions } from './deploy-permissions.ts';
import { JOB_ROLES, OPTIONAL_OPERATIONS } from './job-roles.ts';
import type { CallerRequirement, PrincipalRequirement, Requirement } from './requirements.ts';
import { ADMIN_ON_PROJECT, FIX_ON_JOB, FIX_ON_RESOURCE, type RequirementRow } from './rows.ts';

const ROLE_DATA = 'test/emulator/data/roles.json';

const saOf = (plan: { serviceAccountProject: string; serviceAccount: string }) =>
  `projects/${plan.serviceAccountProject}/serviceAccounts/${plan.serviceAccount}`;

const runtimeSa: RequirementRow = {
  check: 'runtime-sa',
  type: 'service-account',
  who: 'deployer',
  permissions: ['iam.serviceAccounts.get'],
  grantableAt: [],
  closedBy: 'none',
  source: 'IAM serviceAccounts.get (a disabled or deleted account cannot run the job)',
  expand: (plan) => [
    {
      type: 'service-account',
      check: 'runtime-sa',
      title: `The job's service account ${plan.serviceAccount} is missing or disabled`,
      holds: `The job's service account ${plan.serviceAccount} exists and is enabled`,
      subject: 'service_account',
      email: plan.serviceAccount,
      project: plan.serviceAccountProject,
      isDefault: plan.serviceAccountIsDefault,
    },
  ],
};

const deployerActAs: RequirementRow = {
  check: 'deployer-actas',
  type: 'caller',
  who: 'deployer',
  permissions: ['iam.serviceAccounts.actAs'],
  role: 'roles/iam.serviceAccountUser',
  ...FIX_ON_RESOURCE,
  source: `${ROLE_DATA} (roles/iam.serviceAccountUser carries iam.serviceAccounts.actAs)`,
  expand: (plan, { deployer, runtime }) => {
    const saName = saOf(plan);
    const req: CallerRequirement = {
      type: 'caller',
      check: 'deployer-actas',
      title: `Deployer cannot act as the job's service account ${plan.serviceAccount}`,
      holds: `Deployer can act as the job's service account ${plan.serviceAccount}`,
      subject: 'service_account',
      permissions: ['iam.serviceAccounts.actAs'],
      role: 'roles/iam.serviceAccountUser',
      resource: { kind: 'serviceAccount', name: saName },
    };
    if (deployer) {
      req.principal = deployer;
      req.grant = { kind: 'serviceAccount', resource: saName, role: req.role, member: deployer };
      req.actsAs = { member: runtime, project: plan.serviceAccountProject };
    }
    return [req];
  },
};

const deployerRun: RequirementRow = {
  check: 'deployer-run',
  type: 'caller',
  who: 'deployer',
  permissions: deployAsk(true),
  role: 'roles/run.developer',
  // An existing job honours roles granted on it; a job about to be created has no policy yet.
  ...FIX_ON_JOB,
  source: `${ROLE_DATA} (roles/run.developer carries run.jobs.create/get/update/run and run.operations.get)`,
  expand: (plan, { deployer }) => {
    const permissions = deployPermissions(plan.jobExists, plan.execute);
    const verb = plan.execute ? 'deploy and run' : 'deploy';
    const req: CallerRequirement = {
      type: 'caller',
      check: 'deployer-run',
      title: `Deployer cannot ${verb} Cloud Run jobs in project ${plan.project}`,
      holds: `Deployer can ${verb} Cloud Run jobs in project ${plan.project}`,
      subject: plan.execute ? 'execute' : 'job',
      permissions,
      ask: deployAsk(plan.execute),
      role: 'roles/run.developer',
      resource: { kind: 'project', name: `projects/${plan.project}` },
    };
    // Least-privilege teams grant run.developer or run.jobsExecutor on one job; creating
    // (and running) a job that does not exist yet needs the role on the project.
    // Without run.operations.get a write is followed through the job: not a gap.
    req.optional = OPTIONAL_OPERATIONS;
    if (plan.jobExists === true) {
      req.scope = {
        resource: { kind: 'job', name: plan.jobName },
        permissions: permissions.filter((p) => p.startsWith('run.jobs.')),
      };
      // On an existing job fix may grant the narrowest job role covering the gap, when the
      // deployer may set the job's policy (fix tests run.jobs.setIamPolicy first).
      req.scopeRoles = JOB_ROLES;
      req.scopeFix = true;
    } else if (plan.jobExists === false) {
      req.note = `job ${plan.job} does not exist yet, so only roles on project ${plan.project} (or above) count: a role granted on the job applies once it exists`;
    }
    if (deployer) {
      req.principal = deployer;
      // The project is never granted by fix: an administrator grants there.
      req.remedyGrant =
        plan.jobExists === true
          ? { kind: 'job', resource: plan.jobName, role: req.role, member: deployer }
          : { kind: 'project', resource: `projects/${plan.project}`, role: req.role, member: deployer };
    }
    return [req];
  },
};

const READER = 'roles/artifactregistry.reader';
const DOWNLOAD = 'artifactregistry.repositories.downloadArtifacts';

const deployerImage: RequirementRow = {
  check: 'deployer-image',
  type: 'caller',
  who: 'deployer',
  permissions: [DOWNLOAD],
  role: READER,
  ...FIX_ON_RESOURCE,
  source: `${ROLE_DATA} (${READER} carries ${DOWNLOAD})`,
  expand: (plan, { deployer }) => {
    const { image } = plan;
    if (!image.repositoryName || !image.project) return [];
    const req: CallerRequirement = {
      type: 'caller',
      check: 'deployer-image',
      title: `Deployer cannot read the image's repository ${image.repositoryName}`,
      holds: `Deployer can read the image's repository ${image.repositoryName}`,
      subject: 'image',
      permissions: [DOWNLOAD],
      role: READER,
      resource: { kind: 'repository', name: image.repositoryName },
    };
    if (deployer) {
      req.principal = deployer;
      req.grant = { kind: 'repository', resource: image.repositoryName, role: READER, member: deployer };
    }
    return [req];
  },
};

const agentImage: RequirementRow = {
  check: 'agent-image',
  type: 'principal',
  who: 'service agent',
  permissions: [DOWNLOAD],
  role: READER,
  ...FIX_ON_RESOURCE,
  source: `${ROLE_DATA} (${READER} carries ${DOWNLOAD})`,
  expand: (plan, { agent }) => {
    const { image } = plan;
    if (!image.repositoryName || !image.project) return [];
    const req: PrincipalRequirement = {
      type: 'principal',
      check: 'agent-image',
      title: `The Cloud Run service agent cannot pull the image from ${image.repositoryName}`,
      holds: `The Cloud Run service agent can pull the image from ${image.repositoryName}`,
      subject: 'image',
      principal: agent,
      permission: DOWNLOAD,
      role: READER,
      resource: { kind: 'repository', name: image.repositoryName },
      project: image.project,
      grant: { kind: 'repository', resource: image.repositoryName, role: READER, member: agent },
    };
    if (image.project === plan.project) {
      req.note = `in the job's own project the service agent normally holds this through roles/run.serviceAgent on project ${plan.project}`;
    }
    return [req];
  },
};

const AGENT_ROLE = 'roles/run.serviceAgent';

const agentRole: RequirementRow = {
  check: 'agent-role',
  type: 'principal',
  who: 'service agent',
  permissions: ['iam.serviceAccounts.getAccessToken'],
  role: AGENT_ROLE,
  ...ADMIN_ON_PROJECT,
  source: `${ROLE_DATA} (${AGENT_ROLE} carries iam.serviceAccounts.getAccessToken)`,
  // The service agent gets the runtime account's tokens through its own role on the project;
  // a project that lost that binding fails every deploy, whatever else holds.
  expand: (plan, { agent }) => {
    if (plan.serviceAccountProject !== plan.project) return [];
    const sa: PolicyResource = { kind: 'serviceAccount', name: saOf(plan) };
    return [
      {
        type: 'principal',
        check: 'agent-role',
        title: `The Cloud Run service agent cannot get tokens for ${plan.serviceAccount}: it lacks ${AGENT_ROLE} on project ${plan.project}`,
        holds: `The Cloud Run service agent can get tokens for the job's service account ${plan.serviceAccount}`,
        subject: 'service_account',
        principal: agent,
        permission: 'iam.serviceAccounts.getAccessToken',
        role: AGENT_ROLE,
        resource: sa,
        project: plan.project,
        grant: { kind: 'project', resource: `projects/${plan.project}`, role: AGENT_ROLE, member: agent },
        note: `the service agent holds this through its role ${AGENT_ROLE} on project ${plan.project}; only a project IAM administrator can restore it`,
      },
    ];
  },
};

const TOKEN_CREATOR = 'roles/iam.serviceAccountTokenCreator';

const agentToken: RequirementRow = {
  check: 'agent-token',
  type: 'principal',
  who: 'service agent',
  permissions: ['iam.serviceAccounts.getAccessToken'],
  role: TOKEN_CREATOR,
  ...FIX_ON_RESOURCE,
  source: `${ROLE_DATA} (${TOKEN_CREATOR} carries iam.serviceAccounts.getAccessToken)`,
  expand: (plan, { agent }) => {
    if (plan.serviceAccountProject === plan.project) return [];
    const saName = saOf(plan);
    return [
      {
        type: 'principal',
        check: 'agent-token',
        title: `The Cloud Run service agent cannot get tokens for the cross-project service account ${plan.serviceAccount}`,
        holds: `The Cloud Run service agent can get tokens for the cross-project service account ${plan.serviceAccount}`,
        subject: 'service_account',
        principal: agent,
        permission: 'iam.serviceAccounts.getAccessToken',
        role: TOKEN_CREATOR,
        resource: { kind: 'serviceAccount', name: saName },
        project: plan.serviceAccountProject,
        grant: { kind: 'serviceAccount', resource: saName, role: TOKEN_CREATOR, member: agent },
      },
    ];
  },
};

const orgPolicyCrossProject: RequirementRow = {
  check: 'orgpolicy-xproject',
  type: 'org-policy',
  who: 'organization',
  permissions: ['orgpolicy.policy.get'],
  grantableAt: [],
  closedBy: 'none',
  source: 'Org Policy v2 getEffectivePolicy of iam.disableCrossProjectServiceAccountUsage',
  expand: (plan) =>
    plan.serviceAccountProject === plan.project
      ? []
      : [
          {
            type: 'org-policy',
            check: 'orgpolicy-xproject',
            title: `Project ${plan.serviceAccountProject} forbids using its service accounts in other projects`,
            holds: `Project ${plan.serviceAccountProject} allows using its service accounts in other projects`,
            subject: 'service_account',
            constraint: CROSS_PROJECT_SA_CONSTRAINT,
            project: plan.serviceAccountProject,
          },
        ],
};

const ACCESSOR = 'roles/secretmanager.secretAccessor';

const runtimeSecret: RequirementRow = {
  check: 'runtime-secret',
  type: 'principal',
  who: 'runtime account',
  permissions: ['secretmanager.versions.access'],
  role: ACCESSOR,
  ...FIX_ON_RESOURCE,
  source: `${ROLE_DATA} (${ACCESSOR} carries secretmanager.versions.access)`,
  expand: (plan, { runtime }) =>
    plan.secrets.map((secret): Requirement => {
      const name = `projects/${secret.project}/secrets/${secret.secret}`;
      return {
        type: 'principal',
        check: 'runtime-secret',
        title: `The job's service account cannot read secret ${secret.secret} (used by ${secret.name})`,
        holds: `The job's service account can read secret ${secret.secret} (used by ${secret.name})`,
        subject: `secret:${secret.name}`,
        principal: runtime,
        permission: 'secretmanager.versions.access',
        role: ACCESSOR,
        resource: { kind: 'secret', name },
        project: secret.project,
        grant: { kind: 'secret', resource: name, role: ACCESSOR, member: runtime },
      };
    }),
};

export const CORE_ROWS: readonly RequirementRow[] = [
  runtimeSa,
  deployerActAs,
  deployerRun,
  deployerImage,
  agentImage,
  agentRole,
  agentToken,
  orgPolicyCrossProject,
  runtimeSecret,
];
