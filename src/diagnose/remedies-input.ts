// Refused or invalid values: the action's own input checks (nothing sent) and Google's
// INVALID_ARGUMENT with a BadRequest field violation. Either way the headline names the input
// (or the job.yaml field), the problem and the form expected, so the summary says what to
// change without opening a collapsed block. A request path maps to the input that sets it
// (gcloud's job.yaml paths and the v2 REST paths: https://cloud.google.com/run/docs/reference/rest/v2/Job).
import type { Finding, Subject } from '../model.ts';
import { withSubject } from './remedy-parts.ts';

/** Request paths (v2 REST, v1 Knative YAML, gRPC snake case) -> the input that sets the value. */
const FIELD_SUBJECTS: Array<[RegExp, Subject]> = [
  [/secret_?key_?ref|secretKeyRef|value_?source|valueFrom/i, 'secrets'],
  [/\.timeout(?:Seconds)?\b|task_?timeout/i, 'task_timeout'],
  [/max_?retries|maxRetries|backoffLimit/i, 'max_retries'],
  [/task_?count|taskCount|completions/i, 'tasks'],
  [/parallelism/i, 'parallelism'],
  [/limits\.memory|limits\[.?memory/i, 'memory'],
  [/limits\.cpu|limits\[.?cpu/i, 'cpu'],
  [/nvidia\.com\/gpu|node_?selector|accelerator|gpu/i, 'gpu'],
  [/vpc_?access\.connector|vpc-access-connector/i, 'vpc_connector'],
  [/network_?interfaces|network-interfaces/i, 'network'],
  [/vpc_?access\.egress|vpc-access-egress/i, 'vpc_egress'],
  [/encryption_?key|encryptionKey|encryption-key/i, 'kms_key'],
  [/cloudsql|cloud_?sql/i, 'cloudsql_instances'],
  [/binary_?authorization|binaryAuthorization/i, 'binary_authorization'],
  [/service_?account(?:Name)?\b|serviceAccountName/i, 'service_account'],
  [/\.image\b/i, 'image'],
  [/\.env\b|\.env\[/i, 'env_vars'],
  [/\.args\b|\.args\[/i, 'args'],
  [/\.command\b|\.command\[/i, 'command'],
  [/\bvolume_?mounts|volumeMounts/i, 'volume_mounts'],
  [/\bvolumes\b/i, 'volumes'],
  [/\blabels\b/i, 'labels'],
  [/\bjob_?id\b|metadata\.name|\bname\b$/i, 'job'],
  [/\blocation\b|\bregion\b/i, 'region'],
];

export function fieldSubject(field: string): Subject | undefined {
  return FIELD_SUBJECTS.find(([re]) => re.test(field))?.[1];
}

/** Google refused a value: the field, what is wrong, and the input (or job.yaml line) that set it. */
export function invalidArgument(o: {
  evidence: string;
  field: string | undefined;
  description: string | undefined;
  from: 'structure' | 'text';
}): Finding {
  const subject = o.field ? fieldSubject(o.field) : undefined;
  const where = subject
    ? `input ${subject.startsWith('secret') ? 'secrets' : subject} (field ${o.field})`
    : `field ${o.field}`;
  const f: Finding = {
    check: 'invalid-argument',
    status: 'failed',
    title: o.field
      ? `Google refused ${where}: ${o.description || 'invalid value'}`
      : `Google refused a value of the request: ${o.description || 'invalid argument'}`,
    evidence: o.evidence,
    remedy: o.field
      ? `Change ${subject ? `the ${subject} input (or the job.yaml line that sets ${o.field})` : `${o.field} in the job`} so that it meets: ${o.description || 'the form Cloud Run accepts'}. Nothing was changed.`
      : 'Google named no field: compare the job settings with https://cloud.google.com/run/docs/reference/rest/v2/Job; nothing was changed.',
  };
  return withSubject(f, subject);
}

// `Input "name" must be EXPECTED, got "VALUE"` and similar sentences of src/inputs.ts.
const INPUT_PROBLEM = /Inputs? "([a-z_]+)"(?: and "[a-z_]+")?\s+(.*?)(?:,\s*got\s+(.+))?$/s;

function more(evidence: string): string {
  const n = evidence.split('\n').filter(Boolean).length - 1;
  return n > 0 ? ` ${n} more input problem${n > 1 ? 's' : ''} below.` : '';
}

/**
 * The action's own check refused an input: nothing was changed. The headline and the remedy name the
 * input, the problem and the form expected (the validators' own words); the value itself, which
 * may be anything a workflow or job.yaml holds, stays in the evidence, rendered as code.
 */
export function invalidInput(o: { evidence: string; subject: Subject | undefined }): Finding {
  const first = o.evidence.split('\n')[0] ?? o.evidence;
  const m = INPUT_PROBLEM.exec(first);
  const input = m?.[1];
  const problem = m?.[2]?.replace(/\.$/, '');
  const f: Finding = {
    check: 'invalid-input',
    status: 'failed',
    title: input && problem ? `Input ${input}: ${problem}` : 'Invalid input',
    evidence: o.evidence,
    remedy: `${input && problem ? `Fix input ${input}: it ${problem}${m?.[3] ? ' (the value given is quoted below)' : ''}` : 'Fix the input the message below names'}.${more(o.evidence)} Nothing was changed in Google Cloud.`,
  };
  return withSubject(f, o.subject);
}
