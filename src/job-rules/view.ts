// One view of a job for its rules, whatever shape it comes in: the v2 Job the inputs (and
// job_patch) build, or the Knative v1 Job a job.yaml holds. Every value keeps the path that
// set it in its own document, so a refusal can point at the input, the job_patch field or the
// job.yaml line. Pure; reads plain JSON only (the v2 field names are Google's v2 Job message,
// the v1 ones Cloud Run's Knative surface as gcloud's run v1 messages spell them).

export type Path = Array<string | number>;

/** A value and where it sits in its document. */
export interface At<T> {
  value: T;
  at: Path;
}

export interface EnvView {
  name: At<string>;
  /** A literal value (value, or neither value nor a source). */
  literal: boolean;
  /** The secret a secret-backed var reads (v2 secretKeyRef.secret, v1 secretKeyRef.name). */
  secret?: At<string>;
  version?: At<string>;
}

export interface MountView {
  name: At<string>;
  mountPath: At<string>;
}

export interface ContainerView {
  at: Path;
  name?: At<string>;
  image?: At<string>;
  env: EnvView[];
  mounts: MountView[];
  cpu?: At<string>;
  memory?: At<string>;
  gpu?: At<string>;
}

export type VolumeKind = 'secret' | 'cloudsql' | 'gcs' | 'nfs' | 'emptyDir' | 'other';

export interface VolumeView {
  at: Path;
  name: At<string>;
  kind: VolumeKind;
  /** Secret volumes: the secret and each item's relative path and version. */
  secret?: At<string>;
  items: Array<{ path: At<string>; version?: At<string> }>;
}

export interface LabelView {
  key: At<string>;
  value: At<string>;
}

export interface JobView {
  shape: 'v1' | 'v2';
  name?: At<string>;
  labels: LabelView[];
  taskCount?: At<unknown>;
  parallelism?: At<unknown>;
  maxRetries?: At<unknown>;
  /** The task timeout in seconds (v2 Duration "600s" or v1 timeoutSeconds), or the raw value when unreadable. */
  timeout?: At<unknown>;
  serviceAccount?: At<string>;
  containers: ContainerView[];
  volumes: VolumeView[];
  /** Cloud SQL connection names: v2 cloudSqlInstance volumes, v1 the cloudsql-instances annotation. */
  cloudSql: Array<At<string>>;
  connector?: At<string>;
  /** Direct VPC egress interfaces: network and subnetwork as written. */
  interfaces: Array<{ at: Path; network?: string; subnetwork?: string }>;
  kmsKey?: At<string>;
  accelerator?: At<string>;
  /** gen1 / gen2 (v1 annotation) or EXECUTION_ENVIRONMENT_GEN1 / _GEN2 (v2). */
  executionEnvironment?: At<string>;
}

type Json = Record<string, unknown>;
export const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const rec = (v: unknown): Json => (isRecord(v) ? v : {});
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A scalar as text (YAML may give a number where a string is meant); undefined otherwise. */
export function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function at(v: unknown, path: Path): At<string> | undefined {
  const value = text(v);
  return value === undefined ? undefined : { value, at: path };
}

export function put<K extends keyof JobView>(view: JobView, key: K, value: JobView[K] | undefined): void {
  if (value !== undefined) view[key] = value;
}

export type Iface = JobView['interfaces'][number];
export function iface(n: unknown, path: Path): Iface {
  const out: Iface = { at: path };
  const network = text(rec(n).network);
  const subnetwork = text(rec(n).subnetwork);
  if (network !== undefined) out.network = network;
  if (subnetwork !== undefined) out.subnetwork = subnetwork;
  return out;
}

export function labelsOf(labels: unknown, base: Path): LabelView[] {
  return Object.entries(rec(labels)).map(([key, value]) => ({
    key: { value: key, at: [...base, key] },
    value: { value: text(value) ?? '', at: [...base, key] },
  }));
}

const V2_TASK: Path = ['template', 'template'];

/** Where a shape keeps a volume's kind (the first member present wins) and its secret fields. */
export interface VolumeFields {
  kinds: Array<[field: string, kind: VolumeKind]>;
  /** The secret's name field (v2 secret, v1 secretName). */
  secret: string;
  /** An item's version field (v2 version, v1 key). */
  version: string;
}

// Google's v2 Volume message: one member among secret, cloudSqlInstance, gcs, nfs, emptyDir.
const V2_VOLUME: VolumeFields = {
  kinds: [
    ['secret', 'secret'],
    ['cloudSqlInstance', 'cloudsql'],
    ['gcs', 'gcs'],
    ['nfs', 'nfs'],
    ['emptyDir', 'emptyDir'],
  ],
  secret: 'secret',
  version: 'version',
};

