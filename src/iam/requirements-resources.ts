// Rows (data, see rows.ts) of the requirement model for what a job connects to (DESIGN.md, issue 11): Cloud SQL,
// Direct VPC subnets and Serverless VPC Access connectors, Cloud Storage volumes, the CMEK key,
// and execution overrides. Pure data from the plan; check.ts evaluates them like every row.
// Facts (Google's documentation): Cloud Run connects to Cloud SQL as the job's service account,
// which needs cloudsql.instances.connect (roles/cloudsql.client) in the instance's project, with
// the Cloud SQL Admin API enabled in the job's project; Direct VPC on a Shared VPC subnet needs
// the Cloud Run service agent to hold compute.subnetworks.use (roles/compute.networkUser) on
// the subnet; a connector in another project needs roles/vpcaccess.user for the service agent
// in that project (connectors have no IAM policy of their own); Cloud Storage volumes are
// mounted as the job's service account; CMEK keys are used by the Cloud Run service agent
// (roles/cloudkms.cryptoKeyEncrypterDecrypter on the key); RunJobRequest.overrides needs
// run.jobs.runWithOverrides.

import type { DeployPlan } from '../model.ts';
import { enableServiceCommand } from './commands.ts';
import { JOB_ROLES } from './job-roles.ts';
import type { CallerRequirement, Requirement } from './requirements.ts';
import { ADMIN_ON_PROJECT, FIX_ON_JOB, FIX_ON_RESOURCE, type RequirementRow } from './rows.ts';

export const SQL_ADMIN_API = 'sqladmin.googleapis.com';

const ROLE_DATA = 'test/emulator/data/roles.json';
const DOCS = 'Cloud Run documentation on Cloud SQL, Direct VPC, connectors, volumes and CMEK (issue 11)';

const noResources = (plan: DeployPlan) => plan.resources === undefined;

const cloudSqlApi: RequirementRow = {
  check: 'cloudsql-api',
  type: 'lookup',
  who: 'deployer',
  permissions: ['serviceusage.services.get'],
  grantableAt: [],
  closedBy: 'none',
  source: DOCS,
  expand: (plan) => {
    if (noResources(plan) || plan.resources?.cloudSql.length === 0) return [];
    return [
      {
        type: 'lookup',
        check: 'cloudsql-api',
        title: `The Cloud SQL Admin API is not enabled in project ${plan.project}`,
        holds: `The Cloud SQL Admin API is enabled in project ${plan.project}`,
        subject: 'cloudsql_instances',
        kind: 'service',
        name: `projects/${plan.project}/services/${SQL_ADMIN_API}`,
        expect: { field: 'state', value: 'ENABLED' },
        remedy: `Enable ${SQL_ADMIN_API} in project ${plan.project}: Cloud Run connects to Cloud SQL through it.`,
        command: enableServiceCommand(SQL_ADMIN_API, plan.project),
      },
    ];
  },
};

const cloudSqlInstance: RequirementRow = {
  check: 'cloudsql-instance',
  type: 'lookup',
  who: 'deployer',
  permissions: ['cloudsql.instances.get'],
  grantableAt: [],
  closedBy: 'none',
  source: DOCS,
  expand: (plan) =>
    (plan.resources?.cloudSql ?? []).map(
      (sql): Requirement => ({
        type: 'lookup',
        check: 'cloudsql-instance',
        title: `Cloud SQL instance ${sql.connectionName} does not exist`,
        holds: `Cloud SQL instance ${sql.connectionName} exists`,
        subject: 'cloudsql_instances',
        kind: 'sqlInstance',
        name: `projects/${sql.project}/instances/${sql.instance}`,
        expect: { field: 'region', value: sql.region },
        remedy: `Fix the instance's connection name (PROJECT:REGION:INSTANCE) or create instance ${sql.instance} in region ${sql.region} of project ${sql.project}.`,
      }),
    ),
};

const runtimeCloudSql: RequirementRow = {
  check: 'runtime-cloudsql',
  type: 'principal',
  who: 'runtime account',
  permissions: ['cloudsql.instances.connect'],
  role: 'roles/cloudsql.client',
  // Cloud SQL instances have no IAM policy of their own.
  ...ADMIN_ON_PROJECT,
  source: `${DOCS}; ${ROLE_DATA} (roles/cloudsql.client carries cloudsql.instances.connect)`,
  expand: (plan, { runtime }) =>
    (plan.resources?.cloudSql ?? []).map((sql): Requirement => {
      const project = `projects/${sql.project}`;
      return {
        type: 'principal',
        check: 'runtime-cloudsql',
        title: `The job's service account cannot connect to Cloud SQL instance ${sql.connectionName}`,
        holds: `The job's service account can connect to Cloud SQL instance ${sql.connectionName}`,
        subject: 'cloudsql_instances',
        principal: runtime,
        permission: 'cloudsql.instances.connect',
        role: 'roles/cloudsql.client',
        resource: { kind: 'project', name: project },
        project: sql.project,
        grant: { kind: 'project', resource: project, role: 'roles/cloudsql.client', member: runtime },
        note: `Cloud SQL instances have no IAM policy of their own: the role is granted on project ${sql.project} (an IAM condition on resource.name can narrow it to the instance), so fix leaves this to an administrator`,
      };
    }),
};

