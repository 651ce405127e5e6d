// Organization policies in the world: set on organizations, folders and projects, as Org Policy
// v2 PolicySpec objects (rules with enforce / allowAll / denyAll / values.allowedValues /
// values.deniedValues, inheritFromParent, reset: gcloud's orgpolicy v2 messages,
// GoogleCloudOrgpolicyV2PolicySpec), or `true`/`false` as a short form of a boolean policy.
// The effective policy of a resource merges them the way Google's hierarchy evaluation does:
// - boolean constraints: the nearest policy decides; none (or reset) is the constraint's default;
// - list constraints: from the organization down, a policy replaces what is above unless it sets
//   inheritFromParent, which merges its values with the parent's; reset restores the default
//   (every value allowed). With no policy anywhere the effective list policy is `allowAll`
//   (an effective answer of allowAll: true is the unrestricted state, as gcloud shows it).
import type { World } from './contract.ts';
import { hierarchyOf } from './iam-engine.ts';
import { findFolder, findOrganization, findProject } from './world-index.ts';

export interface OrgRule {
  enforce?: boolean;
  allowAll?: boolean;
  denyAll?: boolean;
  values?: { allowedValues?: string[]; deniedValues?: string[] };
  condition?: { expression?: string; title?: string };
}
export interface OrgSpec {
  rules?: OrgRule[];
  inheritFromParent?: boolean;
  reset?: boolean;
}
export type OrgPolicySetting = boolean | OrgSpec;

/** The list constraints the emulator knows (every other constraint is boolean). */
export const LIST_CONSTRAINTS = new Set([
  'gcp.resourceLocations',
  'gcp.restrictNonCmekServices',
  'gcp.restrictCmekCryptoKeyProjects',
  'iam.allowedPolicyMemberDomains',
  'run.allowedBinaryAuthorizationPolicies',
  'run.allowedIngress',
  'run.allowedVPCEgress',
]);

/** Boolean constraints enforced when no policy says otherwise (real projects' defaults). */
const ENFORCED_BY_DEFAULT = new Set(['iam.disableCrossProjectServiceAccountUsage']);

/** The policy set directly on projects/ID, folders/N or organizations/N, as a spec. */
function setAt(world: World, node: string, constraint: string): OrgSpec | undefined {
  const [kind, id = ''] = node.split('/');
  const holder =
    kind === 'projects'
      ? findProject(world, id)
      : kind === 'folders'
        ? findFolder(world, id)
        : findOrganization(world, id);
  const raw = (holder as { orgPolicies?: Record<string, OrgPolicySetting> } | undefined)?.orgPolicies?.[
    constraint
  ];
  if (raw === undefined) return undefined;
  return typeof raw === 'boolean' ? { rules: [{ enforce: raw }] } : raw;
}

/** projects/ID (or folders/N, organizations/N) and everything above it, nearest first. */
function chain(world: World, node: string): string[] {
  const h = hierarchyOf(world, node);
  return h.length > 0 ? h : [node];
}

function booleanEffective(world: World, node: string, constraint: string): OrgSpec {
  for (const n of chain(world, node)) {
    const spec = setAt(world, n, constraint);
    if (!spec) continue;
    if (spec.reset) break;
    // Only unconditional rules are modelled: a tag condition the emulator cannot evaluate.
    const rule = (spec.rules ?? []).find((r) => !r.condition) ?? {};
    return { rules: [{ enforce: rule.enforce === true }] };
  }
  return { rules: [{ enforce: ENFORCED_BY_DEFAULT.has(constraint) }] };
}

interface ListState {
  allowAll: boolean;
  denyAll: boolean;
  allowed: string[];
  denied: string[];
}

function listOf(spec: OrgSpec): ListState {
  const rules = (spec.rules ?? []).filter((r) => !r.condition);
  return {
    allowAll: rules.some((r) => r.allowAll === true),
    denyAll: rules.some((r) => r.denyAll === true),
    allowed: rules.flatMap((r) => r.values?.allowedValues ?? []),
    denied: rules.flatMap((r) => r.values?.deniedValues ?? []),
  };
}

function listEffective(world: World, node: string, constraint: string): OrgSpec {
  let acc: ListState | undefined;
  for (const n of [...chain(world, node)].reverse()) {
    const spec = setAt(world, n, constraint);
    if (!spec) continue;
    if (spec.reset) {
      acc = undefined;
      continue;
    }
    const own = listOf(spec);
    acc =
      spec.inheritFromParent && acc
        ? {
            allowAll: own.allowAll && acc.denied.length === 0,
            denyAll: own.denyAll || acc.denyAll,
            allowed: [...new Set([...acc.allowed, ...own.allowed])],
            denied: [...new Set([...acc.denied, ...own.denied])],
          }
        : own;
  }
  if (!acc || (acc.allowAll && acc.denied.length === 0)) return { rules: [{ allowAll: true }] };
  if (acc.denyAll) return { rules: [{ denyAll: true }] };
  const values: { allowedValues?: string[]; deniedValues?: string[] } = {};
  if (acc.allowed.length > 0) values.allowedValues = acc.allowed;
  if (acc.denied.length > 0) values.deniedValues = acc.denied;
  return { rules: [{ values }] };
}

/** The effective policy spec of `constraint` on projects/ID, folders/N or organizations/N. */
export function effectiveSpec(world: World, node: string, constraint: string): OrgSpec {
  return LIST_CONSTRAINTS.has(constraint)
    ? listEffective(world, node, constraint)
    : booleanEffective(world, node, constraint);
}

export function booleanEnforced(world: World, node: string, constraint: string): boolean {
  return effectiveSpec(world, node, constraint).rules?.[0]?.enforce === true;
}

/**
 * Whether a list constraint's effective policy on `node` allows `value`. `matches(entry, value)`
 * compares one policy value (prefix `is:` removed) with the value; `in:` value groups and
 * `under:` subtrees are the caller's to expand. Denied values win over allowed ones.
 */
export function listAllows(
  world: World,
  node: string,
  constraint: string,
  value: string | undefined,
  matches: (entry: string, value: string) => boolean = (a, b) => a === b,
): boolean {
  const rule = effectiveSpec(world, node, constraint).rules?.[0] ?? {};
  if (rule.allowAll) return true;
  if (rule.denyAll) return false;
  const strip = (v: string) => v.replace(/^is:/, '');
  const denied = (rule.values?.deniedValues ?? []).map(strip);
  const allowed = (rule.values?.allowedValues ?? []).map(strip);
  if (value === undefined) return allowed.length === 0;
  if (denied.some((d) => matches(d, value))) return false;
  return allowed.length === 0 || allowed.some((a) => matches(a, value));
}
