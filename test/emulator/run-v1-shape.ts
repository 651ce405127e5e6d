// Conversion between the stored v2 Job/Execution JSON and the Knative-style v1 shape that
// `gcloud run jobs replace/describe/execute` speak. Fields with the same meaning map both ways
// so a v1 round trip loses nothing the v2 store can hold.
import type { WorldProject } from './contract.ts';
import { laggingCondition } from './run-jobs.ts';
import { asArray, asJson, type JobRef, type Json, str } from './run-model.ts';
import {
  jobAnnotationsToV1,
  jobAnnotationsToV2,
  templateAnnotationsToV1,
  templateAnnotationsToV2,
  volumeSourceToV1,
  volumeSourceToV2,
} from './run-v1-features.ts';

export const V1_API = 'run.googleapis.com/v1';
const LOCATION_LABEL = 'cloud.googleapis.com/location';
const SERVER_ANNOTATIONS = [
  'run.googleapis.com/creator',
  'run.googleapis.com/lastModifier',
  'run.googleapis.com/launch-stage',
];
/** v1 annotations that are v2 Job fields (gcloud's k8s_object CLIENT_NAME/VERSION_ANNOTATION). */
const CLIENT_ANNOTATIONS = {
  client: 'run.googleapis.com/client-name',
  clientVersion: 'run.googleapis.com/client-version',
};

const v1State: Record<string, string> = {
  CONDITION_SUCCEEDED: 'True',
  CONDITION_FAILED: 'False',
  CONDITION_PENDING: 'Unknown',
  CONDITION_RECONCILING: 'Unknown',
};
/** CONTAINER_MISSING -> ContainerMissing, the reason spelling of the v1 surface. */
const camel = (s: string) =>
  s
    .toLowerCase()
    .split('_')
    .map((w) => (w ? (w[0] ?? '').toUpperCase() + w.slice(1) : ''))
    .join('');

export function conditionToV1(c: Json): Json {
  const out: Json = { type: c.type, status: v1State[String(c.state)] ?? 'Unknown' };
  const reason = str(c.reason) ?? str(c.executionReason);
  if (reason) out.reason = camel(reason);
  if (c.message) out.message = c.message;
  if (c.lastTransitionTime) out.lastTransitionTime = c.lastTransitionTime;
  return out;
}

const seconds = (d: unknown) =>
  typeof d === 'string' ? d.replace(/s$/, '').replace(/\.0+$/, '') : undefined;

function envToV1(env: unknown): Json[] {
  return asArray(env).map((e) => {
    const ref = asJson(asJson(e.valueSource).secretKeyRef);
    if (!ref.secret) return e;
    const { valueSource: _, ...rest } = e;
    return { ...rest, valueFrom: { secretKeyRef: { name: ref.secret, key: ref.version ?? 'latest' } } };
  });
}
function envToV2(env: unknown): Json[] {
  return asArray(env).map((e) => {
    const ref = asJson(asJson(e.valueFrom).secretKeyRef);
    if (!ref.name) return e;
    const { valueFrom: _, ...rest } = e;
    return { ...rest, valueSource: { secretKeyRef: { secret: ref.name, version: ref.key ?? 'latest' } } };
  });
}

function volumesToV1(volumes: unknown): Json[] {
  return asArray(volumes).map((v) => {
    const s = asJson(v.secret);
    if (!s.secret) return volumeSourceToV1(v);
    const secret: Json = { secretName: s.secret };
    if (s.defaultMode !== undefined) secret.defaultMode = s.defaultMode;
    if (Array.isArray(s.items)) {
      secret.items = asArray(s.items).map((i) => {
        const { version, ...rest } = i;
        return { ...rest, key: version ?? 'latest' };
      });
    }
    return { ...v, secret };
  });
}
function volumesToV2(volumes: unknown): Json[] {
  return asArray(volumes).map((v) => {
    const s = asJson(v.secret);
    if (!s.secretName) return volumeSourceToV2(v);
    const secret: Json = { secret: s.secretName };
    if (s.defaultMode !== undefined) secret.defaultMode = s.defaultMode;
    if (Array.isArray(s.items)) {
      secret.items = asArray(s.items).map((i) => {
        const { key, ...rest } = i;
        return { ...rest, version: key ?? 'latest' };
      });
    }
    return { ...v, secret };
  });
}

