// Names and ids the job holds: the job's own name, container and volume names, labels, the
// runtime service account and the images. Each pattern's source is beside it in names.ts.
import { type NameKind, nameProblem, quote } from './names.ts';
import type { At, JobView } from './view.ts';
import { type RuleId, type Violation, violation } from './violation.ts';

function named(
  out: Violation[],
  rule: RuleId,
  kind: NameKind,
  value: At<string> | undefined,
  what?: string,
): void {
  if (!value) return;
  const problem = nameProblem(kind, value.value);
  if (problem) out.push(violation(rule, value.at, what ? `${what} ${problem}` : problem));
}

/**
 * Label namespaces Cloud Run's v2 API refuses on a job (GoogleCloudRunV2Job.LabelsValue in
 * gcloud's run v2 messages); v1 objects carry such system labels (cloud.googleapis.com/location).
 */
const RESERVED_LABEL_PREFIXES = [
  'run.googleapis.com',
  'cloud.googleapis.com',
  'serving.knative.dev',
  'autoscaling.knative.dev',
];

function labels(view: JobView, out: Violation[]): void {
  for (const { key, value } of view.labels) {
    const slash = key.value.indexOf('/');
    const prefix = slash > 0 ? key.value.slice(0, slash) : undefined;
    if (prefix && RESERVED_LABEL_PREFIXES.includes(prefix)) {
      // A v1 job.yaml may carry the system labels Cloud Run itself writes; v2 refuses them.
      if (view.shape === 'v2')
        out.push(
          violation(
            'label',
            key.at,
            `label key ${quote(key.value)} is in a namespace Cloud Run reserves (${prefix}); use a key of your own`,
          ),
        );
      continue;
    }
    const keyProblem = nameProblem('labelKey', key.value);
    if (keyProblem) out.push(violation('label', key.at, `label key ${keyProblem}`));
    const valueProblem = nameProblem('labelValue', value.value);
    if (valueProblem)
      out.push(violation('label', value.at, `label ${quote(key.value)}: value ${valueProblem}`));
  }
}

/** Names must be unique where they are joined by name (volumes to mounts, containers to dependsOn). */
function unique(out: Violation[], rule: RuleId, what: string, values: Array<At<string> | undefined>): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (!v) continue;
    if (seen.has(v.value))
      out.push(violation(rule, v.at, `two ${what}s are named ${quote(v.value)}; rename one`));
    seen.add(v.value);
  }
}

export function nameRules(view: JobView): Violation[] {
  const out: Violation[] = [];
  named(out, 'job-name', 'job', view.name);
  for (const c of view.containers) named(out, 'container-name', 'dnsLabel', c.name, 'container name');
  unique(
    out,
    'container-name',
    'container',
    view.containers.map((c) => c.name),
  );
  for (const v of view.volumes) named(out, 'volume-name', 'dnsLabel', v.name, 'volume name');
  unique(
    out,
    'volume-name',
    'volume',
    view.volumes.map((v) => v.name),
  );
  labels(view, out);
  named(out, 'service-account', 'serviceAccount', view.serviceAccount);
  view.containers.forEach((c, i) => {
    // GoogleCloudRunV2Container.image is required (gcloud's run v2 messages).
    if (!c.image) out.push(violation('image', [...c.at, 'image'], `container ${i + 1} has no image`));
    else named(out, 'image', 'image', c.image);
  });
  return out;
}
