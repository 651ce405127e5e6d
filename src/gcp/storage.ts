// Cloud Storage JSON API: a bucket's IAM policy (b/{bucket}/iam, PUT to write,
// iam/testPermissions) and the bucket's project number, which is its IAM parent. Called through
// the auth client: no googleapis package for one resource.

import { resourceName } from '../resource-name.ts';
import type { ApiContext } from './clients.ts';
import type { Policy } from './iam.ts';
import { rest } from './rest.ts';

/** Buckets are named projects/_/buckets/B in IAM; the JSON API takes the bare name. */
export function bucketOf(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

const iam = (bucket: string) => `storage/v1/b/${encodeURIComponent(bucketOf(bucket))}/iam`;

export function createStorageClient(ctx: ApiContext) {
  return {
    getBucketIamPolicy: (bucket: string) =>
      rest<Policy>(ctx, 'storage', iam(bucket), { params: { optionsRequestedPolicyVersion: 3 } }),
    setBucketIamPolicy: (bucket: string, policy: Policy) =>
      rest<Policy>(ctx, 'storage', iam(bucket), { method: 'PUT', body: policy }),
    testBucketPermissions: async (bucket: string, permissions: string[]) =>
      (
        await rest<{ permissions?: string[] }>(ctx, 'storage', `${iam(bucket)}/testPermissions`, {
          params: { permissions },
        })
      ).permissions ?? [],
    /** projects/NUMBER that owns the bucket. */
    async bucketProject(bucket: string): Promise<string> {
      const b = await rest<{ projectNumber?: string }>(
        ctx,
        'storage',
        `storage/v1/b/${encodeURIComponent(bucketOf(bucket))}`,
        { params: { fields: 'projectNumber' } },
      );
      if (!b.projectNumber || !/^\d+$/.test(b.projectNumber))
        throw new Error(`Cloud Storage returned no project number for bucket ${bucket}`);
      return resourceName`projects/${b.projectNumber}`;
    },
  };
}
