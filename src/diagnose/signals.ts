// What a refusal is about, read from Google's structured error first (PreconditionFailure,
// BadRequest, QuotaFailure, ResourceInfo, ErrorInfo) and from the message only where the error
// carried no such structure (gcloud's text output, a flattened client error, a condition). Each
// signal says where it came from, so a finding can say whether it rests on structure or words.
import type { ApiError } from '../gcp/errors.ts';
import { constraintsOf } from '../gcp/status.ts';

export type Origin = 'structure' | 'text';

export interface ConstraintSignal {
  /** Without the `constraints/` prefix: `gcp.resourceLocations`, `iam.allowedPolicyMemberDomains`. */
  name: string;
  /** PreconditionFailure.subject, e.g. `orgpolicy:projects/123?configvalue=user@x`. */
  subject?: string;
  description?: string;
  from: Origin;
}

export interface FieldSignal {
  /** Dotted request path: `job.template.template.timeout`, `spec.template.spec.containers[0].resources.limits.memory`. */
  field: string;
  description: string;
  from: Origin;
}

export interface QuotaSignal {
  /** The metric or limit named: `run.googleapis.com/nvidia_l4_gpu_allocation`, `CpuAllocPerProjectRegion`. */
  metric?: string;
  description?: string;
  from: Origin;
}

export interface Signals {
  constraints: ConstraintSignal[];
  fields: FieldSignal[];
  quota?: QuotaSignal;
  /** ResourceInfo of a refused or missing resource. */
  resource?: { type?: string; name?: string; from: Origin };
}

// Constraint names as Google writes them: `constraints/service.name` (custom ones: customConstraints/custom.x).
const CONSTRAINT_TEXT = /\b(?:constraints|customConstraints)\/([a-zA-Z][\w]*\.[a-zA-Z][\w]*)/g;
// "One or more users named in the policy do not belong to a permitted customer" (setIamPolicy under
// iam.allowedPolicyMemberDomains; seen in terraform-example-foundation#1257/#1454, azure-docs#117449).
const NOT_PERMITTED_CUSTOMER = /do not belong to a permitted customer|is not in permitted organization/i;
// gcloud prints a refused field as `path.to.field[i]: description` (googlecodelabs/feedback#2311);
// gRPC clients as `Violation in Request.path.to.field: description` (google-cloud-node#4731).
const FIELD_TEXT =
  /(?:Violation in [A-Z]\w*\.|\)\s|^|\n)((?:spec|template|job|service|metadata)(?:\.[a-zA-Z_]\w*(?:\[[^\]\s]*\])?)+):\s+([^\n]+)/;
// Quota words in text (googlecodelabs/feedback#2311 "Quota violated: X requested: N allowed: M";
// stable-diffusion-on-gcp#12 "quota metrics exceed quota limits: METRIC"; fastai#165 "Quota 'X' exceeded").
const QUOTA_TEXT =
  /Quota violated:\s*(\w+)|quota metrics? exceeds? quota limits?:\s*([\w./-]+)|Quota '([\w-]+)' exceeded|Quota exceeded for quota (?:metric|group) '([^']+)'|\bquota\b[^.]*\b(?:exceeded|exhausted)/i;

function fromText(text: string): Pick<Signals, 'constraints' | 'fields' | 'quota'> {
  const constraints: ConstraintSignal[] = [];
  for (const m of text.matchAll(CONSTRAINT_TEXT))
    if (m[1] && !constraints.some((c) => c.name === m[1])) constraints.push({ name: m[1], from: 'text' });
  if (constraints.length === 0 && NOT_PERMITTED_CUSTOMER.test(text))
    constraints.push({ name: 'iam.allowedPolicyMemberDomains', from: 'text' });
  const f = FIELD_TEXT.exec(text);
  // gcloud may drop the path: "Invalid value specified for memory. For 1.0 CPU, ..." (googlecodelabs/feedback#1210).
  const bare = /Invalid value specified for (memory|cpu)\b[^\n]*/i.exec(text);
  const fields =
    f?.[1] && f[2]
      ? [{ field: f[1], description: f[2].trim(), from: 'text' as const }]
      : bare?.[1]
        ? [
            {
              field: `resources.limits.${bare[1].toLowerCase()}`,
              description: bare[0].trim(),
              from: 'text' as const,
            },
          ]
        : [];
  const q = QUOTA_TEXT.exec(text);
  const metric = q?.slice(1).find((x) => x !== undefined);
  const quota = q ? { ...(metric ? { metric } : {}), description: q[0], from: 'text' as const } : undefined;
  return { constraints, fields, ...(quota ? { quota } : {}) };
}

/** The signals of one failure; text is read only for the kinds the structure left unsaid. */
export function signalsOf(api: ApiError, text: string): Signals {
  const d = api.details;
  const constraints: ConstraintSignal[] = d
    ? constraintsOf(d).map((name) => {
        const v = d.preconditionViolations.find(
          (x) => x.type === `constraints/${name}` || x.subject === `constraints/${name}`,
        );
        return {
          name,
          ...(v?.subject ? { subject: v.subject } : {}),
          ...(v?.description ? { description: v.description } : {}),
          from: 'structure' as const,
        };
      })
    : [];
  const fields: FieldSignal[] = (d?.fieldViolations ?? [])
    .filter((v) => v.field)
    .map((v) => ({ field: v.field as string, description: v.description ?? '', from: 'structure' as const }));
  const q = d?.quotaViolations[0];
  const info = api.metadata;
  const quotaMetric = q?.quotaMetric ?? q?.quotaId ?? info.quota_metric ?? info.quota_limit;
  let quota: QuotaSignal | undefined =
    q || quotaMetric
      ? {
          ...(quotaMetric ? { metric: quotaMetric } : {}),
          ...(q?.description ? { description: q.description } : {}),
          from: 'structure',
        }
      : undefined;
  const r = d?.resourceInfo[0];
  const resource = r
    ? {
        ...(r.resourceType ? { type: r.resourceType } : {}),
        ...(r.resourceName ? { name: r.resourceName } : {}),
        from: 'structure' as const,
      }
    : undefined;
  const words = fromText(text);
  if (!quota && words.quota) quota = words.quota;
  return {
    constraints: constraints.length ? constraints : words.constraints,
    fields: fields.length ? fields : words.fields,
    ...(quota ? { quota } : {}),
    ...(resource ? { resource } : {}),
  };
}
