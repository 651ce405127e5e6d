// getIamPolicy / setIamPolicy / testIamPermissions semantics shared by every resource type:
// policy versions, etag-guarded writes (409 ABORTED), the default update mask that keeps
// audit configs, and the propagation delay of new grants.
import { createHash, randomBytes } from 'node:crypto';
import { conditionProblem } from './cel.ts';
import { type Binding, type Ctx, HttpError, type Policy, type World } from './contract.ts';
import { badRequest, isRecord } from './http.ts';
import { heldPermissions, notePolicyWrite } from './iam-engine.ts';
import { requireApplicable } from './permission-scope.ts';
import { requireKnownRole } from './role-names.ts';

export interface PolicyHolder {
  policy: Policy;
}

export function newEtag(): string {
  return randomBytes(8).toString('base64');
}

/** requestedPolicyVersion from a POST body (`options`) or a GET query (`options.requestedPolicyVersion`). */
export function requestedVersion(body: unknown, query: URLSearchParams): number {
  let v: unknown = query.get('options.requestedPolicyVersion') ?? undefined;
  if (isRecord(body) && isRecord(body.options)) v = body.options.requestedPolicyVersion ?? v;
  if (v === undefined || v === null || v === '') return 0;
  const n = Number(v);
  if (![0, 1, 3].includes(n)) {
    throw badRequest(`Invalid requested policy version: ${String(v)}. Supported versions are 0, 1 and 3.`);
  }
  return n;
}

const hasCondition = (bindings: Binding[]) => bindings.some((b) => b.condition !== undefined);

/** The policy as getIamPolicy returns it. Version 1 readers see conditional bindings under a `_withcond_` role, as the real API does. */
export function renderPolicy(policy: Policy, version: number): Policy {
  const bindings = policy.bindings ?? [];
  const conditional = hasCondition(bindings);
  const out: Policy = { version: conditional && version >= 3 ? 3 : 1 };
  if (policy.auditConfigs && policy.auditConfigs.length > 0)
    out.auditConfigs = structuredClone(policy.auditConfigs);
  if (bindings.length > 0) {
    out.bindings = bindings.map((b) => {
      const copy = structuredClone(b);
      if (copy.condition && version < 3) {
        const hash = createHash('sha1').update(copy.condition.expression).digest('hex').slice(0, 20);
        const { condition: _dropped, ...rest } = copy;
        return { ...rest, role: `${b.role}_withcond_${hash}` };
      }
      return copy;
    });
  }
  out.etag = policy.etag ?? 'ACAB';
  return out;
}

export function getPolicy(holder: PolicyHolder, body: unknown, query: URLSearchParams): Policy {
  return renderPolicy(holder.policy, requestedVersion(body, query));
}

const MEMBER =
  /^(user:|serviceAccount:|group:|domain:|deleted:|principal:\/\/|principalSet:\/\/)\S+$|^(allUsers|allAuthenticatedUsers)$/;

/** Cloud Storage's convenience members (storage v1 Policy.bindings.members). */
export const STORAGE_PROJECT_MEMBER = /^project(Owner|Editor|Viewer):[a-z0-9][-a-z0-9:.]*$/;

function validateBindings(world: World, bindings: unknown, extraMember?: RegExp): Binding[] {
  if (bindings === undefined) return [];
  if (!Array.isArray(bindings)) throw badRequest('Invalid JSON payload received. Unknown name "bindings".');
  const out: Binding[] = [];
  for (const [index, b] of bindings.entries()) {
    if (!isRecord(b) || typeof b.role !== 'string') throw badRequest('Policy binding is missing a role.');
    const role = b.role;
    requireKnownRole(world, role);
    const members = Array.isArray(b.members) ? b.members.map(String) : [];
    for (const m of members) {
      if (!MEMBER.test(m) && !extraMember?.test(m))
        throw badRequest(`Invalid principal: ${m}. Principals must be of the form type:identifier.`);
    }
    if (members.length === 0) continue; // the real API drops empty bindings
    const binding: Binding = { role, members: [...new Set(members)] };
    if (isRecord(b.condition)) {
      if (typeof b.condition.expression !== 'string') throw badRequest('Condition expression is required.');
      refuseInvalidCondition(b.condition.expression, index);
      binding.condition = structuredClone(b.condition) as Binding['condition'] & object;
    }
    out.push(binding);
  }
  return out;
}

