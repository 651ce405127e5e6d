// Cloud Run's failures about what a job connects to, said by the service agent while it
// reconciles the job: a Direct VPC subnetwork it cannot use, a connector it cannot use (or
// that does not exist), a CMEK key it cannot use. Each becomes the same finding the preflight's
// row would (agent-subnet, agent-connector, agent-kms), naming the service agent, the role and
// the narrowest resource; the connector's role is granted on its project (no connector IAM).
import { grantCommand } from '../iam/commands.ts';
import type { Finding, Grant } from '../model.ts';
import { safeResourceName } from '../resource-name.ts';
import { type Base, withSubject } from './remedy-parts.ts';

const SUBNET = /projects\/[^/\s]+\/regions\/[^/\s]+\/subnetworks\/[a-z0-9-]+/;
const CONNECTOR = /projects\/([^/\s]+)\/locations\/[^/\s]+\/connectors\/[a-z0-9-]+/;
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
export function connectedFailure(text: string, o: Base & { agent: string | undefined }): Finding | undefined {
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
  if (connector?.[1] && /VPC connector/i.test(text)) {
    const grant: Grant = {
      kind: 'project',
      resource: `projects/${connector[1]}`,
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
    f.remedy = `${f.remedy} If ${connector[0]} does not exist, create it or fix the connector's name.`;
    return withSubject(f, o.subject ?? 'vpc_connector');
  }
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
