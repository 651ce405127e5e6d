// The job features the v1 (Knative) surface spells as annotations or Kubernetes volume sources,
// converted to and from the v2 fields the store holds. On v1 these are annotations of the
// execution template (spec.template.metadata.annotations) as gcloud's config changers write
// them: run.googleapis.com/cloudsql-instances, network-interfaces (a JSON list),
// vpc-access-connector, vpc-access-egress, encryption-key, execution-environment; on the job's
// own metadata: binary-authorization and binary-authorization-breakglass. Volumes: csi with the
// gcsfuse.run.googleapis.com driver (v2 gcs), nfs, emptyDir with medium Memory (v2 MEMORY).
import { asArray, asJson, type Json, str } from './run-model.ts';
import { aliasRemoteSecrets, resolveSecretAliases, SECRETS_ANNOTATION } from './run-v1-secrets.ts';

const RUN = 'run.googleapis.com';
export const TEMPLATE_ANNOTATIONS = {
  cloudsql: `${RUN}/cloudsql-instances`,
  networkInterfaces: `${RUN}/network-interfaces`,
  connector: `${RUN}/vpc-access-connector`,
  egress: `${RUN}/vpc-access-egress`,
  key: `${RUN}/encryption-key`,
  environment: `${RUN}/execution-environment`,
};
export const JOB_ANNOTATIONS = {
  binauthz: `${RUN}/binary-authorization`,
  breakglass: `${RUN}/binary-authorization-breakglass`,
};
const GCSFUSE = 'gcsfuse.run.googleapis.com';
const CLOUDSQL_VOLUME = 'cloudsql';
const EGRESS_TO_V2: Record<string, string> = {
  'all-traffic': 'ALL_TRAFFIC',
  all: 'ALL_TRAFFIC',
  'private-ranges-only': 'PRIVATE_RANGES_ONLY',
};
const EGRESS_TO_V1: Record<string, string> = {
  ALL_TRAFFIC: 'all-traffic',
  PRIVATE_RANGES_ONLY: 'private-ranges-only',
};
const ENV_TO_V2: Record<string, string> = {
  gen1: 'EXECUTION_ENVIRONMENT_GEN1',
  gen2: 'EXECUTION_ENVIRONMENT_GEN2',
};

/** v1 volume sources that differ from v2 (csi gcsfuse, emptyDir Memory) -> v2; others as they are. */
export function volumeSourceToV2(v: Json): Json {
  const csi = asJson(v.csi);
  if (csi.driver === GCSFUSE) {
    const attrs = asJson(csi.volumeAttributes);
    const gcs: Json = { bucket: attrs.bucketName };
    if (csi.readOnly !== undefined) gcs.readOnly = csi.readOnly;
    const options = str(attrs.mountOptions);
    if (options) gcs.mountOptions = options.split(',');
    const { csi: _, ...rest } = v;
    return { ...rest, gcs };
  }
  const empty = asJson(v.emptyDir);
  if (v.emptyDir && empty.medium === 'Memory') return { ...v, emptyDir: { ...empty, medium: 'MEMORY' } };
  return v;
}

export function volumeSourceToV1(v: Json): Json {
  if (v.gcs) {
    const gcs = asJson(v.gcs);
    const volumeAttributes: Json = { bucketName: gcs.bucket };
    if (Array.isArray(gcs.mountOptions)) volumeAttributes.mountOptions = gcs.mountOptions.join(',');
    const csi: Json = { driver: GCSFUSE, volumeAttributes };
    if (gcs.readOnly !== undefined) csi.readOnly = gcs.readOnly;
    const { gcs: _, ...rest } = v;
    return { ...rest, csi };
  }
  const empty = asJson(v.emptyDir);
  if (v.emptyDir && empty.medium === 'MEMORY') return { ...v, emptyDir: { ...empty, medium: 'Memory' } };
  return v;
}

/**
 * Move the v1 execution-template annotations into the v2 task (modified) and return the
 * annotations that remain. A Cloud SQL annotation becomes the `cloudsql` volume, mounted at
 * /cloudsql in every container, as the v2 surface shows it.
 */
