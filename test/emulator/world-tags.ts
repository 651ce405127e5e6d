// Resource Manager tags as IAM conditions see them: a tag value bound to an organization,
// folder, project or resource is inherited by everything below it, and a nearer binding of the
// same key wins (https://cloud.google.com/iam/docs/tags-access-control). Scenario key `tags`.
import { createHash } from 'node:crypto';
import type { CelTag } from './cel-functions.ts';
import type { World } from './contract.ts';
import { fail, list, type Obj, obj } from './scenario-read.ts';

export interface WorldTag extends CelTag {
  /** Where the tag value is bound: organizations/N, folders/N, projects/ID or a resource's name. */
  resource: string;
}

/** A stable numeric id, as tag keys and values have (tagKeys/N, tagValues/N). */
const idOf = (seed: string) =>
  (BigInt(`0x${createHash('sha256').update(seed).digest('hex').slice(0, 12)}`) % 10n ** 12n).toString();

export function tagsFromObject(raw: Obj): WorldTag[] {
  return list(raw.tags, 'tags').map((t, i) => {
    const o = obj(t, `tags[${i}]`);
    const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
    const resource = str('resource') ?? fail(`tags[${i}].resource`, 'expected a resource name');
    const key = str('key') ?? fail(`tags[${i}].key`, 'expected ORG_OR_PROJECT/KEY');
    const value = str('value') ?? fail(`tags[${i}].value`, 'expected the short value');
    if (!/^[^/]+\/[^/]+$/.test(key))
      fail(`tags[${i}].key`, 'expected ORG_OR_PROJECT/KEY (the namespaced key)');
    return {
      resource,
      key,
      value,
      keyId: str('keyId') ?? `tagKeys/${idOf(key)}`,
      valueId: str('valueId') ?? `tagValues/${idOf(`${key}/${value}`)}`,
    };
  });
}

/** The tags of a resource, given it and its ancestors nearest first (iam-engine policyHolders). */
export function tagsOf(world: World, holders: readonly string[]): CelTag[] {
  const out = new Map<string, CelTag>();
  for (const holder of holders) {
    for (const t of world.tags ?? []) {
      if (t.resource === holder && !out.has(t.key)) out.set(t.key, t);
    }
  }
  return [...out.values()].map(({ key, value, keyId, valueId }) => ({ key, value, keyId, valueId }));
}