/** v2 TaskTemplate -> v1 TaskSpec. */
export function taskToV1(task: Json): Json {
  const spec: Json = {
    containers: asArray(task.containers).map((c) => ({ ...c, env: envToV1(c.env) })),
  };
  for (const c of spec.containers as Json[]) if ((c.env as Json[]).length === 0) delete c.env;
  if (task.maxRetries !== undefined) spec.maxRetries = task.maxRetries;
  const timeout = seconds(task.timeout);
  if (timeout) spec.timeoutSeconds = timeout;
  if (task.serviceAccount) spec.serviceAccountName = task.serviceAccount;
  if (Array.isArray(task.volumes)) spec.volumes = volumesToV1(task.volumes);
  return spec;
}

/** v1 TaskSpec -> v2 TaskTemplate. */
export function taskToV2(spec: Json): Json {
  const task: Json = {
    containers: asArray(spec.containers).map((c) => {
      const out: Json = { ...c };
      const env = envToV2(c.env);
      if (env.length > 0) out.env = env;
      else delete out.env;
      return out;
    }),
  };
  if (spec.maxRetries !== undefined) task.maxRetries = Number(spec.maxRetries);
  if (spec.timeoutSeconds !== undefined) task.timeout = `${spec.timeoutSeconds}s`;
  if (spec.serviceAccountName) task.serviceAccount = spec.serviceAccountName;
  if (Array.isArray(spec.volumes)) task.volumes = volumesToV2(spec.volumes);
  return task;
}

