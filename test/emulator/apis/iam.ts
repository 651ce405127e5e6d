// IAM v1: service accounts (get, list, IAM policy) and roles.get for predefined and custom roles.
import { type Guard, guard, iamMethods } from '../access.ts';
import { type Ctx, type Handler, HttpError, type WorldServiceAccount } from '../contract.ts';
import { route } from '../http.ts';
import { roleDefinition } from '../iam-engine.ts';
import { listBody, paginate } from '../paging.ts';
import { forService } from '../services.ts';
import { findProject, findServiceAccount, projectOfEmail } from '../world-index.ts';

const IAM_GUARD: Guard = {
  domain: 'iam.googleapis.com',
  denied: (p) => `Permission '${p}' denied on resource (or it may not exist).`,
  notFound: 'Unknown service account',
};

/** The resource name the engine evaluates for a service account path segment pair. */
export function serviceAccountResource(ctx: Ctx, project: string, emailOrId: string): string {
  const sa = findServiceAccount(ctx.world, emailOrId);
  const p =
    sa?.project ??
    (project === '-'
      ? projectOfEmail(ctx.world, emailOrId)
      : (findProject(ctx.world, project)?.id ?? project));
  return `projects/${p ?? '-'}/serviceAccounts/${sa?.email ?? emailOrId}`;
}

export function renderServiceAccount(sa: WorldServiceAccount): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: `projects/${sa.project}/serviceAccounts/${sa.email}`,
    projectId: sa.project,
    uniqueId: sa.uniqueId,
    email: sa.email,
    displayName: sa.email.split('@')[0],
    etag: 'MDEwMjE5MjA=',
    oauth2ClientId: sa.uniqueId,
  };
  if (sa.disabled) out.disabled = true;
  return out;
}

const SA = /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/:]+)$/;

const getServiceAccount: Handler = (req, ctx) => {
  const g = route(req, 'GET', SA);
  if (!g) return undefined;
  const [project = '', id = ''] = g;
  const sa = findServiceAccount(ctx.world, id);
  guard(
    ctx,
    'iam.serviceAccounts.get',
    serviceAccountResource(ctx, project, id),
    sa !== undefined,
    IAM_GUARD,
  );
  return { status: 200, body: renderServiceAccount(sa as WorldServiceAccount) };
};

const listServiceAccounts: Handler = (req, ctx) => {
  const g = route(req, 'GET', /^\/v1\/projects\/([^/]+)\/serviceAccounts$/);
  if (!g) return undefined;
  const p = findProject(ctx.world, g[0] ?? '');
  guard(ctx, 'iam.serviceAccounts.list', `projects/${p?.id ?? g[0]}`, p !== undefined, {
    ...IAM_GUARD,
    notFound: `Project ${g[0]} not found.`,
  });
  const accounts = ctx.world.serviceAccounts.filter((sa) => sa.project === p?.id).map(renderServiceAccount);
  return { status: 200, body: listBody('accounts', paginate(accounts, req.query, req.path)) };
};

const saIam = iamMethods(SA, 'POST', (ctx, [project = '', id = '']) => ({
  ...IAM_GUARD,
  resource: serviceAccountResource(ctx, project, id),
  holder: findServiceAccount(ctx.world, id),
  getPermission: 'iam.serviceAccounts.getIamPolicy',
  setPermission: 'iam.serviceAccounts.setIamPolicy',
}));

function renderRole(name: string, def: { title: string; stage?: string; includedPermissions: string[] }) {
  return {
    name,
    title: def.title,
    description: def.title,
    includedPermissions: def.includedPermissions,
    stage: def.stage ?? 'GA',
    etag: 'AA==',
  };
}

// Predefined roles are public: any authenticated caller may read them.
const getPredefinedRole: Handler = (req, ctx) => {
  const g = route(req, 'GET', /^\/v1\/roles\/([^/]+)$/);
  if (!g) return undefined;
  ctx.requireCaller();
  const name = `roles/${g[0]}`;
  const def = roleDefinition(ctx.world, name);
  if (!def) throw new HttpError(404, 'NOT_FOUND', `The role named ${name} was not found.`);
  return { status: 200, body: renderRole(name, def) };
};

const getCustomRole: Handler = (req, ctx) => {
  const g = route(req, 'GET', /^\/v1\/(projects|organizations)\/([^/]+)\/roles\/([^/]+)$/);
  if (!g) return undefined;
  const [kind = '', parent = '', id = ''] = g;
  const parentId = kind === 'projects' ? (findProject(ctx.world, parent)?.id ?? parent) : parent;
  const name = `${kind}/${parentId}/roles/${id}`;
  const def = roleDefinition(ctx.world, name);
  guard(ctx, 'iam.roles.get', `${kind}/${parentId}`, def !== undefined, {
    ...IAM_GUARD,
    notFound: `The role named ${name} was not found.`,
  });
  return { status: 200, body: renderRole(name, def as NonNullable<typeof def>) };
};

export const handlers: Handler[] = forService('iam.googleapis.com', [
  getServiceAccount,
  listServiceAccounts,
  ...saIam,
  getPredefinedRole,
  getCustomRole,
]);