const vpcSubnet: RequirementRow = {
  check: 'vpc-subnet',
  type: 'lookup',
  who: 'deployer',
  permissions: ['compute.subnetworks.get'],
  grantableAt: [],
  closedBy: 'none',
  source: DOCS,
  expand: (plan) =>
    (plan.resources?.subnets ?? []).map(
      (subnet): Requirement => ({
        type: 'lookup',
        check: 'vpc-subnet',
        title: `Subnetwork ${subnet.name} does not exist`,
        holds: `Subnetwork ${subnet.name} exists`,
        subject: 'network',
        kind: 'subnetwork',
        name: subnet.name,
        remedy: `Name an existing subnetwork in region ${subnet.region} (for Shared VPC, its full name projects/HOST/regions/${subnet.region}/subnetworks/NAME).`,
      }),
    ),
};

const agentSubnet: RequirementRow = {
  check: 'agent-subnet',
  type: 'principal',
  who: 'service agent',
  permissions: ['compute.subnetworks.use'],
  role: 'roles/compute.networkUser',
  ...FIX_ON_RESOURCE,
  source: `${DOCS}; ${ROLE_DATA} (roles/compute.networkUser carries compute.subnetworks.use)`,
  expand: (plan, { agent }) =>
    (plan.resources?.subnets ?? []).map((subnet): Requirement => {
      const shared = subnet.project !== plan.project;
      return {
        type: 'principal',
        check: 'agent-subnet',
        title: `The Cloud Run service agent cannot use subnetwork ${subnet.name}`,
        holds: `The Cloud Run service agent can use subnetwork ${subnet.name}`,
        subject: 'network',
        principal: agent,
        permission: 'compute.subnetworks.use',
        role: 'roles/compute.networkUser',
        resource: { kind: 'subnetwork', name: subnet.name },
        project: subnet.project,
        grant: {
          kind: 'subnetwork',
          resource: subnet.name,
          role: 'roles/compute.networkUser',
          member: agent,
        },
        ...(shared
          ? {}
          : {
              note: `in the job's own project the service agent normally holds this through roles/run.serviceAgent on project ${plan.project}`,
            }),
      };
    }),
};

const vpcConnector: RequirementRow = {
  check: 'vpc-connector',
  type: 'lookup',
  who: 'deployer',
  permissions: ['vpcaccess.connectors.get'],
  grantableAt: [],
  closedBy: 'none',
  source: DOCS,
  expand: (plan) => {
    const c = plan.resources?.connector;
    if (!c) return [];
    return [
      {
        type: 'lookup',
        check: 'vpc-connector',
        title: `Serverless VPC Access connector ${c.name} does not exist`,
        holds: `Serverless VPC Access connector ${c.name} exists`,
        subject: 'vpc_connector',
        kind: 'connector',
        name: c.name,
        remedy: `Create the connector, or name an existing one (projects/P/locations/${plan.region}/connectors/NAME for another project).`,
      },
    ];
  },
};

const agentConnector: RequirementRow = {
  check: 'agent-connector',
  type: 'principal',
  who: 'service agent',
  permissions: ['vpcaccess.connectors.use'],
  role: 'roles/vpcaccess.user',
  // Connectors have no IAM policy of their own.
  ...ADMIN_ON_PROJECT,
  source: `${DOCS}; ${ROLE_DATA} (roles/vpcaccess.user carries vpcaccess.connectors.use)`,
  expand: (plan, { agent }) => {
    const c = plan.resources?.connector;
    if (!c || c.project === plan.project) return [];
    const project = `projects/${c.project}`;
    return [
      {
        type: 'principal',
        check: 'agent-connector',
        title: `The Cloud Run service agent cannot use connector ${c.name} in project ${c.project}`,
        holds: `The Cloud Run service agent can use connector ${c.name} in project ${c.project}`,
        subject: 'vpc_connector',
        principal: agent,
        permission: 'vpcaccess.connectors.use',
        role: 'roles/vpcaccess.user',
        resource: { kind: 'project', name: project },
        project: c.project,
        grant: { kind: 'project', resource: project, role: 'roles/vpcaccess.user', member: agent },
        note: `connectors have no IAM policy of their own, so project ${c.project} is the narrowest scope and fix leaves this to an administrator`,
      },
    ];
  },
};

