// The view of a job.yaml (Knative v1 Job) for the job's rules: the same records as a v2 job
// (view.ts), read where Cloud Run's v1 surface keeps them (annotations, csi volumes, the
// accelerator node selector), with paths in the file's own document.
import {
  type At,
  at,
  container,
  iface,
  type JobView,
  labelsOf,
  list,
  type Path,
  put,
  rec,
  type VolumeFields,
  volumeView,
} from './view.ts';

type Json = Record<string, unknown>;

// v1: gcloud's config changers write these on the execution template (spec.template.metadata);
// the job's own metadata is read too (src/job/resources.ts reads the same two places).
const RUN = 'run.googleapis.com';
const V1_TASK: Path = ['spec', 'template', 'spec', 'template', 'spec'];

function annotation(job: Json, key: string): At<string> | undefined {
  const execution = rec(rec(rec(rec(job.spec).template).metadata).annotations);
  if (key in execution) return at(execution[key], ['spec', 'template', 'metadata', 'annotations', key]);
  return at(rec(rec(job.metadata).annotations)[key], ['metadata', 'annotations', key]);
}

// Cloud Run's v1 Volume: secret (secretName; an item's key names the version), csi (Cloud Storage), nfs, emptyDir.
const V1_VOLUME: VolumeFields = {
  kinds: [
    ['secret', 'secret'],
    ['csi', 'gcs'],
    ['nfs', 'nfs'],
    ['emptyDir', 'emptyDir'],
  ],
  secret: 'secretName',
  version: 'key',
};

/** The view of a job.yaml (Knative v1 Job), paths in the file's own document. */
export function viewOfV1(job: Json): JobView {
  const metadata = rec(job.metadata);
  const view: JobView = {
    shape: 'v1',
    labels: labelsOf(metadata.labels, ['metadata', 'labels']),
    containers: [],
    volumes: [],
    cloudSql: [],
    interfaces: [],
  };
  put(view, 'name', at(metadata.name, ['metadata', 'name']));
  const execution = rec(rec(rec(job.spec).template).spec);
  const task = rec(rec(execution.template).spec);
  if ('taskCount' in execution)
    view.taskCount = { value: execution.taskCount, at: ['spec', 'template', 'spec', 'taskCount'] };
  if ('parallelism' in execution)
    view.parallelism = { value: execution.parallelism, at: ['spec', 'template', 'spec', 'parallelism'] };
  if ('maxRetries' in task) view.maxRetries = { value: task.maxRetries, at: [...V1_TASK, 'maxRetries'] };
  if ('timeoutSeconds' in task)
    view.timeout = { value: task.timeoutSeconds, at: [...V1_TASK, 'timeoutSeconds'] };
  put(view, 'serviceAccount', at(task.serviceAccountName, [...V1_TASK, 'serviceAccountName']));
  view.containers = list(task.containers).map((c, i) => container(c, [...V1_TASK, 'containers', i], true));
  view.volumes = list(task.volumes).map((v, i) => volumeView(v, [...V1_TASK, 'volumes', i], V1_VOLUME));
  const sql = annotation(job, `${RUN}/cloudsql-instances`);
  if (sql)
    for (const name of sql.value.split(',').map((n) => n.trim()))
      if (name !== '' || sql.value.trim() === '') view.cloudSql.push({ value: name, at: sql.at });
  put(view, 'connector', annotation(job, `${RUN}/vpc-access-connector`));
  const interfaces = annotation(job, `${RUN}/network-interfaces`);
  if (interfaces) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(interfaces.value);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed)) view.interfaces.push({ at: interfaces.at, network: interfaces.value });
    else for (const n of parsed) view.interfaces.push(iface(n, interfaces.at));
  }
  put(view, 'kmsKey', annotation(job, `${RUN}/encryption-key`));
  put(view, 'executionEnvironment', annotation(job, `${RUN}/execution-environment`));
  // gcloud's GPU_TYPE_NODE_SELECTOR (api_lib/run/k8s_object.py): run.googleapis.com/accelerator.
  put(
    view,
    'accelerator',
    at(rec(task.nodeSelector)[`${RUN}/accelerator`], [...V1_TASK, 'nodeSelector', `${RUN}/accelerator`]),
  );
  return view;
}
