// Cloud Storage JSON API: a bucket's IAM policy (b/{bucket}/iam, PUT to write,
// iam/testPermissions) and the bucket's project number, which is its IAM parent. Called through
// the auth client: no googleapis package for one resource.

import { resourceName } from '../resource-name.ts';
import { type Decoder, matching, permissionsAnswer, record, required } from './answer.ts';
import type { ApiContext } from './clients.ts';
import { type Policy, policyDecoder } from './iam.ts';
import { rest } from './rest.ts';

const POLICY = { what: 'a Policy', decode: policyDecoder };
// Bucket.projectNumber is a string of digits (gcloud's storage_v1_messages.py: UnsignedIntegerField, sent as a string in JSON).
const bucketNumber: Decoder<string> = (v, at) =>
  required(record(v, at), 'projectNumber', matching(/^\d+$/, 'a project number'), at);

/** Buckets are named projects/_/buckets/B in IAM; the JSON API takes the bare name. */
export function bucketOf(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

const iam = (bucket: string) => `storage/v1/b/${encodeURIComponent(bucketOf(bucket))}/iam`;

export function createStorageClient(ctx: ApiContext) {
  return {
    getBucketIamPolicy: (bucket: string) =>
      rest(ctx, 'storage', iam(bucket), POLICY, { params: { optionsRequestedPolicyVersion: 3 } }),
    setBucketIamPolicy: (bucket: string, policy: Policy) =>
      rest(ctx, 'storage', iam(bucket), POLICY, { method: 'PUT', body: policy }),
    testBucketPermissions: (bucket: string, permissions: string[]) =>
      rest(
        ctx,
        'storage',
        `${iam(bucket)}/testPermissions`,
        { what: 'a TestIamPermissionsResponse', decode: permissionsAnswer },
        { params: { permissions } },
      ),
    /** projects/NUMBER that owns the bucket. */
    async bucketProject(bucket: string): Promise<string> {
      const number = await rest(
        ctx,
        'storage',
        `storage/v1/b/${encodeURIComponent(bucketOf(bucket))}`,
        { what: 'a Bucket', decode: bucketNumber },
        { params: { fields: 'projectNumber' } },
      );
      return resourceName`projects/${number}`;
    },
  };
}
