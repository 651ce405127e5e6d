// What Cloud Run verifies about what a job connects to, and where each failure surfaces.
// - Found while reconciling a deploy (and again when an execution starts), by the Cloud Run
//   service agent: a Direct VPC subnetwork it cannot use (compute.subnetworks.use) or that does
//   not exist, a connector that does not exist or that it cannot use (vpcaccess.connectors.use
//   in the connector's project), a CMEK key it cannot use (cloudkms.cryptoKeyVersions.*).
// - Found only when tasks run, as the job's service account: Cloud SQL (the Cloud SQL Admin API
//   in the job's project, the instance, cloudsql.instances.connect) and Cloud Storage volumes
//   (storage.objects.*): the tasks fail and their log says why.
// The Cloud SQL log line follows the Cloud SQL connector's public wording; the service-agent
// sentences are modelled on Cloud Run's other service-agent messages (run-checks.ts), since no
// public record of their exact wording was found. Each names the principal, the permission, the
// resource and the role, as the real ones do.
import type { Caller, Ctx } from './contract.ts';
import type { Failure } from './run-checks.ts';
import type { JobRef, Json } from './run-model.ts';
import { asArray, asJson, serviceAgentOf, str } from './run-model.ts';
import { apiOffIn } from './services.ts';
import { canonical, findBucket, findCryptoKey, findSqlInstance, findSubnetwork } from './world-connected.ts';
import { findProject } from './world-index.ts';

interface Connected {
  cloudSql: string[];
  buckets: Array<{ volume: string; bucket: string; readOnly: boolean }>;
  subnets: string[];
  connector?: string;
  key?: string;
}

const seg = (name: string, key: string) => new RegExp(`(?:^|/)${key}/([^/]+)`).exec(name)?.[1];

/** Both shapes a stored job can hold: v2 fields, or the v1 annotations and csi volumes a replace kept. */
export function connectedOf(ref: JobRef, job: Json): Connected {
  const template = asJson(job.template);
  const task = asJson(template.template);
  const ann = { ...asJson(job.annotations), ...asJson(template.annotations) };
  const out: Connected = { cloudSql: [], buckets: [], subnets: [] };
  for (const v of asArray(task.volumes)) {
    for (const i of asArray([asJson(v.cloudSqlInstance)]).flatMap((c) =>
      Array.isArray(c.instances) ? c.instances : [],
    ))
      out.cloudSql.push(String(i));
    const gcs = asJson(v.gcs);
    const csi = asJson(v.csi);
    const name = str(v.name) ?? '';
    if (str(gcs.bucket))
      out.buckets.push({ volume: name, bucket: String(gcs.bucket), readOnly: gcs.readOnly === true });
    const csiBucket = str(asJson(csi.volumeAttributes).bucketName);
    if (csi.driver === 'gcsfuse.run.googleapis.com' && csiBucket)
      out.buckets.push({ volume: name, bucket: csiBucket, readOnly: csi.readOnly === true });
  }
  for (const i of (str(ann['run.googleapis.com/cloudsql-instances']) ?? '').split(','))
    if (i.trim()) out.cloudSql.push(i.trim());
  const vpc = asJson(task.vpcAccess);
  const connector = str(vpc.connector) ?? str(ann['run.googleapis.com/vpc-access-connector']);
  if (connector)
    out.connector = connector.startsWith('projects/')
      ? connector
      : `projects/${ref.projectId}/locations/${ref.location}/connectors/${connector}`;
  let ifaces = asArray(vpc.networkInterfaces);
  const annIfaces = str(ann['run.googleapis.com/network-interfaces']);
  if (ifaces.length === 0 && annIfaces) {
    try {
      ifaces = asArray(JSON.parse(annIfaces));
    } catch {
      ifaces = [];
    }
  }
  for (const i of ifaces) {
    const network = str(i.network);
    const raw = str(i.subnetwork) ?? (network ? (seg(network, 'networks') ?? network) : undefined);
    if (!raw) continue;
    const project = seg(raw, 'projects') ?? (network ? seg(network, 'projects') : undefined) ?? ref.projectId;
    out.subnets.push(
      `projects/${project}/regions/${seg(raw, 'regions') ?? ref.location}/subnetworks/${seg(raw, 'subnetworks') ?? raw}`,
    );
  }
  const key = str(task.encryptionKey) ?? str(ann['run.googleapis.com/encryption-key']);
  if (key) out.key = key;
  return out;
}

