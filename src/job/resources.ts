// What a job reaches besides its image, secrets and service account, read from the spec the
// plan deploys (pure): Cloud SQL instances, Cloud Storage volumes, Direct VPC subnets or a
// Serverless VPC Access connector, and the CMEK key. The v2 Job (Google's schema) is the
// contract with the inputs layer; a job.yaml (Knative v1) says the same through annotations
// and csi volumes, mapped here to the same records.
import type { CloudSqlInstance, Connector, JobResources, Subnet } from '../model.ts';
import type { V2Job } from './spec.ts';

// The records live in model.ts (the plan carries them); re-exported for the job layer's users.
export type { BucketVolume, CloudSqlInstance, Connector, JobResources, Subnet } from '../model.ts';

export const CLOUDSQL_ANNOTATION = 'run.googleapis.com/cloudsql-instances';
export const CONNECTOR_ANNOTATION = 'run.googleapis.com/vpc-access-connector';
export const NETWORK_INTERFACES_ANNOTATION = 'run.googleapis.com/network-interfaces';
export const ENCRYPTION_KEY_ANNOTATION = 'run.googleapis.com/encryption-key';
const GCS_FUSE_DRIVER = 'gcsfuse.run.googleapis.com';
const KMS_KEY = /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/;

export function emptyResources(): JobResources {
  return { cloudSql: [], buckets: [], subnets: [] };
}

/** PROJECT:REGION:INSTANCE; a domain-scoped project (example.com:proj) keeps its colon. */
export function parseCloudSql(connectionName: string): CloudSqlInstance | undefined {
  const parts = connectionName.trim().split(':');
  if (parts.length < 3) return undefined;
  const instance = parts.pop() as string;
  const region = parts.pop() as string;
  const project = parts.join(':');
  if (!project || !region || !instance) return undefined;
  return { connectionName: connectionName.trim(), project, region, instance };
}

const segment = (name: string, key: string) => new RegExp(`(?:^|/)${key}/([^/]+)`).exec(name)?.[1];

/**
 * One Direct VPC interface -> its subnet. A bare name lives in the job's project (or the
 * network's, for Shared VPC); without a subnetwork Cloud Run uses the one named like the network.
 */
export function subnetOf(
  iface: { network?: string | null; subnetwork?: string | null },
  project: string,
  region: string,
): Subnet | undefined {
  const network = iface.network ?? undefined;
  const networkProject = network ? segment(network, 'projects') : undefined;
  const networkName = network ? (segment(network, 'networks') ?? network) : undefined;
  const raw = iface.subnetwork ?? networkName;
  if (!raw) return undefined;
  const subnetwork = segment(raw, 'subnetworks') ?? raw;
  const subnetProject = segment(raw, 'projects') ?? networkProject ?? project;
  const subnetRegion = segment(raw, 'regions') ?? region;
  const subnet: Subnet = {
    name: `projects/${subnetProject}/regions/${subnetRegion}/subnetworks/${subnetwork}`,
    project: subnetProject,
    region: subnetRegion,
    subnetwork,
  };
  if (networkName)
    subnet.network = `projects/${networkProject ?? subnetProject}/global/networks/${networkName}`;
  return subnet;
}

/** A connector's short name lives in the job's project and region. */
export function connectorOf(value: string, project: string, region: string): Connector {
  const full = /^projects\/([^/]+)\/locations\/[^/]+\/connectors\/[^/]+$/.exec(value);
  if (full?.[1]) return { name: value, project: full[1] };
  return { name: `projects/${project}/locations/${region}/connectors/${value}`, project };
}

function addCloudSql(out: JobResources, names: Iterable<string>): void {
  for (const n of names) {
    const parsed = parseCloudSql(n);
    if (parsed && !out.cloudSql.some((c) => c.connectionName === parsed.connectionName))
      out.cloudSql.push(parsed);
  }
}

function addSubnet(out: JobResources, subnet: Subnet | undefined): void {
  if (subnet && !out.subnets.some((s) => s.name === subnet.name)) out.subnets.push(subnet);
}

