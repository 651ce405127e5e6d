// Pure: which file and line set the value a finding is about. In the job.yaml (metadata input)
// that is the serviceAccountName / image / secret reference / metadata.name line; otherwise it
// is the input under `with:` of this very step in the workflow file. When the step cannot be
// told apart from others, there is no location: an annotation on a wrong line is worse than
// one without a line.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type YAMLMap } from 'yaml';
import type { SourceLocation, Subject } from '../model.ts';

export interface StepHints {
  /** GITHUB_ACTION: the step's `id`, or a generated `__owner_repo[_N]` / `__self` when it has none. */
  action?: string;
  /** GITHUB_JOB: the key of the running job under `jobs:`. */
  job?: string;
  /** GITHUB_ACTION_REPOSITORY: owner/repo of this action (empty for local actions). */
  actionRepository?: string;
  /** GITHUB_ACTION_PATH relative to the workspace, for `uses: ./path` steps ('.' for the root). */
  actionPath?: string;
}

export interface LocateSources {
  metadata?: { file: string; text: string; image?: string };
  workflow?: { file: string; text: string; step: StepHints };
}

interface Parsed {
  map: YAMLMap | undefined;
  lines: LineCounter;
  file: string;
}

/**
 * Each finding is located on its own, but a step has one workflow file and a job.yaml per target:
 * each text is parsed once (a report of 20 jobs otherwise parsed its job.yaml files ~500 times,
 * 56 ms of the step's CPU in `node --cpu-prof`). Bounded, as a long-lived caller could pass many.
 */
const parsed = new Map<string, Parsed>();
const PARSED_MAX = 64;

function parse(text: string, file: string): Parsed {
  const key = `${file}\n${text}`;
  const known = parsed.get(key);
  if (known) return known;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const map = doc.errors.length === 0 && isMap(doc.contents) ? doc.contents : undefined;
  if (parsed.size >= PARSED_MAX) parsed.clear();
  const p = { map, lines, file };
  parsed.set(key, p);
  return p;
}

function get(node: unknown, key: string): unknown {
  return isMap(node) ? node.get(key, true) : undefined;
}

function str(node: unknown): string | undefined {
  return isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')
    ? String(node.value)
    : undefined;
}

/** Location of the key `key` of a map (the line a reviewer would edit). */
function keyLine(p: Parsed, map: unknown, key: string): SourceLocation | undefined {
  if (!isMap(map)) return undefined;
  const pair = map.items.find((i) => isPair(i) && str(i.key) === key);
  const offset = pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
  return offset === undefined ? undefined : at(p, offset);
}

function at(p: Parsed, offset: number): SourceLocation {
  const pos = p.lines.linePos(offset);
  return { file: p.file, line: pos.line, column: pos.col };
}

function items(node: unknown): unknown[] {
  return isSeq(node) ? node.items : [];
}

/** The single element that matches, or none when zero or several do. */
function only<T>(list: T[]): T | undefined {
  return list.length === 1 ? list[0] : undefined;
}

/** The job.yaml annotation that sets what a finding about a connected resource is about. */
const CONNECTED_ANNOTATION = {
  cloudsql_instances: 'run.googleapis.com/cloudsql-instances',
  network: 'run.googleapis.com/network-interfaces',
  vpc_connector: 'run.googleapis.com/vpc-access-connector',
  kms_key: 'run.googleapis.com/encryption-key',
} as const;

