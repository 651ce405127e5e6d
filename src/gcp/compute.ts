// Compute Engine v1, the few calls the IAM preflight needs: a subnetwork's IAM policy (Direct
// VPC on a Shared VPC subnet is granted there, never on the host project) and whether a
// subnetwork exists. Called through the auth client: the compute client package is huge.
import type { ApiContext } from './clients.ts';
import type { Policy } from './iam.ts';
import { pathOf, rest } from './rest.ts';

/** projects/P/regions/R/subnetworks/S */
const base = (subnet: string) => `compute/v1/${pathOf(subnet)}`;

export interface SubnetworkInfo {
  name?: string;
  network?: string;
  region?: string;
  selfLink?: string;
}

export function createComputeClient(ctx: ApiContext) {
  return {
    getSubnetworkIamPolicy: (subnet: string) =>
      rest<Policy>(ctx, 'compute', `${base(subnet)}/getIamPolicy`, {
        params: { optionsRequestedPolicyVersion: 3 },
      }),
    // RegionSetPolicyRequest: the policy goes under `policy` (the flat bindings/etag are deprecated).
    setSubnetworkIamPolicy: (subnet: string, policy: Policy) =>
      rest<Policy>(ctx, 'compute', `${base(subnet)}/setIamPolicy`, { method: 'POST', body: { policy } }),
    testSubnetworkPermissions: async (subnet: string, permissions: string[]) =>
      (
        await rest<{ permissions?: string[] }>(ctx, 'compute', `${base(subnet)}/testIamPermissions`, {
          method: 'POST',
          body: { permissions },
        })
      ).permissions ?? [],
    getSubnetwork: (subnet: string) => rest<SubnetworkInfo>(ctx, 'compute', base(subnet)),
    /** projects/P/global/networks/N */
    getNetwork: (network: string) =>
      rest<Record<string, unknown>>(ctx, 'compute', `compute/v1/${pathOf(network)}`),
  };
}