function withoutKeys(obj: unknown, keys: string[]): Json | undefined {
  const out = { ...asJson(obj) };
  for (const k of keys) delete out[k];
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Stored v2 job -> v1 Job. */
export function jobToV1(job: Json, ref: JobRef, project: WorldProject | undefined): Json {
  const template = asJson(job.template);
  const namespace = project?.number ?? ref.projectId;
  const annotations: Json = { ...asJson(job.annotations) };
  if (job.creator) annotations['run.googleapis.com/creator'] = job.creator;
  if (job.lastModifier) annotations['run.googleapis.com/lastModifier'] = job.lastModifier;
  if (job.launchStage && job.launchStage !== 'GA')
    annotations['run.googleapis.com/launch-stage'] = job.launchStage;
  for (const [field, key] of Object.entries(CLIENT_ANNOTATIONS))
    if (job[field]) annotations[key] = job[field];
  Object.assign(annotations, jobAnnotationsToV1(job));
  const execMeta: Json = {};
  const taskSpec = taskToV1(asJson(template.template));
  const features = templateAnnotationsToV1(asJson(template.template), taskSpec);
  if (template.annotations || Object.keys(features).length)
    execMeta.annotations = { ...asJson(template.annotations), ...features };
  if (template.labels) execMeta.labels = template.labels;
  const execSpec: Json = {
    taskCount: template.taskCount ?? 1,
    template: { spec: taskSpec },
  };
  if (template.parallelism !== undefined) execSpec.parallelism = template.parallelism;
  const status: Json = {
    ...(job.observedGeneration !== undefined ? { observedGeneration: Number(job.observedGeneration) } : {}),
    conditions: [laggingCondition(job) ?? asJson(job.terminalCondition), ...asArray(job.conditions)]
      .filter((c) => c.type)
      .map(conditionToV1),
    executionCount: job.executionCount ?? 0,
  };
  const latest = asJson(job.latestCreatedExecution);
  if (latest.name) {
    const ref1: Json = { name: String(latest.name).split('/').pop(), creationTimestamp: latest.createTime };
    if (latest.completionTime) ref1.completionTimestamp = latest.completionTime;
    if (latest.completionStatus) ref1.completionStatus = latest.completionStatus;
    status.latestCreatedExecution = ref1;
  }
  return {
    apiVersion: V1_API,
    kind: 'Job',
    metadata: {
      name: ref.job,
      namespace,
      selfLink: `/apis/run.googleapis.com/v1/namespaces/${namespace}/jobs/${ref.job}`,
      uid: job.uid,
      resourceVersion: String(job.etag ?? '').replaceAll('"', ''),
      generation: Number(job.generation ?? 1),
      creationTimestamp: job.createTime,
      labels: { ...asJson(job.labels), [LOCATION_LABEL]: ref.location },
      annotations,
    },
    spec: { template: { metadata: execMeta, spec: execSpec } },
    status,
  };
}

/** v1 Job body -> the client fields of a v2 job (labels, annotations, launchStage, template). */
export function jobBodyToV2(body: Json): Json {
  const meta = asJson(body.metadata);
  const execTemplate = asJson(asJson(body.spec).template);
  const execSpec = asJson(execTemplate.spec);
  const execMeta = asJson(execTemplate.metadata);
  const template: Json = { template: taskToV2(asJson(asJson(execSpec.template).spec)) };
  if (execSpec.taskCount !== undefined) template.taskCount = Number(execSpec.taskCount);
  if (execSpec.parallelism !== undefined) template.parallelism = Number(execSpec.parallelism);
  const templateAnnotations = templateAnnotationsToV2(
    asJson(execMeta.annotations),
    asJson(template.template),
  );
  if (templateAnnotations) template.annotations = templateAnnotations;
  if (execMeta.labels) template.labels = execMeta.labels;
  const out: Json = { template };
  const labels = withoutKeys(meta.labels, [LOCATION_LABEL]);
  if (labels) out.labels = labels;
  const annotations = jobAnnotationsToV2(
    withoutKeys(meta.annotations, [...SERVER_ANNOTATIONS, ...Object.values(CLIENT_ANNOTATIONS)]),
    out,
  );
  if (annotations) out.annotations = annotations;
  for (const [field, key] of Object.entries(CLIENT_ANNOTATIONS)) {
    const value = str(asJson(meta.annotations)[key]);
    if (value) out[field] = value;
  }
  const stage = str(asJson(meta.annotations)['run.googleapis.com/launch-stage']);
  if (stage) out.launchStage = stage;
  return out;
}

/** Stored v2 execution -> v1 Execution. */
export function executionToV1(
  execution: Json,
  ref: JobRef,
  project: WorldProject | undefined,
  jobUid: unknown,
): Json {
  const namespace = project?.number ?? ref.projectId;
  const id =
    String(execution.name ?? '')
      .split('/')
      .pop() ?? '';
  const status: Json = {
    observedGeneration: 1,
    conditions: asArray(execution.conditions).map(conditionToV1),
    logUri: execution.logUri,
  };
  for (const k of [
    'startTime',
    'completionTime',
    'succeededCount',
    'failedCount',
    'runningCount',
    'retriedCount',
  ]) {
    if (execution[k] !== undefined) status[k] = execution[k];
  }
  return {
    apiVersion: V1_API,
    kind: 'Execution',
    metadata: {
      name: id,
      namespace,
      selfLink: `/apis/run.googleapis.com/v1/namespaces/${namespace}/executions/${id}`,
      uid: execution.uid,
      generation: 1,
      creationTimestamp: execution.createTime,
      labels: {
        ...asJson(execution.labels),
        [LOCATION_LABEL]: ref.location,
        'run.googleapis.com/job': ref.job,
        'run.googleapis.com/jobUid': String(jobUid ?? ''),
      },
      annotations: { ...asJson(execution.annotations), 'run.googleapis.com/creator': execution.creator },
      ownerReferences: [
        {
          kind: 'Job',
          name: ref.job,
          uid: jobUid,
          apiVersion: V1_API,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      parallelism: execution.parallelism,
      taskCount: execution.taskCount,
      template: { spec: taskToV1(asJson(execution.template)) },
    },
    status,
  };
}

/** v1 Overrides -> v2 Overrides. */
export function overridesToV2(o: Json): Json {
  const out: Json = {};
  if (o.taskCount !== undefined) out.taskCount = Number(o.taskCount);
  if (o.timeoutSeconds !== undefined) out.timeout = `${o.timeoutSeconds}s`;
  if (Array.isArray(o.containerOverrides)) {
    out.containerOverrides = asArray(o.containerOverrides).map((c) => ({ ...c, env: envToV2(c.env) }));
  }
  return out;
}
