// A job as the flat list of settings a reviewer reads (image, env FOO, memory, label team...),
// from either shape the action writes: a v2 Job (inputs, PATCH) or a v1 Job (job.yaml, PUT).
// Whatever is not one of the named settings is kept as an `other` setting under its JSON path,
// so two jobs that flatten alike are alike in every field the action could change: the plan
// never says "no changes" over a difference. Left out: what Google computes (the v2 schema's
// output-only fields, generated from gcloud's run v2 messages: ./v2-job-fields.json; v1
// metadata and status), what the action stamps on every write (client, clientVersion, their v1
// annotations, the commit-sha label) and the job's identity (name, namespace).

import { DEPLOY_ID_KEY } from './stamps.ts';
import schema from './v2-job-fields.json' with { type: 'json' };

type Json = Record<string, unknown>;

/** One setting: `field` (and `key` for maps and lists such as env or labels) -> its value. */
export interface Entry {
  field: string;
  key?: string;
  value: string;
  /** A plain env var value: compared, but shown only when the user opted in. */
  plain?: boolean;
}

export type Flat = Map<string, Entry>;

export interface FlattenOptions {
  /**
   * Fill in what Google fills in when the job leaves it unset, so a job that leaves a setting
   * to its default equals one that spells the default out. Set when comparing two jobs.
   */
  defaults?: boolean;
  /** PROJECT_NUMBER-compute@developer.gserviceaccount.com, the default runtime account. */
  defaultServiceAccount?: string;
}

/** Labels the action writes on every deploy; `commit-sha` names the commit, not a setting. */
export const STAMPED_LABELS = ['commit-sha', 'cloud.googleapis.com/location'];
/** The v1 node selector of a GPU's type (googlecloudsdk/api_lib/run/k8s_object.py GPU_TYPE_NODE_SELECTOR). */
export const V1_ACCELERATOR = 'run.googleapis.com/accelerator';
const GPU_LIMIT = 'nvidia.com/gpu';

/**
 * What Cloud Run uses when a job leaves a setting unset. Sources: gcloud's run v2 messages
 * (TaskTemplate.maxRetries "Defaults to 3", .timeout "Defaults to 600 seconds",
 * ExecutionTemplate.taskCount "Defaults to 1", .parallelism "0 or unset" = the most possible;
 * v1 TaskSpec/ExecutionSpec say the same; Job.launchStage "If no value is specified, GA is
 * assumed"); memory 512 MiB and 1 CPU:
 * https://cloud.google.com/run/docs/configuring/jobs/memory-limits and .../jobs/cpu; jobs
 * always run in the second generation environment:
 * https://cloud.google.com/run/docs/about-execution-environments
 */