export function locateInJobYaml(
  text: string,
  file: string,
  subject: Subject,
  image?: string,
): SourceLocation | undefined {
  const p = parse(text, file);
  if (!p.map) return undefined;
  const metadata = get(p.map, 'metadata');
  const task = get(get(get(get(get(p.map, 'spec'), 'template'), 'spec'), 'template'), 'spec');
  const containers = items(get(task, 'containers'));
  switch (subject) {
    case 'job':
      return keyLine(p, metadata, 'name');
    case 'project_id':
      return keyLine(p, metadata, 'namespace');
    case 'region':
      return keyLine(p, get(metadata, 'labels'), 'cloud.googleapis.com/location');
    case 'service_account':
      return keyLine(p, task, 'serviceAccountName');
    case 'image': {
      const withImage = containers.filter((c) => str(get(c, 'image')) !== undefined);
      const chosen =
        withImage.length === 1
          ? withImage[0]
          : only(withImage.filter((c) => image && str(get(c, 'image')) === image));
      return keyLine(p, chosen, 'image');
    }
    case 'cloudsql_instances':
    case 'network':
    case 'vpc_connector':
    case 'kms_key': {
      // gcloud writes these on the execution template's annotations; the job's own are read too.
      const key = CONNECTED_ANNOTATION[subject];
      const execution = get(get(get(get(p.map, 'spec'), 'template'), 'metadata'), 'annotations');
      return keyLine(p, execution, key) ?? keyLine(p, get(metadata, 'annotations'), key);
    }
    case 'volumes':
      return keyLine(p, task, 'volumes');
    // Settings a refusal names (a field violation, a constraint, a timeout): their job.yaml keys
    // (Knative v1 Job: https://cloud.google.com/run/docs/reference/rest/v1/namespaces.jobs).
    case 'task_timeout':
      return keyLine(p, task, 'timeoutSeconds');
    case 'max_retries':
      return keyLine(p, task, 'maxRetries');
    case 'tasks':
      return keyLine(p, get(get(get(p.map, 'spec'), 'template'), 'spec'), 'taskCount');
    case 'parallelism':
      return keyLine(p, get(get(get(p.map, 'spec'), 'template'), 'spec'), 'parallelism');
    case 'memory':
    case 'cpu':
      return keyLine(p, get(get(only(containers), 'resources'), 'limits'), subject);
    case 'vpc_egress':
      return keyLine(
        p,
        get(get(get(get(p.map, 'spec'), 'template'), 'metadata'), 'annotations'),
        'run.googleapis.com/vpc-access-egress',
      );
    default: {
      if (!subject.startsWith('secret:')) return undefined;
      const name = subject.slice('secret:'.length);
      const refs = containers.flatMap((c) =>
        items(get(c, 'env'))
          .filter((e) => str(get(e, 'name')) === name)
          .map((e) => get(get(e, 'valueFrom'), 'secretKeyRef'))
          .filter(isMap),
      );
      const ref = only(refs);
      if (ref) return keyLine(p, ref, 'name');
      const volumes = items(get(task, 'volumes')).filter(
        (v) => str(get(v, 'name')) === name && isMap(get(v, 'secret')),
      );
      return refs.length === 0 ? keyLine(p, get(only(volumes), 'secret'), 'secretName') : undefined;
    }
  }
}

/** `owner/repo/sub@ref` -> `owner/repo/sub`; `./x/` -> `./x`. */
function usesTarget(uses: string): string {
  return uses
    .replace(/@[^@]*$/, '')
    .replace(/\/+$/, '')
    .toLowerCase();
}

function normPath(path: string): string {
  const parts = path
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s && s !== '.');
  return parts.join('/').toLowerCase();
}

/** Does `uses:` refer to this action? Undefined when the hints cannot tell. */
function refersToThisAction(uses: string, hints: StepHints): boolean | undefined {
  const target = usesTarget(uses);
  if (target.startsWith('./') || target === '.') {
    return hints.actionPath === undefined ? undefined : normPath(target) === normPath(hints.actionPath);
  }
  if (target.startsWith('docker://')) return false;
  if (!hints.actionRepository) return undefined;
  const repo = hints.actionRepository.toLowerCase();
  return target === repo || target.startsWith(`${repo}/`);
}

/** The id the runner gives a step without one: `__owner_repo` (hyphens kept), `__self` for local actions. */
function generatedBase(uses: string): string {
  const target = usesTarget(uses);
  if (target.startsWith('.')) return '__self';
  return `__${target
    .split('/')
    .slice(0, 2)
    .join('_')
    .replace(/[^a-z0-9_-]/g, '_')}`;
}

interface Step {
  map: YAMLMap;
  uses: string;
  id?: string;
}

function stepsOf(job: unknown): Step[] {
  return items(get(job, 'steps')).flatMap((s) => {
    const uses = str(get(s, 'uses'));
    if (!isMap(s)) return [];
    const step: Step = { map: s, uses: uses ?? '' };
    const id = str(get(s, 'id'));
    if (id) step.id = id;
    return [step];
  });
}

