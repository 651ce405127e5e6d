// Rows of the requirement model for what a job connects to (DESIGN.md, issue 11): Cloud SQL,
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
import type { CallerRequirement, Requirement } from './requirements.ts';

export const SQL_ADMIN_API = 'sqladmin.googleapis.com';

export function resourceRequirements(plan: DeployPlan, deployer: string | undefined): Requirement[] {
  const r = plan.resources;
  const out: Requirement[] = [];
  const agent = `serviceAccount:${plan.serviceAgent}`;
  const runtime = `serviceAccount:${plan.serviceAccount}`;
  if (r) {
    if (r.cloudSql.length > 0) {
      const service = `projects/${plan.project}/services/${SQL_ADMIN_API}`;
      out.push({
        type: 'lookup',
        check: 'cloudsql-api',
        title: `The Cloud SQL Admin API is not enabled in project ${plan.project}`,
        holds: `The Cloud SQL Admin API is enabled in project ${plan.project}`,
        subject: 'cloudsql_instances',
        kind: 'service',
        name: service,
        expect: { field: 'state', value: 'ENABLED' },
        remedy: `Enable ${SQL_ADMIN_API} in project ${plan.project}: Cloud Run connects to Cloud SQL through it.`,
        command: enableServiceCommand(SQL_ADMIN_API, plan.project),
      });
    }
    for (const sql of r.cloudSql) {
      const project = `projects/${sql.project}`;
      out.push({
        type: 'lookup',
        check: 'cloudsql-instance',
        title: `Cloud SQL instance ${sql.connectionName} does not exist`,
        holds: `Cloud SQL instance ${sql.connectionName} exists`,
        subject: 'cloudsql_instances',
        kind: 'sqlInstance',
        name: `${project}/instances/${sql.instance}`,
        expect: { field: 'region', value: sql.region },
        remedy: `Fix the instance's connection name (PROJECT:REGION:INSTANCE) or create instance ${sql.instance} in region ${sql.region} of project ${sql.project}.`,
      });
      out.push({
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
      });
    }
    for (const subnet of r.subnets) {
      const shared = subnet.project !== plan.project;
      out.push({
        type: 'lookup',
        check: 'vpc-subnet',
        title: `Subnetwork ${subnet.name} does not exist`,
        holds: `Subnetwork ${subnet.name} exists`,
        subject: 'network',
        kind: 'subnetwork',
        name: subnet.name,
        remedy: `Name an existing subnetwork in region ${subnet.region} (for Shared VPC, its full name projects/HOST/regions/${subnet.region}/subnetworks/NAME).`,
      });
      out.push({
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
      });
    }
    if (r.connector) {
      const c = r.connector;
      out.push({
        type: 'lookup',
        check: 'vpc-connector',
        title: `Serverless VPC Access connector ${c.name} does not exist`,
        holds: `Serverless VPC Access connector ${c.name} exists`,
        subject: 'vpc_connector',
        kind: 'connector',
        name: c.name,
        remedy: `Create the connector, or name an existing one (projects/P/locations/${plan.region}/connectors/NAME for another project).`,
      });
      if (c.project !== plan.project) {
        const project = `projects/${c.project}`;
        out.push({
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
        });
      }
    }
    for (const b of r.buckets) {
      const name = `projects/_/buckets/${b.bucket}`;
      const role = b.readOnly ? 'roles/storage.objectViewer' : 'roles/storage.objectUser';
      const verb = b.readOnly ? 'read' : 'read and write';
      out.push({
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
      });
    }
    if (r.kmsKey) {
      out.push({
        type: 'principal',
        check: 'agent-kms',
        title: `The Cloud Run service agent cannot use the job's encryption key ${r.kmsKey}`,
        holds: `The Cloud Run service agent can use the job's encryption key ${r.kmsKey}`,
        subject: 'kms_key',
        principal: agent,
        permission: 'cloudkms.cryptoKeyVersions.useToDecrypt',
        role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter',
        resource: { kind: 'cryptoKey', name: r.kmsKey },
        project: /^projects\/([^/]+)/.exec(r.kmsKey)?.[1] ?? plan.project,
        grant: {
          kind: 'cryptoKey',
          resource: r.kmsKey,
          role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter',
          member: agent,
        },
      });
    }
  }
  if (plan.execute && plan.runWithOverrides) {
    const overrides: CallerRequirement = {
      type: 'caller',
      check: 'deployer-overrides',
      title: `Deployer cannot run job ${plan.job} with overrides`,
      holds: `Deployer can run job ${plan.job} with overrides`,
      subject: 'execute',
      permissions: ['run.jobs.runWithOverrides'],
      role: 'roles/run.jobsExecutorWithOverrides',
      resource: { kind: 'project', name: `projects/${plan.project}` },
    };
    if (deployer) {
      overrides.principal = deployer;
      overrides.remedyGrant = {
        kind: 'project',
        resource: `projects/${plan.project}`,
        role: overrides.role,
        member: deployer,
      };
    }
    out.push(overrides);
  }
  return out;
}