export function templateAnnotationsToV2(annotations: Json, task: Json): Json | undefined {
  const rest = { ...annotations };
  const take = (key: string) => {
    const v = str(rest[key]);
    delete rest[key];
    return v;
  };
  const cloudsql = take(TEMPLATE_ANNOTATIONS.cloudsql);
  if (cloudsql) {
    const instances = cloudsql
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    task.volumes = [...asArray(task.volumes), { name: CLOUDSQL_VOLUME, cloudSqlInstance: { instances } }];
    for (const c of asArray(task.containers)) {
      const mounts = asArray(c.volumeMounts);
      if (!mounts.some((m) => m.name === CLOUDSQL_VOLUME))
        c.volumeMounts = [...mounts, { name: CLOUDSQL_VOLUME, mountPath: '/cloudsql' }];
    }
  }
  const vpc: Json = {};
  const interfaces = take(TEMPLATE_ANNOTATIONS.networkInterfaces);
  if (interfaces) {
    try {
      vpc.networkInterfaces = JSON.parse(interfaces);
    } catch {
      // A malformed annotation is kept out; the real API would refuse it.
    }
  }
  const connector = take(TEMPLATE_ANNOTATIONS.connector);
  if (connector) vpc.connector = connector;
  const egress = take(TEMPLATE_ANNOTATIONS.egress);
  if (egress) vpc.egress = EGRESS_TO_V2[egress] ?? egress;
  if (Object.keys(vpc).length) task.vpcAccess = vpc;
  const key = take(TEMPLATE_ANNOTATIONS.key);
  if (key) task.encryptionKey = key;
  const environment = take(TEMPLATE_ANNOTATIONS.environment);
  if (environment) task.executionEnvironment = ENV_TO_V2[environment] ?? environment;
  resolveSecretAliases(take(SECRETS_ANNOTATION), task);
  return Object.keys(rest).length ? rest : undefined;
}

/** The v2 task's features as v1 execution-template annotations; the v1 task spec loses the Cloud SQL volume. */
export function templateAnnotationsToV1(task: Json, spec: Json): Json {
  const out: Json = {};
  const sql = asArray(task.volumes).find((v) => v.cloudSqlInstance);
  if (sql) {
    const instances = asJson(sql.cloudSqlInstance).instances;
    out[TEMPLATE_ANNOTATIONS.cloudsql] = Array.isArray(instances) ? instances.join(',') : '';
    spec.volumes = asArray(spec.volumes).filter((v) => v.name !== sql.name);
    if ((spec.volumes as Json[]).length === 0) delete spec.volumes;
    for (const c of asArray(spec.containers)) {
      const mounts = asArray(c.volumeMounts).filter((m) => m.name !== sql.name);
      if (mounts.length) c.volumeMounts = mounts;
      else delete c.volumeMounts;
    }
  }
  const vpc = asJson(task.vpcAccess);
  if (Array.isArray(vpc.networkInterfaces))
    out[TEMPLATE_ANNOTATIONS.networkInterfaces] = JSON.stringify(vpc.networkInterfaces);
  if (vpc.connector) out[TEMPLATE_ANNOTATIONS.connector] = vpc.connector;
  const egress = str(vpc.egress);
  if (egress) out[TEMPLATE_ANNOTATIONS.egress] = EGRESS_TO_V1[egress] ?? egress;
  if (task.encryptionKey) out[TEMPLATE_ANNOTATIONS.key] = task.encryptionKey;
  const environment = str(task.executionEnvironment);
  if (environment)
    out[TEMPLATE_ANNOTATIONS.environment] = environment.replace('EXECUTION_ENVIRONMENT_', '').toLowerCase();
  const aliases = aliasRemoteSecrets(spec);
  if (aliases) out[SECRETS_ANNOTATION] = aliases;
  return out;
}

/** v1 job annotations for Binary Authorization -> the v2 field (and the rest of the annotations). */
export function jobAnnotationsToV2(annotations: Json | undefined, job: Json): Json | undefined {
  if (!annotations) return undefined;
  const rest = { ...annotations };
  const policy = str(rest[JOB_ANNOTATIONS.binauthz]);
  const breakglass = str(rest[JOB_ANNOTATIONS.breakglass]);
  delete rest[JOB_ANNOTATIONS.binauthz];
  delete rest[JOB_ANNOTATIONS.breakglass];
  const binauthz: Json = {};
  if (policy === 'default') binauthz.useDefault = true;
  else if (policy) binauthz.policy = policy;
  if (breakglass) binauthz.breakglassJustification = breakglass;
  if (Object.keys(binauthz).length) job.binaryAuthorization = binauthz;
  return Object.keys(rest).length ? rest : undefined;
}

export function jobAnnotationsToV1(job: Json): Json {
  const b = asJson(job.binaryAuthorization);
  const out: Json = {};
  if (b.useDefault === true) out[JOB_ANNOTATIONS.binauthz] = 'default';
  else if (b.policy) out[JOB_ANNOTATIONS.binauthz] = b.policy;
  if (b.breakglassJustification) out[JOB_ANNOTATIONS.breakglass] = b.breakglassJustification;
  return out;
}
