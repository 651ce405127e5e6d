// Compute Engine v1, what Direct VPC needs: subnetworks (get, IAM: GET getIamPolicy, POST
// setIamPolicy with a RegionSetPolicyRequest, testIamPermissions) and networks get. Errors as
// Compute words them: "Required 'PERMISSION' permission for 'RESOURCE'" (403, forbidden) and
// "The resource 'RESOURCE' was not found" (404, notFound), with the legacy errors[] array.
import { type Ctx, type Handler, HttpError, type WorldSubnetwork } from '../contract.ts';
import { isRecord, route } from '../http.ts';
import { getPolicy, setPolicy, testPermissions } from '../policy-api.ts';
import { forService } from '../services.ts';
import { canonical, findSubnetwork } from '../world-connected.ts';
import { findProject } from '../world-index.ts';
import { listHandlers } from './compute-lists.ts';

const SUBNET =
  /^\/compute\/v1\/(projects\/[^/]+\/regions\/[^/]+\/subnetworks\/[^/]+?)(\/getIamPolicy|\/setIamPolicy|\/testIamPermissions)?$/;
const NETWORK = /^\/compute\/v1\/(projects\/[^/]+\/global\/networks\/[^/]+)$/;

export function require(ctx: Ctx, permission: string, resource: string): void {
  ctx.requireCaller();
  if (!ctx.can(permission, resource))
    throw new HttpError(
      403,
      'PERMISSION_DENIED',
      `Required '${permission}' permission for '${resource}'`,
      [],
      true,
    );
}

const missing = (resource: string) =>
  new HttpError(404, 'NOT_FOUND', `The resource '${resource}' was not found`, [], true);

/** A subnetwork as Compute answers it (get, and each item of its lists). */
export function subnetworkBody(s: WorldSubnetwork): Record<string, unknown> {
  const [, project = '', , region = '', , id = ''] = s.name.split('/');
  return {
    kind: 'compute#subnetwork',
    id: String(BigInt(`0x${Buffer.from(s.name).toString('hex').slice(0, 14)}`)),
    name: id,
    network: `https://www.googleapis.com/compute/v1/${s.network}`,
    region: `https://www.googleapis.com/compute/v1/projects/${project}/regions/${region}`,
    ipCidrRange: '10.10.0.0/24',
    privateIpGoogleAccess: true,
    selfLink: `https://www.googleapis.com/compute/v1/${s.name}`,
  };
}

const subnetwork: Handler = (req, ctx) => {
  const m = route(req, ['GET', 'POST'], SUBNET);
  if (!m) return undefined;
  const name = canonical(ctx.world, m[0] ?? '');
  const verb = m[1] ?? '';
  const s = findSubnetwork(ctx.world, name);
  const project = findProject(ctx.world, name.split('/')[1] ?? '');
  if (verb === '' && req.method === 'GET') {
    require(ctx, 'compute.subnetworks.get', name);
    if (!s || !project) throw missing(name);
    return { status: 200, body: subnetworkBody(s) };
  }
  if (verb === '/getIamPolicy' && req.method === 'GET') {
    require(ctx, 'compute.subnetworks.getIamPolicy', name);
    if (!s) throw missing(name);
    // Compute names the version parameter optionsRequestedPolicyVersion.
    const query = new URLSearchParams(req.query);
    const v = query.get('optionsRequestedPolicyVersion');
    if (v !== null) query.set('options.requestedPolicyVersion', v);
    return { status: 200, body: getPolicy(s, undefined, query) };
  }
  if (verb === '/setIamPolicy' && req.method === 'POST') {
    require(ctx, 'compute.subnetworks.setIamPolicy', name);
    if (!s) throw missing(name);
    const body = isRecord(req.body) ? req.body : {};
    // RegionSetPolicyRequest: `policy`, or the deprecated flat bindings/etag.
    const policy = isRecord(body.policy) ? body.policy : { bindings: body.bindings, etag: body.etag };
    try {
      return { status: 200, body: setPolicy(ctx, s, { policy }) };
    } catch (e) {
      // Compute refuses a stale etag as a failed precondition: 412 "Precondition check failed."
      // with errors[] reason conditionNotMet (googlecodelabs/feedback#817 quotes Compute's 412
      // body on subnetworks; hashicorp/terraform-provider-google#11265 its conditionNotMet).
      if (!(e instanceof HttpError) || e.httpStatus !== 409) throw e;
      const stale = new HttpError(412, 'FAILED_PRECONDITION', 'Precondition check failed.', [], true);
      stale.legacyReason = 'conditionNotMet';
      throw stale;
    }
  }
  if (verb === '/testIamPermissions' && req.method === 'POST') {
    ctx.requireCaller();
    if (!s) throw missing(name);
    return { status: 200, body: testPermissions(ctx, name, req.body) };
  }
  return undefined;
};

const network: Handler = (req, ctx) => {
  const m = route(req, 'GET', NETWORK);
  if (!m) return undefined;
  const name = canonical(ctx.world, m[0] ?? '');
  require(ctx, 'compute.networks.get', name);
  const subnets = ctx.world.connected.subnetworks.filter((s) => s.network === name);
  if (subnets.length === 0) throw missing(name);
  return {
    status: 200,
    body: {
      kind: 'compute#network',
      name: name.split('/').pop(),
      autoCreateSubnetworks: false,
      subnetworks: subnets.map((s) => `https://www.googleapis.com/compute/v1/${s.name}`),
      selfLink: `https://www.googleapis.com/compute/v1/${name}`,
    },
  };
};

export const handlers: Handler[] = forService('compute.googleapis.com', [
  subnetwork,
  network,
  ...listHandlers,
]);
