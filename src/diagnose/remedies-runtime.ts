// What the job's tasks meet at run time as the job's service account, each the finding of the
// preflight row that checks it (src/iam/requirements-resources.ts): Cloud SQL (API, instance,
// roles/cloudsql.client on the instance's project: Cloud SQL instances have no IAM policy of their
// own), Cloud Storage volumes (roles/storage.objectViewer or objectUser on the bucket), and
// egress that never reached its destination (the job's network settings).
import { grantCommand, shellQuote } from '../iam/commands.ts';
import type { Finding, Grant } from '../model.ts';
import { type Base, cmd, flag, withSubject } from './remedy-parts.ts';

export interface SqlRef {
  connection: string;
  project: string;
  region: string;
  instance: string;
}

/** PROJECT:REGION:INSTANCE (a domain-scoped project keeps its own colon). */
export function sqlRef(connection: string): SqlRef | undefined {
  const parts = connection.split(':');
  if (parts.length < 3) return undefined;
  const instance = parts.pop() as string;
  const region = parts.pop() as string;
  const project = parts.join(':');
  return /^[a-z][a-z0-9-]*$/.test(instance) && /^[a-z]+-[a-z]+\d+(?:-[a-z])?$/.test(region)
    ? { connection, project, region, instance }
    : undefined;
}

export function sqlNotAuthorized(o: Base & { member: string | undefined; sql: SqlRef | undefined }): Finding {
  const project = o.sql?.project ?? 'INSTANCE_PROJECT';
  const member = o.member ?? 'serviceAccount:RUNTIME_SERVICE_ACCOUNT';
  const grant: Grant = {
    kind: 'project',
    resource: `projects/${project}`,
    role: 'roles/cloudsql.client',
    member,
  };
  const f: Finding = {
    check: 'runtime-cloudsql',
    status: 'failed',
    title:
      `The job's service account may not connect to Cloud SQL instance ${o.sql?.connection ?? ''}`.trim(),
    permission: 'cloudsql.instances.connect',
    role: 'roles/cloudsql.client',
    resource: grant.resource,
    evidence: o.evidence,
    remedy:
      `Grant ${member.replace(/^serviceAccount:/, '')} roles/cloudsql.client on project ${project} (Cloud SQL instances have no IAM policy of their own; ` +
      'an IAM condition on resource.name can narrow it to the instance). Cloud SQL answers the same way for a mistyped connection name: check it too.',
    command: grantCommand(grant),
  };
  if (o.member) f.principal = o.member;
  return withSubject(f, o.subject ?? 'cloudsql_instances');
}

export function sqlMissing(o: Base & { sql: SqlRef | undefined }): Finding {
  const s = o.sql;
  const f: Finding = {
    check: 'cloudsql-instance',
    status: 'failed',
    title: `Cloud SQL instance ${s?.connection ?? 'of the job'} does not exist`,
    evidence: o.evidence,
    remedy: s
      ? `Fix the connection name (PROJECT:REGION:INSTANCE) or create instance ${s.instance} in region ${s.region} of project ${s.project}.`
      : 'Fix the connection name (PROJECT:REGION:INSTANCE) or create the instance.',
  };
  if (s) {
    f.resource = `projects/${s.project}/instances/${s.instance}`;
    f.command = cmd(['gcloud sql instances list', flag('project', s.project)]);
  }
  return withSubject(f, o.subject ?? 'cloudsql_instances');
}

export function bucketDenied(
  o: Base & { member: string | undefined; bucket: string | undefined; permission: string | undefined },
): Finding {
  const readOnly = !o.permission || /\.(get|list)$/.test(o.permission);
  const role = readOnly ? 'roles/storage.objectViewer' : 'roles/storage.objectUser';
  const bucket = o.bucket ?? 'BUCKET';
  const member = o.member ?? 'serviceAccount:RUNTIME_SERVICE_ACCOUNT';
  const grant: Grant = { kind: 'bucket', resource: `projects/_/buckets/${bucket}`, role, member };
  const f: Finding = {
    check: 'runtime-bucket',
    status: 'failed',
    title: `The job's service account cannot use bucket ${bucket}`,
    role,
    resource: grant.resource,
    evidence: o.evidence,
    remedy: `Grant ${member.replace(/^serviceAccount:/, '')} ${role} on bucket ${bucket} (not on the project).`,
    command: grantCommand(grant),
  };
  if (o.permission) f.permission = o.permission;
  if (o.member) f.principal = o.member;
  return withSubject(f, o.subject ?? 'volumes');
}

export function egressTimeout(o: Base & { destination: string | undefined; hasNetwork: boolean }): Finding {
  const f: Finding = {
    check: 'egress-timeout',
    status: 'failed',
    title: `The task's connection${o.destination ? ` to ${o.destination}` : ''} timed out`,
    evidence: o.evidence,
    remedy: o.hasNetwork
      ? 'The task reached no answer through its network path: check vpc_egress (all-traffic sends internet traffic through the VPC, which then needs Cloud NAT), the firewall rules of the network/subnet or connector, and that the destination listens.'
      : 'The task reached no answer: a private address needs a network path (network/subnet or vpc_connector); a public one may be blocked by the destination or need an allowed egress IP.',
  };
  if (o.destination)
    f.command = cmd(['gcloud compute firewall-rules list', `--filter=${shellQuote('direction=EGRESS')}`]);
  return withSubject(f, o.subject ?? (o.hasNetwork ? 'vpc_egress' : 'network'));
}