/** Everything the v2 job's execution template reaches (the job's project and region resolve short names). */
export function resourcesOfV2(job: V2Job, project: string, region: string): JobResources {
  const out = emptyResources();
  const task = job.template?.template;
  for (const v of task?.volumes ?? []) {
    addCloudSql(out, v.cloudSqlInstance?.instances ?? []);
    if (v.gcs?.bucket && v.name) {
      // A volume mounted read-only everywhere needs only read access; volumeMounts cannot
      // make a read-write volume read-only in the v2 schema, so the volume decides.
      out.buckets.push({ volume: v.name, bucket: v.gcs.bucket, readOnly: v.gcs.readOnly === true });
    }
  }
  const vpc = task?.vpcAccess;
  if (vpc?.connector) out.connector = connectorOf(vpc.connector, project, region);
  for (const iface of vpc?.networkInterfaces ?? []) addSubnet(out, subnetOf(iface, project, region));
  if (task?.encryptionKey) out.kmsKey = task.encryptionKey;
  if (vpc?.connector || (vpc?.networkInterfaces ?? []).length > 0)
    out.vpcEgress = egressWord(vpc?.egress ?? 'PRIVATE_RANGES_ONLY');
  const binauthz = job.binaryAuthorization;
  if (binauthz?.useDefault) out.binaryAuthorization = 'default';
  else if (binauthz?.policy) out.binaryAuthorization = binauthz.policy;
  return out;
}

/** ALL_TRAFFIC -> all-traffic: the v2 enum in the constraint's (and the v1 annotation's) words. */
function egressWord(v2: string): string {
  return v2.toLowerCase().replace(/_/g, '-');
}

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const rec = (v: unknown): Json => (isRecord(v) ? v : {});
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/**
 * The same from a job.yaml (v1): the execution template's annotations (where gcloud writes
 * them; the job's own annotations are read too) and csi volumes of the Cloud Storage FUSE driver.
 */
export function resourcesOfManifest(job: Json, project: string, region: string): JobResources {
  const out = emptyResources();
  const spec = rec(job.spec);
  const execution = rec(spec.template);
  const annotations = {
    ...rec(rec(job.metadata).annotations),
    ...rec(rec(execution.metadata).annotations),
  };
  const sql = text(annotations[CLOUDSQL_ANNOTATION]);
  if (sql) addCloudSql(out, sql.split(','));
  const connector = text(annotations[CONNECTOR_ANNOTATION]);
  if (connector) out.connector = connectorOf(connector, project, region);
  const interfaces = text(annotations[NETWORK_INTERFACES_ANNOTATION]);
  if (interfaces) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(interfaces);
    } catch {
      parsed = [];
    }
    for (const iface of Array.isArray(parsed) ? parsed : []) {
      const i = rec(iface);
      const value: { network?: string; subnetwork?: string } = {};
      const network = text(i.network);
      const subnetwork = text(i.subnetwork);
      if (network) value.network = network;
      if (subnetwork) value.subnetwork = subnetwork;
      addSubnet(out, subnetOf(value, project, region));
    }
  }
  const key = text(annotations[ENCRYPTION_KEY_ANNOTATION]);
  if (key && KMS_KEY.test(key)) out.kmsKey = key;
  const task = rec(rec(rec(execution.spec).template).spec);
  for (const v of Array.isArray(task.volumes) ? task.volumes : []) {
    const csi = rec(rec(v).csi);
    const bucket = text(rec(csi.volumeAttributes).bucketName);
    const name = text(rec(v).name);
    if (csi.driver === GCS_FUSE_DRIVER && bucket && name)
      out.buckets.push({ volume: name, bucket, readOnly: csi.readOnly === true });
  }
  // The v1 annotations (test/emulator/run-v1-features.ts lists where gcloud writes them).
  const egress = text(annotations['run.googleapis.com/vpc-access-egress']);
  if (out.connector || out.subnets.length > 0) out.vpcEgress = egress ?? 'private-ranges-only';
  const binauthz = text(annotations['run.googleapis.com/binary-authorization']);
  if (binauthz) out.binaryAuthorization = binauthz;
  return out;
}
