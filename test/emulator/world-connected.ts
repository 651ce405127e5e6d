// Lookups for what jobs connect to, by the names their APIs use: Cloud SQL instances,
// subnetworks, connectors, buckets (projects/_/buckets/B in IAM) and KMS keys, each with the
// project that is its IAM parent (and its own policy when it has one).
import type { Policy, World, WorldBucket, WorldSqlInstance, WorldSubnetwork } from './contract.ts';
import { findProject } from './world-index.ts';

/** A name's project segment as the world stores it (ids; the APIs also accept numbers). */
export function canonical(world: World, name: string): string {
  const m = /^projects\/([^/]+)(\/.*)?$/.exec(name);
  if (!m?.[1] || m[1] === '_') return name;
  return `projects/${findProject(world, m[1])?.id ?? m[1]}${m[2] ?? ''}`;
}

export function findSqlInstance(world: World, name: string): WorldSqlInstance | undefined {
  const n = canonical(world, name);
  return world.connected.sqlInstances.find((i) => i.name === n);
}

export function findSubnetwork(world: World, name: string): WorldSubnetwork | undefined {
  const n = canonical(world, name);
  return world.connected.subnetworks.find((s) => s.name === n);
}

export function findBucket(world: World, bucket: string): WorldBucket | undefined {
  const b = bucket.replace(/^projects\/_\/buckets\//, '');
  return world.connected.buckets.find((x) => x.name === b);
}

export function findCryptoKey(world: World, name: string): { policy: Policy } | undefined {
  return world.connected.cryptoKeys[canonical(world, name)];
}

export function findKeyRing(world: World, name: string): { policy: Policy } | undefined {
  return world.connected.keyRings[canonical(world, name)];
}

/** A connected resource's IAM node: its policy (if it exists), the policies it inherits below the project (a key's ring), its project. */
export interface ConnectedNode {
  policy?: Policy;
  ancestors?: Array<{ name: string; policy: Policy }>;
  project: string;
}

/** The IAM node of a subnetwork, bucket, key ring or key: its policy (if it exists) and its project. */
export function connectedResource(world: World, name: string): ConnectedNode | undefined {
  const bucket = /^projects\/_\/buckets\/([^/]+)/.exec(name);
  if (bucket?.[1]) {
    const b = findBucket(world, bucket[1]);
    return b ? { policy: b.policy, project: b.project } : undefined;
  }
  const subnet = /^(projects\/([^/]+)\/regions\/[^/]+\/subnetworks\/[^/:]+)/.exec(name);
  if (subnet?.[1] && subnet[2]) {
    const s = findSubnetwork(world, subnet[1]);
    return { ...(s ? { policy: s.policy } : {}), project: subnet[2] };
  }
  const key = /^((projects\/([^/]+)\/locations\/[^/]+\/keyRings\/[^/:]+)(?:\/cryptoKeys\/[^/:]+)?)/.exec(
    name,
  );
  if (key?.[1] && key[2] && key[3]) {
    const ring = findKeyRing(world, key[2]);
    if (key[1] === key[2]) return { ...(ring ? { policy: ring.policy } : {}), project: key[3] };
    const k = findCryptoKey(world, key[1]);
    const ancestors = ring ? [{ name: canonical(world, key[2]), policy: ring.policy }] : [];
    return { ...(k ? { policy: k.policy } : {}), ancestors, project: key[3] };
  }
  return undefined;
}
