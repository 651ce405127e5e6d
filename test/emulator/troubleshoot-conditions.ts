// What Policy Troubleshooter v3 can say of conditional grants and deny rules from the context
// the sender gave (conditionContext): a condition reading request.time needs
// request.receiveTime, one reading resource.name/type/service needs conditionContext.resource;
// tags it fetches itself (effectiveTags is output only), so deny conditions (tags only) are
// always evaluable. A grant that hinges on a condition it cannot evaluate is UNKNOWN_CONDITIONAL (gcloud's policytroubleshooter v3 message
// classes: "the sender of the request didn't provide enough context for Policy Troubleshooter
// to evaluate the condition expression").
import { type CelEnv, CelError, CelTime, evaluateCel } from './cel.ts';
import type { Caller, World } from './contract.ts';
import { isRecord } from './http.ts';
import { memberMatches, policyChain, policyHolders, roleGrants } from './iam-engine.ts';
import { tagsOf } from './world-tags.ts';

export type Verdict = 'true' | 'false' | 'unknown';

/** The CEL environment the sender's conditionContext gives; absent parts stay unknown. */
export function contextEnv(world: World, resource: string, context: Record<string, unknown>): CelEnv {
  const env: CelEnv = { tags: tagsOf(world, policyHolders(world, resource)) };
  const request = isRecord(context.request) ? context.request : {};
  const receive = typeof request.receiveTime === 'string' ? Date.parse(request.receiveTime) : Number.NaN;
  if (!Number.isNaN(receive)) env.request = { time: new CelTime(receive) };
  if (isRecord(context.resource)) env.resource = context.resource;
  return env;
}

export function verdictOf(expression: string, env: CelEnv): Verdict {
  try {
    return evaluateCel(expression, env) === true ? 'true' : 'false';
  } catch (e) {
    if (e instanceof CelError && /no such key|does not name a value/.test(e.message)) return 'unknown';
    if (e instanceof CelError) return 'false';
    throw e;
  }
}

/**
 * The allow policies' answer from the sender's context alone: 'true' when a binding grants
 * unconditionally or under a condition that holds, 'unknown' when the only grants hinge on a
 * condition the context cannot evaluate, 'false' otherwise.
 */
export function allowFromContext(
  world: World,
  who: Caller,
  permission: string,
  resource: string,
  env: CelEnv,
): Verdict {
  let unknown = false;
  for (const policy of policyChain(world, resource)) {
    for (const b of policy.bindings ?? []) {
      if (!roleGrants(world, b.role, permission)) continue;
      if (!b.members.some((m) => memberMatches(world, m, who))) continue;
      const v = b.condition ? verdictOf(b.condition.expression, env) : 'true';
      if (v === 'true') return 'true';
      if (v === 'unknown') unknown = true;
    }
  }
  return unknown ? 'unknown' : 'false';
}
