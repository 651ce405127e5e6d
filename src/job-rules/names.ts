// The shapes of names and values a job holds, whichever source sets them (an input, a job.yaml,
// job_patch, the existing job): one pattern and one wording per kind. Neutral: the inputs layer
// and the job layer both import it, neither imports the other for it.

// Cloud Run resource names: lowercase letter first, then letters, digits, hyphens; no trailing
// hyphen; at most 63 (gcloud's ValidateResource, command_lib/run/flags.py, checks the same).
export const JOB_NAME = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const REGION = /^[a-z]+(?:-[a-z]+)+\d+$/;
// Project ids are 6-30 chars; legacy domain-scoped ids look like example.com:my-project.
export const PROJECT_ID = /^(?:[a-z0-9.-]+\.[a-z]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
export const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;
/**
 * An image reference: a registry host (DNS labels, optional port), path components, an
 * optional tag and an optional sha256 digest (the OCI distribution grammar, lowercase path).
 */
export const IMAGE =
  /^[a-z0-9]+(?:[.-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
// Google labels (https://cloud.google.com/resource-manager/docs/creating-managing-labels, linked
// from the Job message's LabelsValue in gcloud's run v2 messages): a key starts with a lowercase
// letter, keys and values use lowercase letters, digits, _ and -, at most 63; a value may be empty.
export const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
export const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;
export const CPU = /^(?:\d+(?:\.\d+)?|\d+m)$/;
export const MEMORY = /^\d+(?:\.\d+)?(?:Ki|Mi|Gi|Ti|k|M|G|T)$/;
/**
 * Environment variable names: letters, digits, _, . or -, not starting with a digit (the
 * Kubernetes rule Cloud Run's v1 surface applies); so never `=`, a space or a control character.
 */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
export const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;
export const SECRET_VERSION = /^(?:latest|[1-9]\d*)$/;
/** Volume and container names: DNS labels (GoogleCloudRunV2Container.name, RFC 1123). */
export const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/** What each kind of name must look like: one validator and one wording for every source. */
export const NAME_RULES = {
  job: {
    pattern: JOB_NAME,
    expected:
      'a job name: a lowercase letter, then lowercase letters, digits or hyphens, at most 63, not ending in a hyphen',
  },
  project: { pattern: PROJECT_ID, expected: 'a project id like my-project-123' },
  serviceAccount: {
    pattern: EMAIL,
    expected: 'a service account email like runner@PROJECT.iam.gserviceaccount.com',
  },
  image: { pattern: IMAGE, expected: 'an image URL like us-docker.pkg.dev/PROJECT/REPO/IMAGE:TAG' },
  secret: { pattern: SECRET_ID, expected: 'a secret id (letters, digits, _ or -, at most 255)' },
  secretVersion: { pattern: SECRET_VERSION, expected: 'a secret version: a number or latest' },
  envName: {
    pattern: ENV_NAME,
    expected: 'an environment variable name (letters, digits, _, . or -, not starting with a digit)',
  },
  dnsLabel: {
    pattern: DNS_LABEL,
    expected: 'a name of lowercase letters, digits and hyphens (at most 63, no hyphen at either end)',
  },
  labelKey: {
    pattern: LABEL_KEY,
    expected: 'a label key: a lowercase letter, then lowercase letters, digits, _ or -, at most 63',
  },
  labelValue: {
    pattern: LABEL_VALUE,
    expected: 'a label value: lowercase letters, digits, _ or -, at most 63',
  },
} as const;

export type NameKind = keyof typeof NAME_RULES;

/**
 * A value quoted for an error message: JSON string syntax, with line and paragraph separators
 * and bidi controls escaped too, so the value is shown exactly and cannot reorder the message.
 * Long values are cut (the message names where the value is; it need not repeat megabytes).
 */
export function quote(value: string, max = 200): string {
  const shown = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(shown).replace(
    /[\u2028\u2029\u202a-\u202e\u2066-\u2069\u0085]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The problem with a name, or undefined when it is valid (a length bound first: no regex on megabytes). */
export function nameProblem(kind: NameKind, value: string): string | undefined {
  const rule = NAME_RULES[kind];
  if (value.length <= 1024 && rule.pattern.test(value)) return undefined;
  return `must be ${rule.expected}, got ${quote(value)}`;
}
