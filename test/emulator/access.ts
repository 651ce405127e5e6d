// Access checks shared by the API modules: permission first (a caller without it cannot learn
// whether the resource exists, so it gets 403), then existence (404), and the three IAM
// methods every resource type serves.

import { type Ctx, type Handler, HttpError } from './contract.ts';
import { route } from './http.ts';
import { checkMemberDomains } from './orgpolicy-enforce.ts';
import { getPolicy, type PolicyHolder, setPolicy, testPermissions } from './policy-api.ts';

export interface Guard {
  domain: string;
  /** The 403 message for a permission; default names the resource. */
  denied?: (permission: string) => string;
  notFound: string;
}

export function guard(ctx: Ctx, permission: string, resource: string, exists: boolean, g: Guard): void {
  const opts: { domain: string; message?: string } = { domain: g.domain };
  if (g.denied) opts.message = g.denied(permission);
  ctx.require(permission, resource, opts);
  if (!exists) throw new HttpError(404, 'NOT_FOUND', g.notFound);
}

export interface IamTarget extends Guard {
  /** Canonical resource name the engine evaluates (project ids, not numbers). */
  resource: string;
  holder: PolicyHolder | undefined;
  getPermission: string;
  setPermission: string;
}

/** getIamPolicy (served on `getMethod`), setIamPolicy and testIamPermissions under `base`. */
export function iamMethods(
  base: RegExp,
  getMethod: 'GET' | 'POST',
  resolve: (ctx: Ctx, groups: string[]) => IamTarget,
): Handler[] {
  const at = (verb: string) => new RegExp(`^${base.source.replace(/^\^|\$$/g, '')}:${verb}$`);
  const getRe = at('getIamPolicy');
  const setRe = at('setIamPolicy');
  const testRe = at('testIamPermissions');
  return [
    (req, ctx) => {
      const g = route(req, getMethod, getRe);
      if (!g) return undefined;
      const t = resolve(ctx, g);
      guard(ctx, t.getPermission, t.resource, t.holder !== undefined, t);
      return { status: 200, body: getPolicy(t.holder as PolicyHolder, req.body, req.query) };
    },
    (req, ctx) => {
      const g = route(req, 'POST', setRe);
      if (!g) return undefined;
      const t = resolve(ctx, g);
      guard(ctx, t.setPermission, t.resource, t.holder !== undefined, t);
      checkMemberDomains(ctx, t.resource, (t.holder as PolicyHolder).policy, req.body);
      return { status: 200, body: setPolicy(ctx, t.holder as PolicyHolder, req.body) };
    },
    (req, ctx) => {
      const g = route(req, 'POST', testRe);
      if (!g) return undefined;
      const t = resolve(ctx, g);
      ctx.requireCaller();
      if (!t.holder) guard(ctx, t.getPermission, t.resource, false, t);
      return { status: 200, body: testPermissions(ctx, t.resource, req.body) };
    },
  ];
}