const runtimeBucket: RequirementRow = {
  check: 'runtime-bucket',
  type: 'principal',
  who: 'runtime account',
  permissions: ['storage.objects.get', 'storage.objects.create'],
  role: 'roles/storage.objectUser',
  ...FIX_ON_RESOURCE,
  source: `${DOCS}; ${ROLE_DATA} (roles/storage.objectViewer, roles/storage.objectUser)`,
  expand: (plan, { runtime }) =>
    (plan.resources?.buckets ?? []).map((b): Requirement => {
      const name = `projects/_/buckets/${b.bucket}`;
      const role = b.readOnly ? 'roles/storage.objectViewer' : 'roles/storage.objectUser';
      const verb = b.readOnly ? 'read' : 'read and write';
      return {
        type: 'principal',
        check: 'runtime-bucket',
        title: `The job's service account cannot ${verb} bucket ${b.bucket} (volume ${b.volume})`,
        holds: `The job's service account can ${verb} bucket ${b.bucket} (volume ${b.volume})`,
        subject: 'volumes',
        principal: runtime,
        permission: b.readOnly ? 'storage.objects.get' : 'storage.objects.create',
        role,
        resource: { kind: 'bucket', name },
        grant: { kind: 'bucket', resource: name, role, member: runtime },
      };
    }),
};

const KMS_ROLE = 'roles/cloudkms.cryptoKeyEncrypterDecrypter';

const agentKms: RequirementRow = {
  check: 'agent-kms',
  type: 'principal',
  who: 'service agent',
  permissions: ['cloudkms.cryptoKeyVersions.useToDecrypt'],
  role: KMS_ROLE,
  ...FIX_ON_RESOURCE,
  source: `${DOCS}; ${ROLE_DATA} (${KMS_ROLE})`,
  expand: (plan, { agent }) => {
    const key = plan.resources?.kmsKey;
    if (!key) return [];
    return [
      {
        type: 'principal',
        check: 'agent-kms',
        title: `The Cloud Run service agent cannot use the job's encryption key ${key}`,
        holds: `The Cloud Run service agent can use the job's encryption key ${key}`,
        subject: 'kms_key',
        principal: agent,
        permission: 'cloudkms.cryptoKeyVersions.useToDecrypt',
        role: KMS_ROLE,
        resource: { kind: 'cryptoKey', name: key },
        project: /^projects\/([^/]+)/.exec(key)?.[1] ?? plan.project,
        grant: { kind: 'cryptoKey', resource: key, role: KMS_ROLE, member: agent },
      },
    ];
  },
};

const OVERRIDES_ROLE = 'roles/run.jobsExecutorWithOverrides';

const deployerOverrides: RequirementRow = {
  check: 'deployer-overrides',
  type: 'caller',
  who: 'deployer',
  permissions: ['run.jobs.runWithOverrides'],
  role: OVERRIDES_ROLE,
  ...FIX_ON_JOB,
  source: `${ROLE_DATA} (${OVERRIDES_ROLE} carries run.jobs.run and run.jobs.runWithOverrides)`,
  expand: (plan, { deployer }) => {
    if (!plan.execute || !plan.runWithOverrides) return [];
    const req: CallerRequirement = {
      type: 'caller',
      check: 'deployer-overrides',
      title: `Deployer cannot run job ${plan.job} with overrides`,
      holds: `Deployer can run job ${plan.job} with overrides`,
      subject: 'execute',
      permissions: ['run.jobs.runWithOverrides'],
      role: OVERRIDES_ROLE,
      resource: { kind: 'project', name: `projects/${plan.project}` },
    };
    // Held on an existing job counts, and fix may grant it there (see job-roles.ts).
    if (plan.jobExists === true) {
      req.scope = { resource: { kind: 'job', name: plan.jobName }, permissions: req.permissions };
      req.scopeRoles = JOB_ROLES;
      req.scopeFix = true;
    }
    if (deployer) {
      req.principal = deployer;
      req.remedyGrant = {
        kind: 'project',
        resource: `projects/${plan.project}`,
        role: OVERRIDES_ROLE,
        member: deployer,
      };
    }
    return [req];
  },
};

export const RESOURCE_ROWS: readonly RequirementRow[] = [
  cloudSqlApi,
  cloudSqlInstance,
  runtimeCloudSql,
  vpcSubnet,
  agentSubnet,
  vpcConnector,
  agentConnector,
  runtimeBucket,
  agentKms,
  deployerOverrides,
];
