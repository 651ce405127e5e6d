// Evaluating an effective list policy (Org Policy v2, already merged over the hierarchy by the
// service) against the value a job uses. Facts (gcloud's orgpolicy v2 messages, StringValues):
// values may carry `is:` (a plain value), `in:` (a value group, e.g. gcp.resourceLocations'
// in:us-locations) and `under:` (a resource subtree: projects/P, folders/F, organizations/O);
// denied values win over allowed ones; allowAll / denyAll settle every value. Rules with a
// condition apply only to resources with matching tags, which the action does not read.
import type { EffectiveOrgPolicy } from '../gcp/orgpolicy.ts';

/** Whether one policy value covers the job's value; undefined: it cannot be told here. */
export type Matcher = (entry: string, value: string) => boolean | undefined;

export type ListVerdict =
  | { state: 'allowed'; why: string }
  | { state: 'denied'; why: string }
  | { state: 'unknown'; why: string };

export const exactMatch: Matcher = (entry, value) => entry === value;

// Location value groups Google names in:<prefix>-locations after a region prefix.
const REGION_PREFIXES = ['us', 'europe', 'asia', 'australia', 'northamerica', 'southamerica', 'me', 'africa'];

/** gcp.resourceLocations: a region, or a value group in:G-locations covering regions G-*. */
export const locationMatch: Matcher = (entry, region) => {
  if (!entry.startsWith('in:')) return entry === region;
  const group = entry.slice(3).replace(/-locations$/, '');
  if (region === group || region.startsWith(`${group}-`)) return true;
  // A continent group or a region group that does not cover this region; others (multi-region
  // groups such as eu) are not expanded here.
  return REGION_PREFIXES.includes(group) || /^[a-z]+-[a-z]+\d+$/.test(group) ? false : undefined;
};

/** `under:NODE` matches when NODE is among `ancestry` (projects/P first); a plain value only P itself. */
export function underMatch(ancestry: readonly string[]): Matcher {
  return (entry) =>
    entry.startsWith('under:') ? ancestry.includes(entry.slice('under:'.length)) : entry === ancestry[0];
}

const strip = (v: string) => v.replace(/^is:/, '');

export function listVerdict(
  policy: EffectiveOrgPolicy,
  value: string | undefined,
  match: Matcher,
): ListVerdict {
  const rules = policy.spec?.rules ?? [];
  const conditional = rules.filter((r) => r.condition);
  const plain = rules.filter((r) => !r.condition);
  const allowed = plain.flatMap((r) => r.values?.allowedValues ?? []).map(strip);
  const denied = plain.flatMap((r) => r.values?.deniedValues ?? []).map(strip);
  const shown = value ?? '(none)';
  const verdict = (): ListVerdict => {
    if (plain.some((r) => r.denyAll)) return { state: 'denied', why: 'denies every value' };
    if (value !== undefined) {
      const hits = denied.map((d) => match(d, value));
      if (hits.includes(true)) return { state: 'denied', why: `denies ${shown}` };
      if (hits.includes(undefined))
        return {
          state: 'unknown',
          why: `denies ${denied.join(', ')}, which cannot be matched against ${shown} here`,
        };
    }
    if (plain.some((r) => r.allowAll) || allowed.length === 0)
      return {
        state: 'allowed',
        why: denied.length > 0 ? `denies only ${denied.join(', ')}` : 'allows every value',
      };
    if (value === undefined)
      return { state: 'denied', why: `allows only ${allowed.join(', ')}, and the job sets none` };
    const hits = allowed.map((a) => match(a, value));
    if (hits.includes(true))
      return { state: 'allowed', why: `allows ${shown} (allowed: ${allowed.join(', ')})` };
    if (hits.includes(undefined))
      return {
        state: 'unknown',
        why: `allows ${allowed.join(', ')}, which cannot be expanded here to tell whether ${shown} is among them`,
      };
    return { state: 'denied', why: `allows only ${allowed.join(', ')}` };
  };
  const v = verdict();
  if (conditional.length > 0 && v.state !== 'denied')
    return {
      state: 'unknown',
      why: `${v.why}; rules under a tag condition may also apply (${conditional.map((r) => r.condition?.title ?? r.condition?.expression ?? '').join('; ')})`,
    };
  return v;
}

/** Whether the effective policy restricts anything at all (a finding is worth showing). */
export function restricts(policy: EffectiveOrgPolicy): boolean {
  return (policy.spec?.rules ?? []).some(
    (r) =>
      r.denyAll ||
      r.condition ||
      (r.values?.allowedValues?.length ?? 0) > 0 ||
      (r.values?.deniedValues?.length ?? 0) > 0,
  );
}
