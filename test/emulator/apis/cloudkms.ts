// Cloud KMS v1: crypto key and key ring IAM (GET getIamPolicy, setIamPolicy,
// testIamPermissions), what CMEK needs the Cloud Run service agent to hold.
import { iamMethods } from '../access.ts';
import type { Handler } from '../contract.ts';
import { forService } from '../services.ts';
import { canonical, findCryptoKey, findKeyRing } from '../world-connected.ts';

const KEY = /^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/:]+)$/;

const keyIam = iamMethods(KEY, 'GET', (ctx, [name = '']) => {
  const resource = canonical(ctx.world, name);
  return {
    domain: 'cloudkms.googleapis.com',
    denied: (p) => `Permission '${p}' denied on resource '${name}' (or it may not exist).`,
    notFound: `CryptoKey ${name} not found.`,
    resource,
    holder: findCryptoKey(ctx.world, resource),
    getPermission: 'cloudkms.cryptoKeys.getIamPolicy',
    setPermission: 'cloudkms.cryptoKeys.setIamPolicy',
  };
});

// Key rings carry policies too, and their keys inherit them (https://cloud.google.com/kms/docs/iam).
const RING = /^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/:]+)$/;

const ringIam = iamMethods(RING, 'GET', (ctx, [name = '']) => {
  const resource = canonical(ctx.world, name);
  return {
    domain: 'cloudkms.googleapis.com',
    denied: (p) => `Permission '${p}' denied on resource '${name}' (or it may not exist).`,
    notFound: `KeyRing ${name} not found.`,
    resource,
    holder: findKeyRing(ctx.world, resource),
    getPermission: 'cloudkms.keyRings.getIamPolicy',
    setPermission: 'cloudkms.keyRings.setIamPolicy',
  };
});

export const handlers: Handler[] = forService('cloudkms.googleapis.com', [...keyIam, ...ringIam]);
