// Compute Engine v1, the few calls the IAM preflight needs: a subnetwork's IAM policy (Direct
// VPC on a Shared VPC subnet is granted there, never on the host project) and whether a
// subnetwork exists. Called through the auth client: the compute client package is huge.
import { type Decoder, optional, permissionsAnswer, record, string, text } from './answer.ts';
import type { ApiContext } from './clients.ts';
import { type Policy, policyDecoder } from './iam.ts';
import { resourcePath, rest } from './rest.ts';

/** projects/P/regions/R/subnetworks/S */
const base = (subnet: string) => `compute/v1/${resourcePath(subnet)}`;

export interface SubnetworkInfo {
  name?: string;
  network?: string;
  region?: string;
  selfLink?: string;
}

// Subnetwork and Network in gcloud's generated_clients/apis/compute/v1/compute_v1_messages.py:
// the action reads name, network, region and selfLink, all strings.
const subnetwork: Decoder<SubnetworkInfo & Record<string, unknown>> = (v, at) => {
  const o = record(v, at);
  text(o.name, `${at}.name`);
  for (const k of ['network', 'region', 'selfLink']) optional(o, k, string, at);
  return o as SubnetworkInfo & Record<string, unknown>;
};

const network: Decoder<Record<string, unknown>> = (v, at) => {
  const o = record(v, at);
  text(o.name, `${at}.name`);
  return o;
};

const POLICY = { what: 'a Policy', decode: policyDecoder };
const PERMISSIONS = { what: 'a TestPermissionsResponse', decode: permissionsAnswer };

export function createComputeClient(ctx: ApiContext) {
  return {
    getSubnetworkIamPolicy: (subnet: string) =>
      rest(ctx, 'compute', `${base(subnet)}/getIamPolicy`, POLICY, {
        params: { optionsRequestedPolicyVersion: 3 },
      }),
    // RegionSetPolicyRequest: the policy goes under `policy` (the flat bindings/etag are deprecated).
    setSubnetworkIamPolicy: (subnet: string, policy: Policy) =>
      rest(ctx, 'compute', `${base(subnet)}/setIamPolicy`, POLICY, { method: 'POST', body: { policy } }),
    testSubnetworkPermissions: (subnet: string, permissions: string[]) =>
      rest(ctx, 'compute', `${base(subnet)}/testIamPermissions`, PERMISSIONS, {
        method: 'POST',
        body: { permissions },
      }),
    getSubnetwork: (subnet: string) =>
      rest(ctx, 'compute', base(subnet), { what: 'a Subnetwork', decode: subnetwork }),
    /** projects/P/global/networks/N */
    getNetwork: (network_: string) =>
      rest(ctx, 'compute', `compute/v1/${resourcePath(network_)}`, { what: 'a Network', decode: network }),
  };
}
