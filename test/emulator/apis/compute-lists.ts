// Compute Engine v1 lists gcloud needs: networks.list (`gcloud compute networks list`),
// subnetworks.list and subnetworks.aggregatedList (`gcloud compute networks subnets list`),
// with Compute's paging (maxResults / pageToken -> nextPageToken) and list shapes (NetworkList,
// SubnetworkList, SubnetworkAggregatedList in gcloud's compute_v1_messages.py).
import type { Handler, World } from '../contract.ts';
import { route } from '../http.ts';
import { paginate } from '../paging.ts';
import { canonical } from '../world-connected.ts';
import { require, subnetworkBody } from './compute.ts';

const BASE = 'https://www.googleapis.com/compute/v1';

/** Compute's page: maxResults (default and largest 500) and pageToken. */
function page<T>(items: T[], query: URLSearchParams, scope: string): { items: T[]; next?: string } {
  const q = new URLSearchParams(query);
  const max = q.get('maxResults');
  q.delete('maxResults');
  if (max !== null) q.set('pageSize', max);
  return paginate(items, q, scope, { defaultSize: 500, maxSize: 500 });
}

function networksOf(world: World, project: string): string[] {
  return [...new Set(world.connected.subnetworks.map((s) => s.network))].filter((n) =>
    n.startsWith(`projects/${project}/`),
  );
}

const listNetworks: Handler = (req, ctx) => {
  const m = route(req, 'GET', /^\/compute\/v1\/projects\/([^/]+)\/global\/networks$/);
  if (!m) return undefined;
  const project = canonical(ctx.world, `projects/${m[0] ?? ''}`);
  require(ctx, 'compute.networks.list', project);
  const id = project.split('/')[1] ?? '';
  const items = networksOf(ctx.world, id).map((n) => ({
    kind: 'compute#network',
    name: n.split('/').pop(),
    autoCreateSubnetworks: false,
    subnetworks: ctx.world.connected.subnetworks
      .filter((s) => s.network === n)
      .map((s) => `${BASE}/${s.name}`),
    selfLink: `${BASE}/${n}`,
  }));
  const p = page(items, req.query, req.path);
  const body: Record<string, unknown> = {
    kind: 'compute#networkList',
    id: `projects/${id}/global/networks`,
    items: p.items,
    selfLink: `${BASE}/projects/${id}/global/networks`,
  };
  if (p.next) body.nextPageToken = p.next;
  return { status: 200, body };
};

const listSubnetworks: Handler = (req, ctx) => {
  const m = route(req, 'GET', /^\/compute\/v1\/projects\/([^/]+)\/regions\/([^/]+)\/subnetworks$/);
  if (!m) return undefined;
  const project = canonical(ctx.world, `projects/${m[0] ?? ''}`);
  require(ctx, 'compute.subnetworks.list', project);
  const prefix = `${project}/regions/${m[1] ?? ''}/subnetworks/`;
  const p = page(
    ctx.world.connected.subnetworks.filter((s) => s.name.startsWith(prefix)).map(subnetworkBody),
    req.query,
    req.path,
  );
  const body: Record<string, unknown> = {
    kind: 'compute#subnetworkList',
    id: prefix.slice(0, -1),
    items: p.items,
    selfLink: `${BASE}/${prefix.slice(0, -1)}`,
  };
  if (p.next) body.nextPageToken = p.next;
  return { status: 200, body };
};

const aggregatedSubnetworks: Handler = (req, ctx) => {
  const m = route(req, 'GET', /^\/compute\/v1\/projects\/([^/]+)\/aggregated\/subnetworks$/);
  if (!m) return undefined;
  const project = canonical(ctx.world, `projects/${m[0] ?? ''}`);
  require(ctx, 'compute.subnetworks.list', project);
  const mine = ctx.world.connected.subnetworks.filter((s) => s.name.startsWith(`${project}/`));
  const p = page(mine, req.query, req.path);
  const items: Record<string, { subnetworks: unknown[] }> = {};
  for (const s of p.items) {
    const region = `regions/${s.name.split('/')[3] ?? ''}`;
    items[region] ??= { subnetworks: [] };
    items[region].subnetworks.push(subnetworkBody(s));
  }
  const body: Record<string, unknown> = {
    kind: 'compute#subnetworkAggregatedList',
    id: `${project}/aggregated/subnetworks`,
    items,
    selfLink: `${BASE}/${project}/aggregated/subnetworks`,
  };
  if (p.next) body.nextPageToken = p.next;
  return { status: 200, body };
};

export const listHandlers: Handler[] = [listNetworks, listSubnetworks, aggregatedSubnetworks];
