// Org Policy v2: the effective policy of a constraint on a project (hierarchy merged by the
// service). No @googleapis package exists for it; the auth client's request() is used. The
// answer is decoded here into typed values (fields: gcloud's orgpolicy v2 messages,
// GoogleCloudOrgpolicyV2Policy / PolicySpec / PolicySpecPolicyRule / StringValues), and a
// body of another shape is one clear error, never a guess.
import { Mismatch } from './answer.ts';
import type { ApiContext } from './clients.ts';
import { resourcePath, rest } from './rest.ts';

export interface OrgPolicyRule {
  enforce?: boolean;
  allowAll?: boolean;
  denyAll?: boolean;
  values?: { allowedValues?: string[]; deniedValues?: string[] };
  condition?: { expression?: string; title?: string };
}

export interface EffectiveOrgPolicy {
  name?: string;
  spec?: { rules?: OrgPolicyRule[]; inheritFromParent?: boolean; reset?: boolean };
}

/** An Org Policy answer that is not a Policy: names the constraint and the field at fault. */
export class MalformedOrgPolicy extends Mismatch {
  constructor(what: string, field: string) {
    super(`for ${what}: ${field}`);
    this.name = 'MalformedOrgPolicy';
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function optional<T>(
  o: Json,
  key: string,
  at: string,
  what: string,
  check: (v: unknown) => v is T,
): T | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!check(v)) throw new MalformedOrgPolicy(what, `${at}${key} has the wrong type`);
  return v;
}

const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isString = (v: unknown): v is string => typeof v === 'string';
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

function decodeRule(r: unknown, at: string, what: string): OrgPolicyRule {
  if (!isObject(r)) throw new MalformedOrgPolicy(what, `${at} is not an object`);
  const out: OrgPolicyRule = {};
  for (const key of ['enforce', 'allowAll', 'denyAll'] as const) {
    const v = optional(r, key, `${at}.`, what, isBool);
    if (v !== undefined) out[key] = v;
  }
  const values = optional(r, 'values', `${at}.`, what, isObject);
  if (values) {
    out.values = {};
    for (const key of ['allowedValues', 'deniedValues'] as const) {
      const v = optional(values, key, `${at}.values.`, what, isStrings);
      if (v) out.values[key] = v;
    }
  }
  const condition = optional(r, 'condition', `${at}.`, what, isObject);
  if (condition) {
    out.condition = {};
    const expression = optional(condition, 'expression', `${at}.condition.`, what, isString);
    const title = optional(condition, 'title', `${at}.condition.`, what, isString);
    if (expression !== undefined) out.condition.expression = expression;
    if (title !== undefined) out.condition.title = title;
  }
  return out;
}

/** The answer of getEffectivePolicy, decoded; throws MalformedOrgPolicy on any other shape. */
export function decodeEffectivePolicy(body: unknown, what: string): EffectiveOrgPolicy {
  if (!isObject(body)) throw new MalformedOrgPolicy(what, 'the body is not a JSON object');
  const out: EffectiveOrgPolicy = {};
  // Google names the policy in every answer (GoogleCloudOrgpolicyV2Policy.name, orgpolicy v2
  // messages); `{}` is not an unset constraint but something else answering.
  const name = optional(body, 'name', '', what, isString);
  if (name === undefined) throw new MalformedOrgPolicy(what, 'name is missing');
  out.name = name;
  const spec = optional(body, 'spec', '', what, isObject);
  if (!spec) return out;
  out.spec = {};
  const rules = optional(spec, 'rules', 'spec.', what, Array.isArray);
  if (rules) out.spec.rules = rules.map((r, i) => decodeRule(r, `spec.rules[${i}]`, what));
  for (const key of ['inheritFromParent', 'reset'] as const) {
    const v = optional(spec, key, 'spec.', what, isBool);
    if (v !== undefined) out.spec[key] = v;
  }
  return out;
}

export function createOrgPolicyClient(o: ApiContext) {
  return {
    /** e.g. getEffectivePolicy('my-project', 'iam.disableCrossProjectServiceAccountUsage') */
    getEffectivePolicy(project: string, constraint: string): Promise<EffectiveOrgPolicy> {
      const what = `${constraint} on project ${project}`;
      return rest(
        o,
        'orgpolicy',
        `v2/${resourcePath(`projects/${project}/policies/${constraint}`)}:getEffectivePolicy`,
        {
          what: 'a Policy',
          decode: (body) => decodeEffectivePolicy(body, what),
        },
      );
    },
  };
}

export type OrgPolicyClient = ReturnType<typeof createOrgPolicyClient>;
