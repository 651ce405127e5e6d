// Org Policy v2: the effective policy of a constraint on a project, folder or organization,
// merged over the hierarchy (../orgpolicy-state.ts). The policy's name carries the project
// number, as Google's answers do.
import { guard } from '../access.ts';
import type { Handler } from '../contract.ts';
import { route } from '../http.ts';
import { effectiveSpec } from '../orgpolicy-state.ts';
import { forService } from '../services.ts';
import { findFolder, findOrganization, findProject } from '../world-index.ts';

const getEffectivePolicy: Handler = (req, ctx) => {
  const g = route(
    req,
    'GET',
    /^\/v2\/(projects|folders|organizations)\/([^/]+)\/policies\/([^/:]+):getEffectivePolicy$/,
  );
  if (!g) return undefined;
  const [kind = '', id = '', constraint = ''] = g;
  const project = kind === 'projects' ? findProject(ctx.world, id) : undefined;
  const exists =
    kind === 'projects'
      ? project !== undefined
      : kind === 'folders'
        ? findFolder(ctx.world, id) !== undefined
        : findOrganization(ctx.world, id) !== undefined;
  const node = `${kind}/${project?.id ?? id}`;
  guard(ctx, 'orgpolicy.policy.get', node, exists, {
    domain: 'orgpolicy.googleapis.com',
    denied: (perm) => `Permission '${perm}' denied on resource '${kind}/${id}' (or it may not exist).`,
    notFound: `Requested entity was not found.`,
  });
  const named = project ? `projects/${project.number}` : `${kind}/${id}`;
  return {
    status: 200,
    body: { name: `${named}/policies/${constraint}`, spec: effectiveSpec(ctx.world, node, constraint) },
  };
};

export const handlers: Handler[] = forService('orgpolicy.googleapis.com', [getEffectivePolicy]);