/** A volume's view, read where `fields` says this shape keeps its kind and secret. */
export function volumeView(v: unknown, path: Path, fields: VolumeFields): VolumeView {
  const volume = rec(v);
  const kind = fields.kinds.find(([field]) => isRecord(volume[field]))?.[1] ?? 'other';
  const out: VolumeView = {
    at: path,
    name: at(volume.name, [...path, 'name']) ?? { value: '', at: path },
    kind,
    items: [],
  };
  const secret = rec(volume.secret);
  const s = at(secret[fields.secret], [...path, 'secret', fields.secret]);
  if (s) out.secret = s;
  out.items = list(secret.items).map((item, i) => {
    const p: Path = [...path, 'secret', 'items', i];
    const version = at(rec(item)[fields.version], [...p, fields.version]);
    return {
      path: at(rec(item).path, [...p, 'path']) ?? { value: '', at: p },
      ...(version ? { version } : {}),
    };
  });
  return out;
}

export function container(c: unknown, path: Path, v1: boolean): ContainerView {
  const ctr = rec(c);
  const out: ContainerView = { at: path, env: [], mounts: [] };
  const name = at(ctr.name, [...path, 'name']);
  if (name) out.name = name;
  const image = at(ctr.image, [...path, 'image']);
  if (image) out.image = image;
  const limits = rec(rec(ctr.resources).limits);
  const lp: Path = [...path, 'resources', 'limits'];
  const cpu = at(limits.cpu, [...lp, 'cpu']);
  const memory = at(limits.memory, [...lp, 'memory']);
  const gpu = at(limits['nvidia.com/gpu'], [...lp, 'nvidia.com/gpu']);
  if (cpu) out.cpu = cpu;
  if (memory) out.memory = memory;
  if (gpu) out.gpu = gpu;
  out.env = list(ctr.env).map((e, i) => {
    const env = rec(e);
    const p: Path = [...path, 'env', i];
    const ref = v1 ? rec(rec(env.valueFrom).secretKeyRef) : rec(rec(env.valueSource).secretKeyRef);
    const refPath: Path = v1 ? [...p, 'valueFrom', 'secretKeyRef'] : [...p, 'valueSource', 'secretKeyRef'];
    const secret = at(v1 ? ref.name : ref.secret, [...refPath, v1 ? 'name' : 'secret']);
    const version = at(v1 ? ref.key : ref.version, [...refPath, v1 ? 'key' : 'version']);
    const view: EnvView = {
      name: at(env.name, [...p, 'name']) ?? { value: '', at: p },
      literal: !secret,
    };
    if (secret) view.secret = secret;
    if (version) view.version = version;
    return view;
  });
  out.mounts = list(ctr.volumeMounts).map((m, i) => {
    const p: Path = [...path, 'volumeMounts', i];
    return {
      name: at(rec(m).name, [...p, 'name']) ?? { value: '', at: p },
      mountPath: at(rec(m).mountPath, [...p, 'mountPath']) ?? { value: '', at: p },
    };
  });
  return out;
}

/** The view of a v2 Job (what the inputs, job_patch and the existing job make). */
export function viewOfV2(job: Json, jobName?: string): JobView {
  const view: JobView = {
    shape: 'v2',
    labels: labelsOf(job.labels, ['labels']),
    containers: [],
    volumes: [],
    cloudSql: [],
    interfaces: [],
  };
  if (jobName !== undefined) view.name = { value: jobName, at: ['name'] };
  const execution = rec(job.template);
  const task = rec(execution.template);
  if ('taskCount' in execution)
    view.taskCount = { value: execution.taskCount, at: ['template', 'taskCount'] };
  if ('parallelism' in execution)
    view.parallelism = { value: execution.parallelism, at: ['template', 'parallelism'] };
  if ('maxRetries' in task) view.maxRetries = { value: task.maxRetries, at: [...V2_TASK, 'maxRetries'] };
  if ('timeout' in task) {
    const m = /^(\d+(?:\.\d+)?)s$/.exec(text(task.timeout) ?? '');
    view.timeout = { value: m ? Number(m[1]) : task.timeout, at: [...V2_TASK, 'timeout'] };
  }
  put(view, 'serviceAccount', at(task.serviceAccount, [...V2_TASK, 'serviceAccount']));
  view.containers = list(task.containers).map((c, i) => container(c, [...V2_TASK, 'containers', i], false));
  view.volumes = list(task.volumes).map((v, i) => volumeView(v, [...V2_TASK, 'volumes', i], V2_VOLUME));
  list(task.volumes).forEach((v, i) => {
    list(rec(rec(v).cloudSqlInstance).instances).forEach((name, j) => {
      const a = at(name, [...V2_TASK, 'volumes', i, 'cloudSqlInstance', 'instances', j]);
      if (a) view.cloudSql.push(a);
    });
  });
  const vpc = rec(task.vpcAccess);
  put(view, 'connector', at(vpc.connector, [...V2_TASK, 'vpcAccess', 'connector']));
  view.interfaces = list(vpc.networkInterfaces).map((n, i) =>
    iface(n, [...V2_TASK, 'vpcAccess', 'networkInterfaces', i]),
  );
  put(view, 'kmsKey', at(task.encryptionKey, [...V2_TASK, 'encryptionKey']));
  put(
    view,
    'accelerator',
    at(rec(task.nodeSelector).accelerator, [...V2_TASK, 'nodeSelector', 'accelerator']),
  );
  put(view, 'executionEnvironment', at(task.executionEnvironment, [...V2_TASK, 'executionEnvironment']));
  return view;
}
