// Cloud Storage JSON API v1: buckets get and bucket IAM (GET / PUT b/{bucket}/iam,
// GET b/{bucket}/iam/testPermissions?permissions=...), as Cloud Storage words its errors:
// "EMAIL does not have PERMISSION access to the Google Cloud Storage bucket. ..." (403) and
// "The specified bucket does not exist." (404), with the legacy errors[] array.
import { type Ctx, type Handler, HttpError, type WorldBucket } from '../contract.ts';
import { isRecord, route } from '../http.ts';
import { getPolicy, STORAGE_PROJECT_MEMBER, setPolicy, testPermissions } from '../policy-api.ts';
import { forService } from '../services.ts';
import { findBucket } from '../world-connected.ts';
import { findProject } from '../world-index.ts';

// Bucket names are global and their existence is not secret: a missing bucket is 404 for anyone.
const BUCKET = /^\/storage\/v1\/b\/([^/]+)(\/iam|\/iam\/testPermissions)?$/;

function require(ctx: Ctx, permission: string, bucket: string): void {
  const caller = ctx.requireCaller();
  if (ctx.can(permission, `projects/_/buckets/${bucket}`)) return;
  const who = caller.email ?? caller.member;
  throw new HttpError(
    403,
    'PERMISSION_DENIED',
    `${who} does not have ${permission} access to the Google Cloud Storage bucket. Permission '${permission}' denied on resource (or it may not exist).`,
    [],
    true,
  );
}

function exists(b: WorldBucket | undefined): WorldBucket {
  if (!b) throw new HttpError(404, 'NOT_FOUND', 'The specified bucket does not exist.', [], true);
  return b;
}

const withKind = (bucket: string, policy: Record<string, unknown>) => ({
  kind: 'storage#policy',
  resourceId: `projects/_/buckets/${bucket}`,
  ...policy,
});

const bucketApi: Handler = (req, ctx) => {
  const m = route(req, ['GET', 'PUT'], BUCKET);
  if (!m) return undefined;
  const [bucket = '', sub = ''] = m;
  const b = findBucket(ctx.world, bucket);
  if (sub === '' && req.method === 'GET') {
    const found = exists(b);
    require(ctx, 'storage.buckets.get', bucket);
    const number = findProject(ctx.world, found.project)?.number ?? found.project;
    const full: Record<string, unknown> = {
      kind: 'storage#bucket',
      id: bucket,
      name: bucket,
      projectNumber: number,
      location: 'US-CENTRAL1',
      storageClass: 'STANDARD',
      iamConfiguration: { uniformBucketLevelAccess: { enabled: true } },
    };
    const fields = req.query.get('fields');
    const body = fields ? Object.fromEntries(fields.split(',').map((f) => [f.trim(), full[f.trim()]])) : full;
    return { status: 200, body };
  }
  if (sub === '/iam' && req.method === 'GET') {
    const found = exists(b);
    require(ctx, 'storage.buckets.getIamPolicy', bucket);
    const query = new URLSearchParams(req.query);
    const v = query.get('optionsRequestedPolicyVersion');
    if (v !== null) query.set('options.requestedPolicyVersion', v);
    return { status: 200, body: withKind(bucket, { ...getPolicy(found, undefined, query) }) };
  }
  if (sub === '/iam' && req.method === 'PUT') {
    const found = exists(b);
    require(ctx, 'storage.buckets.setIamPolicy', bucket);
    // The request body is the policy itself (no SetIamPolicyRequest wrapper).
    const policy = isRecord(req.body) ? req.body : {};
    try {
      const written = setPolicy(ctx, found, { policy }, { extraMember: STORAGE_PROJECT_MEMBER });
      return { status: 200, body: withKind(bucket, { ...written }) };
    } catch (e) {
      // Cloud Storage refuses a stale etag as a failed precondition (412), not IAM's 409 ABORTED.
      if (!(e instanceof HttpError) || e.httpStatus !== 409) throw e;
      const stale = new HttpError(
        412,
        'FAILED_PRECONDITION',
        'At least one of the pre-conditions you specified did not hold.',
        [],
        true,
      );
      stale.legacyReason = 'conditionNotMet';
      throw stale;
    }
  }
  if (sub === '/iam/testPermissions' && req.method === 'GET') {
    ctx.requireCaller();
    exists(b);
    const permissions = req.query.getAll('permissions');
    const held = testPermissions(ctx, `projects/_/buckets/${bucket}`, { permissions });
    return { status: 200, body: { kind: 'storage#testIamPermissionsResponse', ...held } };
  }
  return undefined;
};

export const handlers: Handler[] = forService('storage.googleapis.com', [bucketApi]);