/** The service agent's failures, found while reconciling; the first one, or undefined. */
export function connectedFailure(ctx: Ctx, ref: JobRef, job: Json): Failure | undefined {
  const agent = serviceAgentOf(ref.project, ref.projectId);
  const c = connectedOf(ref, job);
  for (const subnet of c.subnets) {
    const name = canonical(ctx.world, subnet);
    // The Shared VPC host must have Compute on (resource-based API): the frame is the
    // emulator's, the cause Google's SERVICE_DISABLED sentence.
    const computeOff = apiOffIn(ctx, seg(name, 'projects') ?? '', 'compute.googleapis.com');
    if (computeOff) return { code: 7, message: `Cloud Run cannot use subnetwork ${subnet}: ${computeOff}` };
    if (!findSubnetwork(ctx.world, name) || !ctx.can('compute.subnetworks.use', name, agent)) {
      return {
        code: 7,
        message:
          `Cloud Run Service Agent ${agent.email} must have permission compute.subnetworks.use on subnetwork ${subnet} (or it may not exist). ` +
          'Grant it the Compute Network User role (roles/compute.networkUser) on the subnetwork. See https://cloud.google.com/run/docs/configuring/shared-vpc-direct-vpc',
      };
    }
  }
  if (c.connector) {
    const name = canonical(ctx.world, c.connector);
    const project = findProject(ctx.world, seg(name, 'projects') ?? '')?.id ?? seg(name, 'projects');
    const exists = ctx.world.connected.connectors[name] !== undefined;
    if (!exists || !ctx.can('vpcaccess.connectors.use', `projects/${project}`, agent)) {
      return {
        code: 9,
        message:
          `VPC connector ${c.connector} does not exist, or Cloud Run does not have permission to use it. ` +
          `Grant the Cloud Run Service Agent ${agent.email} the Serverless VPC Access User role (roles/vpcaccess.user) on project ${project}.`,
      };
    }
  }
  if (c.key) {
    const name = canonical(ctx.world, c.key);
    const kmsOff = apiOffIn(ctx, seg(name, 'projects') ?? '', 'cloudkms.googleapis.com');
    if (kmsOff)
      return {
        code: 7,
        message: `Cloud Run cannot use the customer-managed encryption key ${c.key}: ${kmsOff}`,
      };
    if (!findCryptoKey(ctx.world, name) || !ctx.can('cloudkms.cryptoKeyVersions.useToEncrypt', name, agent)) {
      return {
        code: 7,
        message:
          `Cloud Run Service Agent ${agent.email} cannot use the customer-managed encryption key ${c.key}: ` +
          `Permission 'cloudkms.cryptoKeyVersions.useToEncrypt' denied on resource '${c.key}' (or it may not exist). ` +
          'Grant it the Cloud KMS CryptoKey Encrypter/Decrypter role (roles/cloudkms.cryptoKeyEncrypterDecrypter) on the key.',
      };
    }
  }
  return undefined;
}

/** What the tasks hit as the job's service account: the lines they log before exiting 1, or none. */
export function runtimeFailure(ctx: Ctx, ref: JobRef, job: Json, runtimeEmail: string): string[] {
  const runtime: Caller = { member: `serviceAccount:${runtimeEmail}`, alsoMatches: [], email: runtimeEmail };
  const c = connectedOf(ref, job);
  const lines: string[] = [];
  const sqlApi = ref.project?.services.includes('sqladmin.googleapis.com') ?? false;
  for (const conn of c.cloudSql) {
    const parts = conn.split(':');
    const instance = parts.pop() ?? '';
    parts.pop();
    const project = parts.join(':');
    const found = findSqlInstance(ctx.world, `projects/${project}/instances/${instance}`);
    const cause = !sqlApi
      ? `googleapi: Error 403: Cloud SQL Admin API has not been used in project ${ref.project?.number ?? ref.projectId} before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/sqladmin.googleapis.com/overview?project=${ref.project?.number ?? ref.projectId} then retry., accessNotConfigured`
      : !ctx.can(
            'cloudsql.instances.connect',
            `projects/${findProject(ctx.world, project)?.id ?? project}`,
            runtime,
          )
        ? 'googleapi: Error 403: The client is not authorized to make this request., notAuthorized'
        : !found
          ? 'googleapi: Error 404: The Cloud SQL instance does not exist., instanceDoesNotExist'
          : undefined;
    if (cause)
      lines.push(
        `Cloud SQL connection failed. Please see https://cloud.google.com/sql/docs/mysql/connect-run for additional details: ensure that the account has access to "${conn}" (and make sure there's no typo in that name). Error during generateEphemeral for ${conn}: ${cause}`,
      );
  }
  for (const b of c.buckets) {
    const needs = b.readOnly
      ? ['storage.objects.list', 'storage.objects.get']
      : ['storage.objects.list', 'storage.objects.get', 'storage.objects.create', 'storage.objects.delete'];
    const bucket = findBucket(ctx.world, b.bucket);
    const permission = needs.find((p) => !ctx.can(p, `projects/_/buckets/${b.bucket}`, runtime));
    if (!bucket) {
      lines.push(`Failed to mount Cloud Storage volume ${b.volume}: bucket "${b.bucket}" does not exist.`);
    } else if (permission) {
      lines.push(
        `Failed to mount Cloud Storage volume ${b.volume}: googleapi: Error 403: ${runtimeEmail} does not have ${permission} access to the Google Cloud Storage bucket. Permission '${permission}' denied on resource (or it may not exist)., forbidden`,
      );
    }
  }
  return lines;
}