/** This action's step, or undefined when it cannot be identified without doubt. */
export function findStep(p: Parsed, hints: StepHints): Step | undefined {
  const jobs = get(p.map, 'jobs');
  if (!isMap(jobs)) return undefined;
  let scope: unknown[];
  if (hints.job) {
    const job = jobs.get(hints.job, true);
    if (!job) return undefined;
    scope = [job];
  } else {
    scope = jobs.items.map((i) => i.value);
  }
  const steps = scope.flatMap(stepsOf);
  const ours = (s: Step) => s.uses !== '' && refersToThisAction(s.uses, hints) !== false;

  if (hints.action && !hints.action.startsWith('__')) {
    const byId = only(steps.filter((s) => s.id === hints.action));
    return byId && ours(byId) ? byId : undefined;
  }
  const candidates = steps.filter((s) => s.uses !== '' && refersToThisAction(s.uses, hints) === true);
  if (candidates.length === 1) return candidates[0];
  // Several steps use this action: the generated id's ordinal picks one, within one job only.
  if (!hints.action || !hints.job || candidates.length === 0) return undefined;
  const unnamed = candidates.filter((s) => !s.id);
  const base = only([...new Set(unnamed.map((s) => generatedBase(s.uses)))]);
  if (!base) return undefined;
  const action = hints.action.toLowerCase();
  if (action === base) return unnamed[0];
  const n = action.startsWith(`${base}_`) ? /^_(\d+)$/.exec(action.slice(base.length))?.[1] : undefined;
  return n ? unnamed[Number(n) - 1] : undefined;
}

/** The input a subject is set by. */
export function inputOf(subject: Subject): string {
  if (subject.startsWith('input:')) return subject.slice('input:'.length);
  return subject.startsWith('secret:') ? 'secrets' : subject;
}

export function locateInWorkflow(
  text: string,
  file: string,
  subject: Subject,
  hints: StepHints,
  viaMetadata = false,
): SourceLocation | undefined {
  const p = parse(text, file);
  if (!p.map) return undefined;
  const step = findStep(p, hints);
  if (!step) return undefined;
  const withMap = get(step.map, 'with');
  const input = inputOf(subject);
  const direct = keyLine(p, withMap, input);
  if (direct && subject.startsWith('secret:'))
    return secretLine(p, text, withMap, subject.slice(7)) ?? direct;
  return (
    direct ??
    (viaMetadata ? keyLine(p, withMap, 'metadata') : undefined) ??
    keyLine(p, step.map, 'with') ??
    keyLine(p, step.map, 'uses')
  );
}

/** In a multi-line `secrets:` value, the line that names NAME=... */
function secretLine(p: Parsed, text: string, withMap: unknown, name: string): SourceLocation | undefined {
  const value = get(withMap, 'secrets');
  const range = isScalar(value) ? value.range : undefined;
  if (!range) return undefined;
  const body = text.slice(range[0], range[1]);
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`(^|[\\n,|>]\\s*)${escaped}\\s*=`).exec(body);
  if (!m) return undefined;
  return at(p, range[0] + m.index + (m[1]?.length ?? 0));
}

const YAML_SUBJECTS = (s: Subject) =>
  s === 'service_account' ||
  s === 'image' ||
  s === 'job' ||
  s.startsWith('secret:') ||
  s in CONNECTED_ANNOTATION ||
  s === 'volumes';

/** The place to annotate for a finding's subject: the job.yaml line first, else this step's input. */
export function locate(subject: Subject | undefined, sources: LocateSources): SourceLocation | undefined {
  if (!subject) return undefined;
  const m = sources.metadata;
  if (m) {
    const inYaml = locateInJobYaml(m.text, m.file, subject, m.image);
    if (inYaml) return inYaml;
  }
  const w = sources.workflow;
  if (!w) return undefined;
  return locateInWorkflow(w.text, w.file, subject, w.step, m !== undefined && YAML_SUBJECTS(subject));
}

/** `owner/repo/.github/workflows/x.yml@refs/heads/main` -> the workflow path, when it is this repository's. */
export function workflowPathFromRef(
  ref: string | undefined,
  repository: string | undefined,
): string | undefined {
  const m = /^([^/]+)\/([^/]+)\/(.+?)@[^@]*$/.exec(ref ?? '');
  if (!m?.[3]) return undefined;
  if (repository && `${m[1]}/${m[2]}`.toLowerCase() !== repository.toLowerCase()) return undefined;
  return m[3];
}
