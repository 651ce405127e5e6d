// Org Policy v2: the effective policy of a boolean constraint on a project.
import { guard } from '../access.ts';
import type { Handler, WorldProject } from '../contract.ts';
import { route } from '../http.ts';
import { forService } from '../services.ts';
import { findProject } from '../world-index.ts';

const getEffectivePolicy: Handler = (req, ctx) => {
  const g = route(req, 'GET', /^\/v2\/projects\/([^/]+)\/policies\/([^/:]+):getEffectivePolicy$/);
  if (!g) return undefined;
  const [id = '', constraint = ''] = g;
  const p = findProject(ctx.world, id);
  guard(ctx, 'orgpolicy.policy.get', `projects/${p?.id ?? id}`, p !== undefined, {
    domain: 'orgpolicy.googleapis.com',
    denied: (perm) => `Permission '${perm}' denied on resource 'projects/${id}' (or it may not exist).`,
    notFound: `Requested entity was not found.`,
  });
  const enforce = (p as WorldProject).orgPolicies[constraint] === true;
  return {
    status: 200,
    body: {
      name: `projects/${(p as WorldProject).number}/policies/${constraint}`,
      spec: { rules: [{ enforce }] },
    },
  };
};

export const handlers: Handler[] = forService('orgpolicy.googleapis.com', [getEffectivePolicy]);