const DEFAULTS: Record<string, string> = {
  tasks: '1',
  parallelism: '0',
  retries: '3',
  timeout: '600s',
  'execution environment': 'gen2',
  'launch stage': 'GA',
};
const CONTAINER_DEFAULTS: Record<string, string> = { cpu: '1', memory: '512Mi' };

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
export const asObject = (v: unknown): Json => (isObject(v) ? v : {});
export const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * Proto3 JSON without what carries no meaning: absent, null, "", false, [] and {} are all
 * "unset" on the wire. Keys sorted, so equal messages print alike.
 */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical).filter((v) => v !== undefined);
    return items.length ? items : undefined;
  }
  if (isObject(value)) {
    const out: Json = {};
    for (const key of Object.keys(value).sort()) {
      const v = canonical(value[key]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (value === null || value === undefined || value === '' || value === false) return undefined;
  return value;
}

/** Drop the v2 schema's output-only fields, message by message. */
function withoutOutputOnly(value: unknown, type: string): unknown {
  const messages = schema.messages as Record<
    string,
    { fields: Record<string, string>; outputOnly?: string[] }
  >;
  const message = messages[type.replace(/\[\]$/, '')];
  if (Array.isArray(value)) return value.map((v) => withoutOutputOnly(v, type));
  if (!message || !isObject(value)) return value;
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    if (message.outputOnly?.includes(key)) continue;
    const fieldType = message.fields[key];
    out[key] = fieldType ? withoutOutputOnly(v, fieldType) : v;
  }
  return out;
}

/** Take a field out of `from` (what is left over becomes `other` settings). */
export function take(from: Json, key: string): unknown {
  const v = from[key];
  delete from[key];
  return v;
}

export class Collector {
  readonly flat: Flat = new Map();
  readonly containers: string[] = [];
  put(field: string, value: unknown, key?: string, plain?: boolean): void {
    if (value === undefined) return;
    const entry: Entry = { field, value: text(value) };
    if (key !== undefined) entry.key = key;
    if (plain) entry.plain = true;
    this.flat.set(`${field}\u0000${key ?? ''}`, entry);
  }
  map(field: string, value: unknown, skip: readonly string[] = []): void {
    for (const [k, v] of Object.entries(asObject(value))) if (!skip.includes(k)) this.put(field, v, k);
  }
  /** Whatever is left, leaf by leaf under its JSON path. */
  rest(value: unknown, path: string): void {
    if (isObject(value)) for (const [k, v] of Object.entries(value)) this.rest(v, path ? `${path}.${k}` : k);
    else if (Array.isArray(value)) for (const [i, v] of value.entries()) this.rest(v, `${path}[${i}]`);
    else if (value !== undefined) this.put('other', value, path);
  }
}

const cpu = (v: unknown) => (typeof v === 'string' ? v.replace(/^(\d+)000m$/, '$1') : v);
export const seconds = (v: unknown) =>
  v === undefined ? undefined : `${String(v).replace(/s$/, '').replace(/\.0+$/, '')}s`;
/** EXECUTION_ENVIRONMENT_GEN2 -> gen2, as v1 spells it; unspecified is the default for a job. */
const environment = (v: unknown) =>
  v === undefined || v === 'EXECUTION_ENVIRONMENT_UNSPECIFIED'
    ? undefined
    : String(v)
        .replace(/^EXECUTION_ENVIRONMENT_/, '')
        .toLowerCase();

/** A container's settings; `of` names a container after the first (sidecars) in the field. */
export function container(c: Collector, raw: unknown, index: number, v1: boolean): void {
  const ctr = { ...asObject(raw) };
  const name = take(ctr, 'name');
  const of = index === 0 ? '' : ` (${typeof name === 'string' ? name : `container ${index + 1}`})`;
  c.containers.push(of);
  c.put(`image${of}`, take(ctr, 'image'));
  const command = take(ctr, 'command');
  if (command) c.put(`command${of}`, asList(command).map(text).join(' '));
  const args = take(ctr, 'args');
  if (args) c.put(`args${of}`, asList(args).map(text).join(' '));
  for (const raw of asList(take(ctr, 'env'))) {
    const e = asObject(raw);
    const envName = typeof e.name === 'string' ? e.name : '';
    const ref = v1
      ? asObject(asObject(e.valueFrom).secretKeyRef)
      : asObject(asObject(e.valueSource).secretKeyRef);
    const secret = v1 ? ref.name : ref.secret;
    const version = (v1 ? ref.key : ref.version) ?? 'latest';
    if (secret !== undefined) c.put(`env${of}`, `secret ${text(secret)}:${text(version)}`, envName);
    else c.put(`env${of}`, e.value ?? '', envName, true);
  }
  const resources = { ...asObject(take(ctr, 'resources')) };
  const limits = { ...asObject(take(resources, 'limits')) };
  c.put(`cpu${of}`, cpu(take(limits, 'cpu')));
  c.put(`memory${of}`, take(limits, 'memory'));
  c.put(`gpu${of}`, take(limits, GPU_LIMIT));
  c.map(`limit${of}`, limits);
  for (const raw of asList(take(ctr, 'volumeMounts'))) {
    const m = asObject(raw);
    c.put(`mount${of}`, m.name, text(m.mountPath));
  }
  c.rest({ ...ctr, ...(Object.keys(resources).length ? { resources } : {}) }, `container${of}`);
}

/** The settings of a v2 Job (the body of a create or PATCH, or the job as read). */
export function flattenV2(job: unknown, options: FlattenOptions = {}): Flat {
  const rest = asObject(canonical(withoutOutputOnly(job, schema.root)));
  for (const k of ['name', 'client', 'clientVersion', 'runExecutionToken', 'startExecutionToken'])
    delete rest[k];
  const c = new Collector();
  c.map('label', take(rest, 'labels'), STAMPED_LABELS);
  c.map('annotation', take(rest, 'annotations'), [DEPLOY_ID_KEY]);
  c.put('launch stage', take(rest, 'launchStage'));
  const binauthz = { ...asObject(take(rest, 'binaryAuthorization')) };
  c.put('binary authorization', take(binauthz, 'useDefault') ? 'default' : take(binauthz, 'policy'));
  c.put('breakglass', take(binauthz, 'breakglassJustification'));
  c.rest(binauthz, 'binaryAuthorization');
  const execution = { ...asObject(take(rest, 'template')) };
  c.map('execution annotation', take(execution, 'annotations'));
  c.map('execution label', take(execution, 'labels'));
  c.put('tasks', take(execution, 'taskCount'));
  c.put('parallelism', take(execution, 'parallelism'));
  const task = { ...asObject(take(execution, 'template')) };
  c.put('service account', take(task, 'serviceAccount'));
  c.put('retries', take(task, 'maxRetries'));
  c.put('timeout', seconds(take(task, 'timeout')));
  c.put('key', take(task, 'encryptionKey'));
  c.put('execution environment', environment(take(task, 'executionEnvironment')));
  const vpc = { ...asObject(take(task, 'vpcAccess')) };
  c.put('vpc connector', take(vpc, 'connector'));
  c.put('vpc egress', take(vpc, 'egress'));
  for (const [i, n] of asList(take(vpc, 'networkInterfaces')).entries())
    c.put('vpc network', networkText(n), String(i + 1));
  const selector = { ...asObject(take(task, 'nodeSelector')) };
  c.put('gpu type', take(selector, 'accelerator'));
  if (take(task, 'gpuZonalRedundancyDisabled')) c.put('gpu zonal redundancy', 'disabled');
  for (const raw of asList(take(task, 'volumes'))) {
    const v = { ...asObject(raw) };
    const name = text(take(v, 'name'));
    const sql = asList(asObject(take(v, 'cloudSqlInstance')).instances);
    for (const instance of sql) c.put('cloud sql', name, text(instance));
    if (Object.keys(v).length) c.put('volume', JSON.stringify(v), name);
  }
  for (const [i, ctr] of asList(take(task, 'containers')).entries()) container(c, ctr, i, false);
  c.rest(
    { ...rest, template: { ...execution, template: { ...task, vpcAccess: vpc, nodeSelector: selector } } },
    '',
  );
  return fill(c, options);
}

export function networkText(n: unknown): string {
  const o = asObject(n);
  const tags = asList(o.tags).map(text);
  return [o.network, o.subnetwork, tags.length ? `tags ${tags.join(',')}` : undefined]
    .filter((p) => p !== undefined)
    .map(text)
    .join(' ');
}

export function fill(c: Collector, options: FlattenOptions): Flat {
  if (!options.defaults) return c.flat;
  const put = (field: string, value: string) => {
    if (!c.flat.has(`${field}\u0000`)) c.put(field, value);
  };
  for (const [field, value] of Object.entries(DEFAULTS)) put(field, value);
  // The project's default compute account runs a job that names none (v2 TaskTemplate.serviceAccount).
  if (options.defaultServiceAccount) put('service account', options.defaultServiceAccount);
  for (const of of c.containers)
    for (const [field, value] of Object.entries(CONTAINER_DEFAULTS)) put(`${field}${of}`, value);
  return c.flat;
}
