// Serverless VPC Access v1: connectors get (connectors have no IAM policy of their own:
// access is granted on their project).
import { guard } from '../access.ts';
import type { Handler } from '../contract.ts';
import { route } from '../http.ts';
import { forService } from '../services.ts';
import { canonical } from '../world-connected.ts';
import { findProject } from '../world-index.ts';

const CONNECTOR = /^\/v1\/(projects\/([^/]+)\/locations\/[^/]+\/connectors\/[^/:]+)$/;

const getConnector: Handler = (req, ctx) => {
  const m = route(req, 'GET', CONNECTOR);
  if (!m) return undefined;
  const name = canonical(ctx.world, m[0] ?? '');
  const project = findProject(ctx.world, m[1] ?? '');
  const network = ctx.world.connected.connectors[name];
  guard(ctx, 'vpcaccess.connectors.get', `projects/${project?.id ?? m[1]}`, network !== undefined, {
    domain: 'vpcaccess.googleapis.com',
    denied: (p) => `Permission '${p}' denied on resource '${name}' (or it may not exist).`,
    notFound: 'Requested entity was not found.',
  });
  return {
    status: 200,
    body: {
      name,
      network,
      ipCidrRange: '10.8.0.0/28',
      state: 'READY',
      minInstances: 2,
      maxInstances: 3,
      machineType: 'e2-micro',
    },
  };
};

export const handlers: Handler[] = forService('vpcaccess.googleapis.com', [getConnector]);
