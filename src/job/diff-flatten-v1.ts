// The v1 (Knative) spelling of a job's settings: what `replace` sends from a job.yaml and what
// a v1 GET answers, flattened into the same settings as a v2 job (diff-flatten.ts). The v2
// fields v1 spells as annotations use gcloud's names (googlecloudsdk/api_lib/run/
// k8s_object.py, container_resource.py); server metadata (uid, resourceVersion, generation,
// creationTimestamp, selfLink, namespace) and status are the service's, not settings.
import {
  asList,
  asObject,
  Collector,
  canonical,
  container,
  type Flat,
  type FlattenOptions,
  fill,
  networkText,
  STAMPED_LABELS,
  seconds,
  take,
  text,
  V1_ACCELERATOR,
} from './diff-flatten.ts';
import { DEPLOY_ID_KEY } from './stamps.ts';

const V1_STAMPED_ANNOTATIONS = [
  // The client stamps (gcloud's k8s_object.py CLIENT_NAME/VERSION_ANNOTATION) and who wrote
  // the job, which the service records (googlecloudsdk/api_lib/run/job.py AUTHOR_ANNOTATION,
  // lastModifier).
  'run.googleapis.com/client-name',
  'run.googleapis.com/client-version',
  'run.googleapis.com/creator',
  'run.googleapis.com/lastModifier',
  // This run's write (reconcile.ts): stamped by the action on every write.
  DEPLOY_ID_KEY,
];
const RUN = 'run.googleapis.com';
/** v1 spellings of v2 fields (googlecloudsdk/api_lib/run/k8s_object.py, container_resource.py). */
const V1 = {
  binauthz: `${RUN}/binary-authorization`,
  breakglass: `${RUN}/binary-authorization-breakglass`,
  launchStage: `${RUN}/launch-stage`,
  cloudsql: `${RUN}/cloudsql-instances`,
  networkInterfaces: `${RUN}/network-interfaces`,
  connector: `${RUN}/vpc-access-connector`,
  egress: `${RUN}/vpc-access-egress`,
  key: `${RUN}/encryption-key`,
  environment: `${RUN}/execution-environment`,
  accelerator: `${RUN}/accelerator`,
};

/** The settings of a v1 Job (a job.yaml as replace sends it, or the job as read). */
export function flattenV1(job: unknown, options: FlattenOptions = {}): Flat {
  const root = asObject(canonical(job));
  const c = new Collector();
  const metadata = asObject(root.metadata);
  c.map('label', metadata.labels, STAMPED_LABELS);
  const annotations = { ...asObject(metadata.annotations) };
  for (const k of V1_STAMPED_ANNOTATIONS) delete annotations[k];
  c.put('launch stage', take(annotations, V1.launchStage));
  c.put('binary authorization', take(annotations, V1.binauthz));
  c.put('breakglass', take(annotations, V1.breakglass));
  c.map('annotation', annotations);
  const template = asObject(asObject(root.spec).template);
  const execAnnotations = { ...asObject(asObject(template.metadata).annotations) };
  for (const instance of text(take(execAnnotations, V1.cloudsql) ?? '').split(','))
    if (instance.trim()) c.put('cloud sql', 'cloudsql', instance.trim());
  c.put('vpc connector', take(execAnnotations, V1.connector));
  c.put('vpc egress', take(execAnnotations, V1.egress));
  const interfaces = take(execAnnotations, V1.networkInterfaces);
  for (const [i, n] of parseList(interfaces).entries()) c.put('vpc network', networkText(n), String(i + 1));
  c.put('key', take(execAnnotations, V1.key));
  c.put('execution environment', take(execAnnotations, V1.environment));
  c.map('execution annotation', execAnnotations);
  c.map('execution label', asObject(template.metadata).labels);
  const execution = { ...asObject(template.spec) };
  c.put('tasks', take(execution, 'taskCount'));
  c.put('parallelism', take(execution, 'parallelism'));
  const task = { ...asObject(asObject(take(execution, 'template')).spec) };
  c.put('service account', take(task, 'serviceAccountName'));
  c.put('retries', take(task, 'maxRetries'));
  c.put('timeout', seconds(take(task, 'timeoutSeconds')));
  const selector = { ...asObject(take(task, 'nodeSelector')) };
  c.put('gpu type', take(selector, V1_ACCELERATOR));
  for (const raw of asList(take(task, 'volumes'))) {
    const v = { ...asObject(raw) };
    c.put('volume', JSON.stringify(v), text(take(v, 'name')));
  }
  for (const [i, ctr] of asList(take(task, 'containers')).entries()) container(c, ctr, i, true);
  c.rest({ execution, task, nodeSelector: selector }, 'spec');
  return fill(c, options);
}

function parseList(v: unknown): unknown[] {
  if (typeof v !== 'string') return [];
  try {
    return asList(JSON.parse(v));
  } catch {
    return [v];
  }
}
