// Service Usage v1: services.get / list / enable / batchEnable and operations.get, over the
// projects' `services` in the scenario, so `gcloud services list|enable` (the action's own
// remedy command) work against the emulator. Shapes from gcloud's serviceusage v1 message
// classes (GoogleApiServiceusageV1Service, ListServicesResponse, Operation with an
// EnableServiceResponse / BatchEnableServicesResponse); gcloud's `services enable` returns as
// soon as the operation it gets is done (surface/services/enable.py).
import { randomUUID } from 'node:crypto';
import { guard } from '../access.ts';
import { type Ctx, type Handler, HttpError, type WorldProject } from '../contract.ts';
import { badRequest, errorInfo, isRecord, route } from '../http.ts';
import { listBody, paginate } from '../paging.ts';
import { forService, knownServices, serviceTitle } from '../services.ts';
import { findProject } from '../world-index.ts';

/** Looks the project up behind `permission`: 403 without it, then 404. */
function projectFor(ctx: Ctx, id: string, permission: string): WorldProject {
  const p = findProject(ctx.world, id);
  guard(ctx, permission, `projects/${p?.id ?? id}`, p !== undefined, {
    domain: 'serviceusage.googleapis.com',
    denied: (perm) => `Permission '${perm}' denied on resource 'projects/${id}' (or it may not exist).`,
    notFound: 'Requested entity was not found.',
  });
  return p as WorldProject;
}

function serviceOf(project: WorldProject, service: string): Record<string, unknown> {
  return {
    name: `projects/${project.number}/services/${service}`,
    config: { name: service, title: serviceTitle(service) },
    state: project.services.includes(service) ? 'ENABLED' : 'DISABLED',
    parent: `projects/${project.number}`,
  };
}

// A service name is a DNS name (service.googleapis.com); anything else is no service at all.
const SERVICE_NAME = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/;

/**
 * Google's refusal to enable without serviceusage.services.enable: "Permission denied to
 * enable service [S]" with ErrorInfo AUTH_PERMISSION_DENIED in serviceusage.googleapis.com
 * (as quoted in su-kaka/gcli2api#283).
 */
function requireEnable(ctx: Ctx, id: string, service: string): WorldProject {
  ctx.requireCaller();
  const project = findProject(ctx.world, id);
  if (project && ctx.can('serviceusage.services.enable', `projects/${project.id}`)) return project;
  throw new HttpError(403, 'PERMISSION_DENIED', `Permission denied to enable service [${service}]`, [
    errorInfo('AUTH_PERMISSION_DENIED', 'serviceusage.googleapis.com', {}),
  ]);
}

/** The operations enable answered, kept for operations.get. */
const operations = new Map<string, Record<string, unknown>>();

function doneOperation(response: Record<string, unknown>, resourceNames: string[]): Record<string, unknown> {
  const name = `operations/acat.p2-${randomUUID()}`;
  const op = {
    name,
    metadata: { '@type': 'type.googleapis.com/google.api.serviceusage.v1.OperationMetadata', resourceNames },
    done: true,
    response,
  };
  operations.set(name, op);
  return op;
}

function enable(project: WorldProject, service: string): void {
  if (!project.services.includes(service)) project.services.push(service);
}

const getService: Handler = (req, ctx) => {
  const m = route(req, 'GET', /^\/v1\/projects\/([^/]+)\/services\/([^/:]+)$/);
  if (!m) return undefined;
  const [id = '', service = ''] = m;
  const project = projectFor(ctx, id, 'serviceusage.services.get');
  return { status: 200, body: serviceOf(project, service) };
};

/** Every service the world knows of, in name order; `filter=state:ENABLED|DISABLED` as gcloud sends it. */
const listServices: Handler = (req, ctx) => {
  const m = route(req, 'GET', /^\/v1\/projects\/([^/]+)\/services$/);
  if (!m) return undefined;
  const project = projectFor(ctx, m[0] ?? '', 'serviceusage.services.list');
  const filter = (req.query.get('filter') ?? '').trim();
  const wanted = /^state:(ENABLED|DISABLED)$/.exec(filter)?.[1];
  if (filter !== '' && !wanted) throw badRequest(`Invalid filter: ${filter}`);
  const known = new Set([...knownServices(), ...ctx.world.projects.flatMap((p) => p.services)]);
  const all = [...known]
    .sort()
    .map((s) => serviceOf(project, s))
    .filter((s) => !wanted || s.state === wanted);
  return { status: 200, body: listBody('services', paginate(all, req.query, req.path, { defaultSize: 50 })) };
};

const enableService: Handler = (req, ctx) => {
  const m = route(req, 'POST', /^\/v1\/projects\/([^/]+)\/services\/([^/:]+):enable$/);
  if (!m) return undefined;
  const [id = '', service = ''] = m;
  if (!SERVICE_NAME.test(service)) throw badRequest(`Invalid service name: ${service}`);
  const project = requireEnable(ctx, id, service);
  enable(project, service);
  const response = {
    '@type': 'type.googleapis.com/google.api.serviceusage.v1.EnableServiceResponse',
    service: serviceOf(project, service),
  };
  return { status: 200, body: doneOperation(response, [`projects/${project.number}/services/${service}`]) };
};

const batchEnable: Handler = (req, ctx) => {
  const m = route(req, 'POST', /^\/v1\/projects\/([^/]+)\/services:batchEnable$/);
  if (!m) return undefined;
  const ids = isRecord(req.body) && Array.isArray(req.body.serviceIds) ? req.body.serviceIds.map(String) : [];
  if (ids.length === 0 || ids.length > 20) throw badRequest('serviceIds must name 1 to 20 services.');
  const bad = ids.find((s) => !SERVICE_NAME.test(s));
  if (bad) throw badRequest(`Invalid service name: ${bad}`);
  const project = requireEnable(ctx, m[0] ?? '', ids.join(', '));
  for (const s of ids) enable(project, s);
  const response = {
    '@type': 'type.googleapis.com/google.api.serviceusage.v1.BatchEnableServicesResponse',
    services: ids.map((s) => serviceOf(project, s)),
  };
  return {
    status: 200,
    body: doneOperation(
      response,
      ids.map((s) => `projects/${project.number}/services/${s}`),
    ),
  };
};

const getOperation: Handler = (req, ctx) => {
  const m = route(req, 'GET', /^\/v1\/(operations\/[^/]+)$/);
  if (!m) return undefined;
  ctx.requireCaller();
  const op = operations.get(m[0] ?? '');
  if (!op) throw new HttpError(404, 'NOT_FOUND', 'Requested entity was not found.');
  return { status: 200, body: op };
};

export const handlers: Handler[] = forService('serviceusage.googleapis.com', [
  getService,
  listServices,
  enableService,
  batchEnable,
  getOperation,
]);