/**
 * IAM refuses a policy whose condition does not parse with its generic 400 ("Request contains
 * an invalid argument.", as terraform-provider-google#4276 and #6503 quote it); the BadRequest
 * detail naming the expression is the emulator's, so a test can see which one.
 */
function refuseInvalidCondition(expression: string, index: number): void {
  const problem = conditionProblem(expression, 'allow');
  if (!problem) return;
  throw new HttpError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.', [
    {
      '@type': 'type.googleapis.com/google.rpc.BadRequest',
      fieldViolations: [{ field: `policy.bindings[${index}].condition.expression`, description: problem }],
    },
  ]);
}

// Etags are bytes: gcloud (apitools) sends them back in the URL-safe base64 alphabet.
function sameEtag(a: string, b: string): boolean {
  const da = Buffer.from(a, 'base64');
  return a === b || (da.length > 0 && da.equals(Buffer.from(b, 'base64')));
}

/** setIamPolicy: etag check, validation, default mask `bindings,etag` (audit configs kept unless masked in). */
export function setPolicy(
  ctx: Ctx,
  holder: PolicyHolder,
  body: unknown,
  opts: { extraMember?: RegExp } = {},
): Policy {
  if (!isRecord(body) || !isRecord(body.policy)) throw badRequest('Request contains an invalid argument.');
  const incoming = body.policy;
  const current = holder.policy;
  if (
    typeof incoming.etag === 'string' &&
    incoming.etag !== '' &&
    !sameEtag(incoming.etag, current.etag ?? '')
  ) {
    throw new HttpError(
      409,
      'ABORTED',
      'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.',
    );
  }
  const bindings = validateBindings(ctx.world, incoming.bindings, opts.extraMember);
  const version = typeof incoming.version === 'number' ? incoming.version : 1;
  requireVersionFor(current, incoming.etag, version);
  if (hasCondition(bindings) && version < 3) {
    throw badRequest('Conditions are only allowed in policies of version 3. Set policy.version to 3.');
  }
  const mask = isRecord(body) && typeof body.updateMask === 'string' ? body.updateMask.split(',') : [];
  const next: Policy = { version: hasCondition(bindings) ? 3 : 1, etag: newEtag(), bindings };
  const audit = mask.includes('auditConfigs') ? incoming.auditConfigs : current.auditConfigs;
  if (Array.isArray(audit) && audit.length > 0) next.auditConfigs = structuredClone(audit);
  notePolicyWrite(ctx.world, current, next);
  holder.policy = next;
  return renderPolicy(next, 3);
}

/**
 * An etag-guarded write below version 3 over a stored policy with conditions would drop them:
 * Google refuses it (a write without an etag is a blind overwrite and skips the check).
 */
function requireVersionFor(current: Policy, etag: unknown, version: number): void {
  const stored = hasCondition(current.bindings ?? []) ? 3 : 1;
  if (typeof etag === 'string' && etag !== '' && version < stored) {
    throw badRequest(
      `Specified policy version (${version}) cannot be less than the existing policy version (${stored}). ` +
        'For more information, please refer to https://cloud.google.com/iam/docs/policies#versions.',
    );
  }
}

/** testIamPermissions: only authentication is required; answers with the held subset (`{}` when none). */
export function testPermissions(ctx: Ctx, resource: string, body: unknown): Record<string, unknown> {
  const caller = ctx.requireCaller();
  const asked = isRecord(body) && Array.isArray(body.permissions) ? body.permissions.map(String) : [];
  requireApplicable(asked, resource);
  const held = heldPermissions(ctx.world, caller, asked, resource);
  return held.length > 0 ? { permissions: held } : {};
}
