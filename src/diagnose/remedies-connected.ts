// Cloud Run's failures about what a job connects to, said by the service agent while it
// reconciles the job: a Direct VPC subnetwork it cannot use, a connector it cannot use (or
// that does not exist), a CMEK key it cannot use. Each becomes the same finding the preflight's
// row would (agent-subnet, agent-connector, agent-kms), naming the service agent, the role and
// the narrowest resource; the connector's role is granted on its project (no connector IAM).
import { grantCommand } from '../iam/commands.ts';
import type { Finding, Grant, Subject } from '../model.ts';
import { safeResourceName } from '../resource-name.ts';
import { type Base, withSubject } from './remedy-parts.ts';

const SUBNET = /projects\/[^/\s]+\/regions\/[^/\s]+\/subnetworks\/[a-z0-9-]+/;
const CONNECTOR = /projects\/([^/\s]+)\/locations\/([^/\s]+)\/connectors\/[a-z0-9-]+/;
const KEY = /projects\/[^/\s]+\/locations\/[^/\s]+\/keyRings\/[^/\s]+\/cryptoKeys\/[A-Za-z0-9_-]+/;

function finding(
  o: Base & { agent: string },
  check: string,
  title: string,
  permission: string,
  grant: Grant,
  grantable: boolean,
): Finding {
  const f: Finding = {
    check,
    status: 'failed',
    title,
    principal: grant.member,
    permission,
    role: grant.role,
    resource: grant.resource,
    evidence: o.evidence,
    remedy: `Grant the Cloud Run service agent ${o.agent} ${grant.role} on ${grant.resource}.`,
    command: grantCommand(grant),
  };
  if (grantable) f.grant = grant;
  return f;
}

/** The finding for a service-agent failure on a subnetwork, connector or key; undefined for any other text. */
export interface JobWhere {
  /** The job's region, project id and number: a connector elsewhere is a different failure. */
  region?: string | undefined;
  project?: string | undefined;
  projectNumber?: string | undefined;
}

export function connectedFailure(
  text: string,
  o: Base & { agent: string | undefined; job?: JobWhere },
): Finding | undefined {
  const agent = o.agent ?? 'service-PROJECT_NUMBER@serverless-robot-prod.iam.gserviceaccount.com';
  const member = `serviceAccount:${agent}`;
  const base = { ...o, agent };
  // Names quoted by an error message become grants only when every segment is a plain name.
  const named = (m: RegExpExecArray | null) => (m && safeResourceName(m[0]) ? m : null);
  const subnet = named(SUBNET.exec(text))?.[0];
  if (subnet && /compute\.subnetworks\.use/.test(text)) {
    const grant: Grant = { kind: 'subnetwork', resource: subnet, role: 'roles/compute.networkUser', member };
    const f = finding(
      base,
      'agent-subnet',
      'Cloud Run service agent cannot use the subnetwork',
      'compute.subnetworks.use',
      grant,
      o.agent !== undefined,
    );
    return withSubject(f, o.subject ?? 'network');
  }
  const connector = named(CONNECTOR.exec(text));
  if (connector?.[1] && /VPC connector/i.test(text)) return connectorFailure(text, base, connector, o);
  const key = named(KEY.exec(text))?.[0];
  const keyPermission = /cloudkms\.cryptoKeyVersions\.useTo(?:En|De)crypt/.exec(text)?.[0];
  if (key && keyPermission) {
    const grant: Grant = {
      kind: 'cryptoKey',
      resource: key,
      role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter',
      member,
    };
    const f = finding(
      base,
      'agent-kms',
      "Cloud Run service agent cannot use the job's encryption key",
      keyPermission,
      grant,
      o.agent !== undefined,
    );
    return withSubject(f, o.subject ?? 'kms_key');
  }
  return undefined;
}

/**
 * A connector Cloud Run could not use. Cloud Run's message does not tell a missing connector from
 * a refused one, so the facts decide: a connector in another region than the job is unusable
 * (https://cloud.google.com/run/docs/configuring/vpc-connectors: the connector serves its own
 * region); one in the job's own project is covered by roles/run.serviceAgent (which carries
 * vpcaccess.connectors.use, test/emulator/data/roles.json), so the agent lost that role or the
 * connector does not exist; one in another project needs roles/vpcaccess.user there.
 */
function connectorFailure(
  text: string,
  base: Base & { agent: string },
  m: RegExpExecArray,
  o: { subject?: Subject; job?: JobWhere },
): Finding {
  const [name, project, location] = [m[0], m[1] as string, m[2] as string];
  const member = `serviceAccount:${base.agent}`;
  const job = o.job ?? {};
  if (job.region && location !== job.region) {
    return withSubject(
      {
        check: 'vpc-connector',
        status: 'failed',
        title: `Connector ${name} is in ${location}, the job in ${job.region}`,
        resource: name,
        evidence: base.evidence,
        remedy: `A job uses a Serverless VPC Access connector of its own region: name a connector in ${job.region} (create one there), or deploy the job to ${location}.`,
        command: `gcloud compute networks vpc-access connectors list --region=${job.region} --project=${project}`,
      },
      o.subject ?? 'vpc_connector',
    );
  }
  const missing = /\b(?:was not found|not found|does not exist)\b(?!, or)/i.test(text);
  if (missing && !/permission/i.test(text)) {
    return withSubject(
      {
        check: 'vpc-connector',
        status: 'failed',
        title: `Serverless VPC Access connector ${name} does not exist`,
        resource: name,
        evidence: base.evidence,
        remedy: `Create the connector ${name}, or fix vpc_connector to name an existing one in ${location}.`,
        command: `gcloud compute networks vpc-access connectors describe ${name.split('/').pop()} --region=${location} --project=${project}`,
      },
      o.subject ?? 'vpc_connector',
    );
  }
  const own = project === job.project || project === job.projectNumber;
  if (own) {
    const grant: Grant = {
      kind: 'project',
      resource: `projects/${job.project ?? project}`,
      role: 'roles/run.serviceAgent',
      member,
    };
    const f = finding(
      base,
      'agent-role',
      `Cloud Run service agent lacks its role on project ${grant.resource.slice(9)}, or connector ${name} does not exist`,
      'vpcaccess.connectors.use',
      grant,
      false,
    );
    f.remedy = `The connector is in the job's own project, where the service agent uses it through roles/run.serviceAgent: if ${name} exists, grant ${base.agent} roles/run.serviceAgent on ${grant.resource} again (a project IAM administrator must); otherwise create the connector or fix vpc_connector.`;
    return withSubject(f, o.subject ?? 'vpc_connector');
  }
  const grant: Grant = {
    kind: 'project',
    resource: `projects/${project}`,
    role: 'roles/vpcaccess.user',
    member,
  };
  const f = finding(
    base,
    'agent-connector',
    'Cloud Run service agent cannot use the VPC connector',
    'vpcaccess.connectors.use',
    grant,
    false,
  );
  f.remedy = `${f.remedy} If ${name} does not exist, create it or fix the connector's name.`;
  return withSubject(f, o.subject ?? 'vpc_connector');
}
