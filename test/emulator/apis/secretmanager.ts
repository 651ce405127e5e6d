// Secret Manager v1: secrets (get, IAM with GET getIamPolicy) and versions (get, access, list).
import { type Guard, guard, iamMethods } from '../access.ts';
import type { Ctx, Handler, WorldSecret } from '../contract.ts';
import { route } from '../http.ts';
import { listBody, paginate } from '../paging.ts';
import { forService } from '../services.ts';
import { findProject, findSecret } from '../world-index.ts';

const STAMP = '2024-03-01T08:00:00.000000Z';
const SECRET = /^\/v1\/projects\/([^/]+)\/secrets\/([^/:]+)$/;

function target(ctx: Ctx, project: string, secret: string) {
  const p = findProject(ctx.world, project);
  const resource = `projects/${p?.id ?? project}/secrets/${secret}`;
  const g: Guard = {
    domain: 'secretmanager.googleapis.com',
    denied: (perm) => `Permission '${perm}' denied for resource '${resource}' (or it may not exist).`,
    notFound: `Secret [projects/${p?.number ?? project}/secrets/${secret}] not found or has no versions.`,
  };
  return { g, resource, secret: findSecret(ctx.world, project, secret), number: p?.number ?? project };
}

const getSecret: Handler = (req, ctx) => {
  const m = route(req, 'GET', SECRET);
  if (!m) return undefined;
  const t = target(ctx, m[0] ?? '', m[1] ?? '');
  guard(ctx, 'secretmanager.secrets.get', t.resource, t.secret !== undefined, t.g);
  return {
    status: 200,
    body: {
      name: `projects/${t.number}/secrets/${m[1]}`,
      replication: { automatic: {} },
      createTime: STAMP,
      etag: '"1"',
    },
  };
};

const version: Handler = (req, ctx) => {
  const m = route(req, 'GET', /^\/v1\/projects\/([^/]+)\/secrets\/([^/:]+)\/versions\/([^/:]+?)(:access)?$/);
  if (!m) return undefined;
  const [project = '', secret = '', v = '', access] = m;
  const t = target(ctx, project, secret);
  const s = t.secret as WorldSecret | undefined;
  const resolved = v === 'latest' ? s?.versions.at(-1) : v;
  const exists = s !== undefined && resolved !== undefined && s.versions.includes(resolved);
  const permission = access ? 'secretmanager.versions.access' : 'secretmanager.versions.get';
  guard(ctx, permission, t.resource, exists, {
    ...t.g,
    notFound: `Secret Version [projects/${t.number}/secrets/${secret}/versions/${v}] not found.`,
  });
  const name = `projects/${t.number}/secrets/${secret}/versions/${resolved}`;
  if (access) {
    const data = Buffer.from(`emulated value of ${secret} version ${resolved}`).toString('base64');
    return { status: 200, body: { name, payload: { data } } };
  }
  return { status: 200, body: { name, createTime: STAMP, state: 'ENABLED', etag: '"1"' } };
};

/** versions.list: newest first, each with its state; pageSize/pageToken paging. */
const listVersions: Handler = (req, ctx) => {
  const m = route(req, 'GET', /^\/v1\/projects\/([^/]+)\/secrets\/([^/:]+)\/versions$/);
  if (!m) return undefined;
  const [project = '', secret = ''] = m;
  const t = target(ctx, project, secret);
  guard(ctx, 'secretmanager.versions.list', t.resource, t.secret !== undefined, t.g);
  const versions = [...(t.secret as WorldSecret).versions].reverse().map((v) => ({
    name: `projects/${t.number}/secrets/${secret}/versions/${v}`,
    createTime: STAMP,
    state: 'ENABLED',
    etag: '"1"',
  }));
  const page = paginate(versions, req.query, req.path);
  return { status: 200, body: { ...listBody('versions', page), totalSize: versions.length } };
};

const secretIam = iamMethods(SECRET, 'GET', (ctx, [project = '', secret = '']) => {
  const t = target(ctx, project, secret);
  return {
    ...t.g,
    resource: t.resource,
    holder: t.secret,
    getPermission: 'secretmanager.secrets.getIamPolicy',
    setPermission: 'secretmanager.secrets.setIamPolicy',
  };
});

export const handlers: Handler[] = forService('secretmanager.googleapis.com', [
  getSecret,
  version,
  listVersions,
  ...secretIam,
]);
