// The structured half of Google's error model: every google.rpc detail a google.rpc.Status may
// carry, decoded from its JSON form into one typed record. Field names (JSON, lower camel) are
// those of google/rpc/error_details.proto
// (https://github.com/googleapis/googleapis/blob/master/google/rpc/error_details.proto) and of
// gcloud's reader of them (lib/googlecloudsdk/api_lib/util/exceptions.py: `violations[].subject`
// / `description`, `fieldViolations[].field` / `description`, ErrorInfo indexed by `domain`,
// LocalizedMessage `message`, Help `links`). Unknown detail types are kept, untouched, in `other`.
// Nothing here throws: a detail of the wrong shape is skipped, never guessed at.

export interface ErrorInfoDetail {
  reason?: string;
  domain?: string;
  metadata: Record<string, string>;
}

/** PreconditionFailure.Violation: `type` is e.g. `constraints/iam.allowedPolicyMemberDomains` or `TOS`. */
export interface PreconditionViolation {
  type?: string;
  subject?: string;
  description?: string;
}

/** BadRequest.FieldViolation: `field` is a dotted path into the request body. */
export interface FieldViolation {
  field?: string;
  description?: string;
  reason?: string;
}

/** QuotaFailure.Violation (subject, description; newer services add the quota's metric and id). */
export interface QuotaViolation {
  subject?: string;
  description?: string;
  quotaMetric?: string;
  quotaId?: string;
  quotaValue?: string;
  dimensions?: Record<string, string>;
}

export interface ResourceInfoDetail {
  resourceType?: string;
  resourceName?: string;
  owner?: string;
  description?: string;
}

export interface HelpLink {
  description?: string;
  url?: string;
}

export interface StatusDetails {
  errorInfo: ErrorInfoDetail[];
  preconditionViolations: PreconditionViolation[];
  fieldViolations: FieldViolation[];
  quotaViolations: QuotaViolation[];
  resourceInfo: ResourceInfoDetail[];
  helpLinks: HelpLink[];
  /** RetryInfo.retryDelay (a protobuf Duration, "1.5s" in JSON), in ms. */
  retryDelayMs?: number;
  /** LocalizedMessage.message values (already in the user's language). */
  localizedMessages: string[];
  /** Legacy v1 `errors[]` entries (domain, reason, message; sometimes location). */
  legacy: Array<{ domain?: string; reason?: string; message?: string; location?: string }>;
  /** Detail types this model does not know (DebugInfo, service-specific ones), as they came. */
  other: Array<Record<string, unknown>>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The string entries of a JSON object (a proto map<string,string>). */
function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

/** The listed string fields of `v` that are present, as one object. */
function pick<K extends string>(v: unknown, keys: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  if (!isRecord(v)) return out;
  for (const k of keys) {
    const x = str(v[k]);
    if (x !== undefined) out[k] = x;
  }
  return out;
}

function records(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isRecord) : [];
}

/** A protobuf Duration in its JSON form ("3s", "0.5s") or as {seconds, nanos}, in ms. */
export function durationMs(v: unknown): number | undefined {
  if (typeof v === 'string') {
    const m = /^(\d+(?:\.\d+)?)s$/.exec(v.trim());
    return m?.[1] ? Math.round(Number(m[1]) * 1000) : undefined;
  }
  if (isRecord(v)) {
    const s = Number(v.seconds ?? 0);
    const n = Number(v.nanos ?? 0);
    return Number.isFinite(s) && Number.isFinite(n) ? Math.round(s * 1000 + n / 1e6) : undefined;
  }
  return undefined;
}

/** The detail's type name without its URL prefix: `type.googleapis.com/google.rpc.ErrorInfo` -> `ErrorInfo`. */
function typeOf(d: Record<string, unknown>): string {
  const t = str(d['@type']) ?? '';
  return t.startsWith('type.googleapis.com/google.rpc.')
    ? t.slice('type.googleapis.com/google.rpc.'.length)
    : t;
}

export function emptyDetails(): StatusDetails {
  return {
    errorInfo: [],
    preconditionViolations: [],
    fieldViolations: [],
    quotaViolations: [],
    resourceInfo: [],
    helpLinks: [],
    localizedMessages: [],
    legacy: [],
    other: [],
  };
}

/** Decode `details[]` (and a legacy `errors[]`) of one google.rpc.Status. */
export function parseDetails(details: unknown, legacyErrors?: unknown): StatusDetails {
  const out = emptyDetails();
  for (const d of records(details)) {
    switch (typeOf(d)) {
      case 'ErrorInfo':
        out.errorInfo.push({ ...pick(d, ['reason', 'domain'] as const), metadata: stringMap(d.metadata) });
        break;
      case 'PreconditionFailure':
        for (const v of records(d.violations))
          out.preconditionViolations.push(pick(v, ['type', 'subject', 'description'] as const));
        break;
      case 'BadRequest':
        for (const v of records(d.fieldViolations))
          out.fieldViolations.push(pick(v, ['field', 'description', 'reason'] as const));
        break;
      case 'QuotaFailure':
        for (const v of records(d.violations)) {
          const q: QuotaViolation = pick(v, [
            'subject',
            'description',
            'quotaMetric',
            'quotaId',
            'quotaValue',
          ] as const);
          const dims = stringMap(v.quotaDimensions);
          if (Object.keys(dims).length) q.dimensions = dims;
          out.quotaViolations.push(q);
        }
        break;
      case 'ResourceInfo':
        out.resourceInfo.push(pick(d, ['resourceType', 'resourceName', 'owner', 'description'] as const));
        break;
      case 'Help':
        for (const l of records(d.links)) out.helpLinks.push(pick(l, ['description', 'url'] as const));
        break;
      case 'RetryInfo': {
        const ms = durationMs(d.retryDelay);
        if (ms !== undefined) out.retryDelayMs = ms;
        break;
      }
      case 'LocalizedMessage': {
        const m = str(d.message);
        if (m) out.localizedMessages.push(m);
        break;
      }
      default:
        out.other.push(d);
    }
  }
  for (const e of records(legacyErrors))
    out.legacy.push(pick(e, ['domain', 'reason', 'message', 'location'] as const));
  return out;
}

/** Every `constraints/...` a PreconditionFailure names (type or subject), without the prefix. */
export function constraintsOf(d: StatusDetails): string[] {
  const names = d.preconditionViolations.flatMap((v) =>
    [v.type, v.subject].filter((x): x is string => x?.startsWith('constraints/') === true),
  );
  return [...new Set(names.map((n) => n.slice('constraints/'.length)))];
}

/** The human-readable words of every detail, for the few text rules that remain. */
export function detailText(d: StatusDetails): string {
  return [
    ...d.preconditionViolations.flatMap((v) => [v.type, v.subject, v.description]),
    ...d.fieldViolations.flatMap((v) => [v.field, v.description]),
    ...d.quotaViolations.flatMap((v) => [v.subject, v.description, v.quotaMetric, v.quotaId]),
    ...d.resourceInfo.flatMap((v) => [v.resourceType, v.resourceName, v.description]),
    ...d.localizedMessages,
    ...d.legacy.flatMap((v) => [v.reason, v.message]),
  ]
    .filter((x): x is string => x !== undefined)
    .join(' ');
}
