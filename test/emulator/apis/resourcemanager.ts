// Resource Manager v3 (and the v1 forms gcloud uses): projects, folders and organizations,
// their get methods and IAM policies.
import { type Guard, guard, iamMethods } from '../access.ts';
import type { Handler, WorldProject } from '../contract.ts';
import { badRequest, route } from '../http.ts';
import { listBody, paginate } from '../paging.ts';
import { forService } from '../services.ts';
import { findFolder, findOrganization, findProject } from '../world-index.ts';

const CREATED = '2024-01-15T09:30:00.000Z';

function rmGuard(kind: string, id: string): Guard {
  return {
    domain: 'cloudresourcemanager.googleapis.com',
    denied: (p) =>
      `Permission '${p}' denied on resource '//cloudresourcemanager.googleapis.com/${kind}/${id}' (or it may not exist).`,
    notFound: `${kind.slice(0, -1)} '${kind}/${id}' not found.`,
  };
}

function projectV3(p: WorldProject): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: `projects/${p.number}`,
    projectId: p.id,
    state: 'ACTIVE',
    displayName: p.id,
    createTime: CREATED,
    updateTime: CREATED,
    etag: `W/"${p.number}"`,
  };
  if (p.parent) out.parent = p.parent;
  return out;
}

function projectV1(p: WorldProject): Record<string, unknown> {
  const out: Record<string, unknown> = {
    projectNumber: p.number,
    projectId: p.id,
    lifecycleState: 'ACTIVE',
    name: p.id,
    createTime: CREATED,
  };
  if (p.parent) {
    const [kind = '', id = ''] = p.parent.split('/');
    out.parent = { type: kind === 'folders' ? 'folder' : 'organization', id };
  }
  return out;
}

const getProject: Handler = (req, ctx) => {
  const g = route(req, 'GET', /^\/(v1|v3)\/projects\/([^/:]+)$/);
  if (!g) return undefined;
  const [version, id = ''] = g;
  const p = findProject(ctx.world, id);
  guard(
    ctx,
    'resourcemanager.projects.get',
    `projects/${p?.id ?? id}`,
    p !== undefined,
    rmGuard('projects', id),
  );
  const project = p as WorldProject;
  return { status: 200, body: version === 'v1' ? projectV1(project) : projectV3(project) };
};

/**
 * v1 projects.list (`gcloud projects list`): the projects the caller may get, filtered as gcloud
 * asks (`lifecycleState:ACTIVE`, optionally `AND (...)` with id:, projectId:, name: or
 * parent.id: terms; api_lib/cloudresourcemanager/projects_api.py), paged with pageSize/pageToken.
 */
const listProjects: Handler = (req, ctx) => {
  if (!route(req, 'GET', /^\/v1\/projects$/)) return undefined;
  ctx.requireCaller();
  const filter = (req.query.get('filter') ?? '').trim();
  const terms = filter
    .replace(/[()]/g, ' ')
    .split(/\s+AND\s+|\s+/)
    .filter((t) => t !== '' && t !== 'AND');
  const checks = terms.map((t) => {
    const m = /^(lifecycleState|id|projectId|name|parent\.id|parent\.type):(\S+)$/.exec(t);
    if (!m?.[1] || m[2] === undefined) throw badRequest(`Request contains an invalid argument.`);
    const [, field, want] = m;
    return (p: WorldProject) => {
      const v1 = projectV1(p) as Record<string, unknown>;
      const parent = (v1.parent ?? {}) as Record<string, string>;
      const value =
        field === 'lifecycleState'
          ? 'ACTIVE'
          : field === 'id' || field === 'projectId'
            ? p.id
            : field === 'name'
              ? p.id
              : field === 'parent.id'
                ? parent.id
                : parent.type;
      return value === want.replace(/^"|"$/g, '');
    };
  });
  const visible = ctx.world.projects
    .filter((p) => ctx.can('resourcemanager.projects.get', `projects/${p.id}`))
    .filter((p) => checks.every((c) => c(p)))
    .sort((a, b) => a.id.localeCompare(b.id))
    .map(projectV1);
  return {
    status: 200,
    body: listBody('projects', paginate(visible, req.query, req.path, { defaultSize: 500 })),
  };
};

const getFolder: Handler = (req, ctx) => {
  const g = route(req, 'GET', /^\/(v2|v3)\/folders\/([^/:]+)$/);
  if (!g) return undefined;
  const [version, id = ''] = g;
  const f = findFolder(ctx.world, id);
  guard(ctx, 'resourcemanager.folders.get', `folders/${id}`, f !== undefined, rmGuard('folders', id));
  const common = {
    name: `folders/${id}`,
    parent: f?.parent,
    displayName: `folder-${id}`,
    createTime: CREATED,
  };
  // v2 predates v3's field names: lifecycleState, no state/updateTime/etag.
  const body =
    version === 'v2'
      ? { ...common, lifecycleState: 'ACTIVE' }
      : { ...common, state: 'ACTIVE', updateTime: CREATED, etag: `W/"${id}"` };
  return { status: 200, body };
};

const getOrganization: Handler = (req, ctx) => {
  const g = route(req, 'GET', /^\/(v1|v3)\/organizations\/([^/:]+)$/);
  if (!g) return undefined;
  const [version, id = ''] = g;
  const o = findOrganization(ctx.world, id);
  guard(
    ctx,
    'resourcemanager.organizations.get',
    `organizations/${id}`,
    o !== undefined,
    rmGuard('organizations', id),
  );
  const displayName = `org-${id}.example.com`;
  const customer = `C0${id.slice(-7)}`;
  // v1 names its fields creationTime, lifecycleState and owner.directoryCustomerId.
  const body =
    version === 'v1'
      ? {
          name: `organizations/${id}`,
          displayName,
          owner: { directoryCustomerId: customer },
          creationTime: CREATED,
          lifecycleState: 'ACTIVE',
        }
      : {
          name: `organizations/${id}`,
          displayName,
          directoryCustomerId: customer,
          state: 'ACTIVE',
          createTime: CREATED,
          updateTime: CREATED,
          etag: `W/"${id}"`,
        };
  return { status: 200, body };
};

const projectIam = iamMethods(/^\/(?:v1|v3)\/projects\/([^/:]+)$/, 'POST', (ctx, [id = '']) => {
  const p = findProject(ctx.world, id);
  return {
    ...rmGuard('projects', id),
    resource: `projects/${p?.id ?? id}`,
    holder: p,
    getPermission: 'resourcemanager.projects.getIamPolicy',
    setPermission: 'resourcemanager.projects.setIamPolicy',
  };
});

const folderIam = iamMethods(/^\/(?:v2|v3)\/folders\/([^/:]+)$/, 'POST', (ctx, [id = '']) => ({
  ...rmGuard('folders', id),
  resource: `folders/${id}`,
  holder: findFolder(ctx.world, id),
  getPermission: 'resourcemanager.folders.getIamPolicy',
  setPermission: 'resourcemanager.folders.setIamPolicy',
}));

const orgIam = iamMethods(/^\/(?:v1|v3)\/organizations\/([^/:]+)$/, 'POST', (ctx, [id = '']) => ({
  ...rmGuard('organizations', id),
  resource: `organizations/${id}`,
  holder: findOrganization(ctx.world, id),
  getPermission: 'resourcemanager.organizations.getIamPolicy',
  setPermission: 'resourcemanager.organizations.setIamPolicy',
}));

export const handlers: Handler[] = forService('cloudresourcemanager.googleapis.com', [
  getProject,
  listProjects,
  getFolder,
  getOrganization,
  ...projectIam,
  ...folderIam,
  ...orgIam,
]);
