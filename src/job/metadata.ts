// Reads a job.yaml in the Knative v1 shape `gcloud run jobs replace` takes (pure: text in,
// data out). Besides the object to send, it extracts what the plan and the IAM checks need
// (image, runtime service account, secret references) with the file line that set each, so a
// finding can be annotated on that line.
import { LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { InputError } from '../job-rules/input-error.ts';
import { type NameKind, nameProblem } from '../job-rules/names.ts';
import type { SourceLocation } from '../model.ts';

export interface ManifestSecret {
  /** Env var name, or volume name for a mounted secret. */
  name: string;
  /** Secret id, or projects/P/secrets/S when the alias annotation points elsewhere. */
  secret: string;
  project?: string;
  version: string;
  location?: SourceLocation;
}

export interface JobManifest {
  /** The whole document as plain JSON, what v1 replace sends. */
  job: Record<string, unknown>;
  name: string;
  namespace?: string;
  image?: string;
  serviceAccountName?: string;
  secrets: ManifestSecret[];
  locations: { name?: SourceLocation; image?: SourceLocation; serviceAccountName?: SourceLocation };
  /** Where a field of the document is written (its value's line), for the job's rules to point at. */
  locate?: (path: Array<string | number>) => SourceLocation | undefined;
}

/** A bad job.yaml is a bad `metadata` input: reported like every other input problem. */
export class ManifestError extends InputError {
  constructor(file: string, problem: string, location?: SourceLocation) {
    super([`Input "metadata": ${file}${location ? `:${location.line}` : ''}: ${problem}`], location);
    this.name = 'ManifestError';
  }
}

const ALIASES_ANNOTATION = 'run.googleapis.com/secrets';

/** Parse and validate a job.yaml; `file` is the workspace-relative path for locations and messages. */
export function parseManifest(text: string, file: string): JobManifest {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length) {
    const first = doc.errors[0];
    const where = first?.linePos?.[0] ? ` (line ${first.linePos[0].line})` : '';
    throw new ManifestError(file, `not valid YAML${where}: ${first?.message.split('\n')[0] ?? ''}`);
  }
  let job: unknown;
  try {
    // Aliases are bounded: a "billion laughs" document is refused, not expanded.
    job = doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (e) {
    throw new ManifestError(file, `not accepted: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!isRecord(job))
    throw new ManifestError(file, 'expected a mapping with apiVersion, kind, metadata and spec');
  if (job.apiVersion !== 'run.googleapis.com/v1')
    throw new ManifestError(
      file,
      `apiVersion must be run.googleapis.com/v1, got ${JSON.stringify(job.apiVersion)}`,
    );
  if (job.kind !== 'Job') throw new ManifestError(file, `kind must be Job, got ${JSON.stringify(job.kind)}`);
  const metadata = job.metadata;
  if (!isRecord(metadata) || typeof metadata.name !== 'string' || !metadata.name)
    throw new ManifestError(file, 'metadata.name is required');

  const at = (path: Array<string | number>): SourceLocation | undefined => {
    const node = doc.getIn(path, true) as YamlNode | undefined;
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const pos = lines.linePos(offset);
    return { file, line: pos.line, column: pos.col };
  };

  const taskPath = ['spec', 'template', 'spec', 'template', 'spec'];
  const task = dig(job, taskPath);
  const containers = isRecord(task) && Array.isArray(task.containers) ? task.containers : [];
  const manifest: JobManifest = { job, name: metadata.name, secrets: [], locations: {}, locate: at };
  if (typeof metadata.namespace === 'string' && metadata.namespace) manifest.namespace = metadata.namespace;
  const put = <K extends keyof JobManifest['locations']>(key: K, loc: SourceLocation | undefined) => {
    if (loc) manifest.locations[key] = loc;
  };
  put('name', at(['metadata', 'name']));

  const first = containers[0];
  if (isRecord(first) && typeof first.image === 'string') {
    manifest.image = first.image;
    put('image', at([...taskPath, 'containers', 0, 'image']));
  } else {
    throw new ManifestError(file, `${taskPath.join('.')}.containers[0].image is required`);
  }
  if (isRecord(task) && typeof task.serviceAccountName === 'string' && task.serviceAccountName) {
    manifest.serviceAccountName = task.serviceAccountName;
    put('serviceAccountName', at([...taskPath, 'serviceAccountName']));
  }

  const aliases = parseAliases(dig(job, ['spec', 'template', 'metadata', 'annotations', ALIASES_ANNOTATION]));
  const addSecret = (name: string, ref: string, version: string, loc: SourceLocation | undefined) => {
    const target = aliases[ref] ?? ref;
    const full = /^projects\/([^/]+)\/secrets\/([^/]+)$/.exec(target);
    const secret: ManifestSecret = { name, secret: full?.[2] ?? target, version };
    if (full?.[1]) secret.project = full[1];
    if (loc) secret.location = loc;
    manifest.secrets.push(secret);
  };
  containers.forEach((container, c) => {
    if (!isRecord(container) || !Array.isArray(container.env)) return;
    container.env.forEach((env, e) => {
      const ref = dig(env, ['valueFrom', 'secretKeyRef']);
      if (!isRecord(env) || !isRecord(ref) || typeof ref.name !== 'string') return;
      const version = typeof ref.key === 'string' && ref.key ? ref.key : 'latest';
      const loc = at([...taskPath, 'containers', c, 'env', e, 'valueFrom', 'secretKeyRef', 'name']);
      addSecret(String(env.name), ref.name, version, loc);
    });
  });
  const volumes = isRecord(task) && Array.isArray(task.volumes) ? task.volumes : [];
  volumes.forEach((volume, v) => {
    const secret = isRecord(volume) ? volume.secret : undefined;
    if (!isRecord(volume) || !isRecord(secret) || typeof secret.secretName !== 'string') return;
    const loc = at([...taskPath, 'volumes', v, 'secret', 'secretName']);
    const items = Array.isArray(secret.items) ? secret.items.filter(isRecord) : [];
    const versions = items.length ? items.map((i) => String(i.key ?? 'latest')) : ['latest'];
    for (const version of new Set(versions)) addSecret(String(volume.name), secret.secretName, version, loc);
  });
  validateNames(manifest, file, taskPath.join('.'), at);
  return manifest;
}

/**
 * Names from the file are checked exactly as the inputs that set them are: a service account
 * `runtime@p.iam.gserviceaccount.com/../batch@p...` or a secret `db/../payroll-key` never
 * reaches a resource name.
 */
function validateNames(
  m: JobManifest,
  file: string,
  task: string,
  at: (path: Array<string | number>) => SourceLocation | undefined,
): void {
  const check = (kind: NameKind, field: string, value: string, location?: SourceLocation) => {
    const problem = nameProblem(kind, value);
    if (problem) throw new ManifestError(file, `${field} ${problem}`, location);
  };
  check('job', 'metadata.name', m.name, at(['metadata', 'name']));
  if (m.namespace !== undefined && !/^\d{1,20}$/.test(m.namespace))
    check('project', 'metadata.namespace', m.namespace);
  if (m.image !== undefined) check('image', `${task}.containers[0].image`, m.image, m.locations.image);
  if (m.serviceAccountName !== undefined)
    check(
      'serviceAccount',
      `${task}.serviceAccountName`,
      m.serviceAccountName,
      m.locations.serviceAccountName,
    );
  for (const s of m.secrets) {
    const where = `the secret of ${JSON.stringify(s.name.slice(0, 100))}`;
    check('envName', `${where}: its name`, s.name, s.location);
    check('secret', where, s.secret, s.location);
    if (s.project !== undefined && !/^\d{1,20}$/.test(s.project))
      check('project', `${where}: its project`, s.project, s.location);
    check('secretVersion', `${where}: its version`, s.version, s.location);
  }
}

/** `alias:projects/P/secrets/S,alias2:...` -> alias -> full name. */
function parseAliases(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== 'string') return out;
  for (const part of value.split(',')) {
    const at = part.indexOf(':');
    if (at > 0) out[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return out;
}

function dig(value: unknown, path: Array<string | number>): unknown {
  let cur = value;
  for (const key of path) {
    if (Array.isArray(cur) && typeof key === 'number') cur = cur[key];
    else if (isRecord(cur) && typeof key === 'string') cur = cur[key];
    else return undefined;
  }
  return cur;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
