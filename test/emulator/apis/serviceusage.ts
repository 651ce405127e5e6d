// Service Usage v1: services.get, whether an API is enabled in a project (the projects'
// `services` in the scenario).
import { guard } from '../access.ts';
import type { Handler, WorldProject } from '../contract.ts';
import { route } from '../http.ts';
import { forService } from '../services.ts';
import { findProject } from '../world-index.ts';

const getService: Handler = (req, ctx) => {
  const m = route(req, 'GET', /^\/v1\/projects\/([^/]+)\/services\/([^/:]+)$/);
  if (!m) return undefined;
  const [id = '', service = ''] = m;
  const p = findProject(ctx.world, id);
  guard(ctx, 'serviceusage.services.get', `projects/${p?.id ?? id}`, p !== undefined, {
    domain: 'serviceusage.googleapis.com',
    denied: (perm) => `Permission '${perm}' denied on resource 'projects/${id}' (or it may not exist).`,
    notFound: 'Requested entity was not found.',
  });
  const project = p as WorldProject;
  return {
    status: 200,
    body: {
      name: `projects/${project.number}/services/${service}`,
      config: { name: service },
      state: project.services.includes(service) ? 'ENABLED' : 'DISABLED',
      parent: `projects/${project.number}`,
    },
  };
};

export const handlers: Handler[] = forService('serviceusage.googleapis.com', [getService]);
