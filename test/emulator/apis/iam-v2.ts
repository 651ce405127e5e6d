// IAM v2 deny policies: policies.listPolicies and policies.get under
// /v2/policies/{URL-encoded attachment point}/denypolicies, the attachment point being the
// full resource name of a project, folder or organization
// (cloudresourcemanager.googleapis.com/projects/ID). List answers metadata only (rules
// omitted), as Google's does; get answers the whole policy.
import type { Ctx, Handler, World, WorldDenyPolicy } from '../contract.ts';
import { HttpError } from '../contract.ts';
import { canonicalPoint, denyPoliciesAt } from '../deny.ts';
import { route } from '../http.ts';
import { listBody, paginate } from '../paging.ts';
import { forService } from '../services.ts';
import { findFolder, findOrganization, findProject } from '../world-index.ts';

const LIST = /^\/v2\/policies\/([^/]+)\/denypolicies$/;
const GET = /^\/v2\/policies\/([^/]+)\/denypolicies\/([^/]+)$/;
const CRM = 'cloudresourcemanager.googleapis.com/';
const STAMP = '2024-05-02T09:00:00.000000Z';

/**
 * The attachment point as sent: route() decoded it once; gcloud encodes it twice
 * (`%252F`), and Google decodes what is still encoded, so a remaining %2F is a slash.
 */
function decodedPoint(raw: string): string {
  return /%2F/i.test(raw) ? decodeURIComponent(raw) : raw;
}

/** cloudresourcemanager.googleapis.com/projects/ID -> projects/ID, checked to exist. */
function attachment(ctx: Ctx, raw: string): string {
  const encoded = decodedPoint(raw);
  const point = encoded.startsWith(CRM) ? encoded.slice(CRM.length) : '';
  const [kind, id = ''] = point.split('/');
  const exists =
    (kind === 'projects' && findProject(ctx.world, id) !== undefined) ||
    (kind === 'folders' && findFolder(ctx.world, id) !== undefined) ||
    (kind === 'organizations' && findOrganization(ctx.world, id) !== undefined);
  if (!/^(projects|folders|organizations)\/[^/]+$/.test(point)) {
    throw new HttpError(400, 'INVALID_ARGUMENT', `Invalid attachment point: ${encoded}.`);
  }
  const canonical = canonicalPoint(ctx.world, point);
  ctx.requireCaller();
  return exists ? canonical : point;
}

/**
 * A deny policy as IAM answers it. "Responses always contain the numeric ID" of a project in
 * the name (gcloud's iam_v2_messages.py, GoogleIamV2Policy.name).
 */
export function renderDenyPolicy(
  p: WorldDenyPolicy,
  withRules: boolean,
  world?: World,
): Record<string, unknown> {
  const project = /^projects\/([^/]+)$/.exec(p.attachmentPoint)?.[1];
  const point =
    project && world ? `projects/${findProject(world, project)?.number ?? project}` : p.attachmentPoint;
  const out: Record<string, unknown> = {
    name: `policies/${encodeURIComponent(`${CRM}${point}`)}/denypolicies/${p.id}`,
    uid: Buffer.from(`${p.attachmentPoint}/${p.id}`).toString('hex').slice(0, 32),
    kind: 'DenyPolicy',
    etag: p.etag,
    createTime: STAMP,
    updateTime: STAMP,
  };
  if (p.displayName) out.displayName = p.displayName;
  if (withRules) out.rules = structuredClone(p.rules);
  return out;
}

const listPolicies: Handler = (req, ctx) => {
  const g = route(req, 'GET', LIST);
  if (!g) return undefined;
  const point = attachment(ctx, g[0] ?? '');
  ctx.require('iam.denypolicies.list', point);
  const policies = denyPoliciesAt(ctx.world, point).map((p) => renderDenyPolicy(p, false, ctx.world));
  // "IAM ignores this value [pageSize] and uses the value 1000" (IamPoliciesListPoliciesRequest).
  const query = new URLSearchParams(req.query);
  query.delete('pageSize');
  const page = paginate(policies, query, `deny:${point}`, { defaultSize: 1000, maxSize: 1000 });
  return { status: 200, body: listBody('policies', page) };
};

const getPolicy: Handler = (req, ctx) => {
  const g = route(req, 'GET', GET);
  if (!g) return undefined;
  const point = attachment(ctx, g[0] ?? '');
  ctx.require('iam.denypolicies.get', point);
  const found = denyPoliciesAt(ctx.world, point).find((p) => p.id === g[1]);
  if (!found) {
    throw new HttpError(404, 'NOT_FOUND', `Policy ${req.path.slice('/v2/'.length)} not found.`);
  }
  return { status: 200, body: renderDenyPolicy(found, true, ctx.world) };
};

export const handlers: Handler[] = forService('iam.googleapis.com', [listPolicies, getPolicy]);
