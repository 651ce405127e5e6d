// Cloud KMS v1: a crypto key's IAM policy (CMEK: the Cloud Run service agent encrypts and
// decrypts with it). Called through the auth client; getIamPolicy is a GET there.
import { permissionsAnswer } from './answer.ts';
import type { ApiContext } from './clients.ts';
import { type Policy, policyDecoder } from './iam.ts';
import { pathOf, rest } from './rest.ts';

/** projects/P/locations/L/keyRings/R/cryptoKeys/K */
const base = (key: string) => `v1/${pathOf(key)}`;

const POLICY = { what: 'a Policy', decode: policyDecoder };

export function createKmsClient(ctx: ApiContext) {
  return {
    getKeyIamPolicy: (key: string) =>
      rest(ctx, 'cloudkms', `${base(key)}:getIamPolicy`, POLICY, {
        params: { 'options.requestedPolicyVersion': 3 },
      }),
    setKeyIamPolicy: (key: string, policy: Policy) =>
      rest(ctx, 'cloudkms', `${base(key)}:setIamPolicy`, POLICY, {
        method: 'POST',
        body: { policy, updateMask: 'bindings,etag' },
      }),
    testKeyPermissions: (key: string, permissions: string[]) =>
      rest(
        ctx,
        'cloudkms',
        `${base(key)}:testIamPermissions`,
        { what: 'a TestIamPermissionsResponse', decode: permissionsAnswer },
        { method: 'POST', body: { permissions } },
      ),
  };
}
